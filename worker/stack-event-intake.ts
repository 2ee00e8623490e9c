import { EVENT_FUTURE_TOLERANCE_SECONDS, type ProjectRecord, type StackEvent } from "../core/contract";
import { foreignEventReason } from "../core/event-scope";
import { parseStackName } from "../core/naming";
import { projectRoom } from "./room";
import type { Delivery, Intake } from "./signed-webhook";

/** Why the batch cannot be applied as a whole; null when every event is this project's and in time. */
function batchProblem(events: readonly StackEvent[], project: { id: string; accountId: string }, nowMs: number): Extract<Intake, { ok: false }> | null {
  for (const [i, event] of events.entries()) {
    const foreign = foreignEventReason(event, { projectId: project.id, accountId: project.accountId });
    if (foreign) return { ok: false, reason: "foreign", status: "forbidden", message: `Event ${i} is not of project ${project.id}: ${foreign}. Nothing in this batch was applied.` };
    if (Date.parse(event.timestamp) > nowMs + EVENT_FUTURE_TOLERANCE_SECONDS * 1000) {
      return { ok: false, reason: "future", status: "invalid", message: `Event ${i} is dated ${event.timestamp}, more than ${EVENT_FUTURE_TOLERANCE_SECONDS / 60} minutes in the future. Nothing in this batch was applied.` };
    }
  }
  return null;
}

/**
 * The one way CloudFormation events reach a project's room, whether the bridge signed them
 * (webhook) or ops replay them from the bridge's dead-letter queue (read through the project's
 * own role): every event must be of this project's stacks in its account and not from the future,
 * or nothing is applied; stacks of a kind this Worker does not know (a newer Stackroom's) are
 * skipped; the room drops duplicates by EventId. `delivery` records a webhook's secret version.
 */
export async function takeInStackEvents(env: Env, project: ProjectRecord, events: readonly StackEvent[], delivery?: Delivery): Promise<Intake> {
  const problem = batchProblem(events, project, Date.now());
  if (problem) return problem;
  const known = events.filter((e) => parseStackName(e.stackName) !== null);
  const result = await projectRoom(env, project.id).applyEvents(project, known, delivery);
  return { ok: true, ...result, ignored: events.length - known.length };
}
