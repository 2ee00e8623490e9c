import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { EVENT_FUTURE_TOLERANCE_SECONDS, ProjectId, SIGNATURE_HEADER, WebhookBatch, type StackEvent } from "../domain/contract";
import { checkSignatureHeader, verifyBody } from "../domain/webhook-signature";
import { acceptedWebhookSecrets } from "../domain/webhook-secret";
import { foreignEventReason } from "../domain/event-scope";
import { parseStackName } from "../domain/naming";
import { findProject } from "../registry";
import { projectRoom } from "../room";
import { ApiError } from "../errors";
import { zodToApiError } from "../validate";
import { clientAddress, takeRateLimit } from "../auth/rate-limit";
import type { AppEnv } from "../app-env";

/** 100 events of at most a few KB each; a bigger body is refused before it is read. */
const MAX_WEBHOOK_BYTES = 1024 * 1024;
/** Seconds of the WEBHOOK_FAILURE_LIMITER binding's period (wrangler.toml). */
const WEBHOOK_FAILURE_PERIOD_SECONDS = 60;

/** Why the batch cannot be applied as a whole; null when every event is this project's and in time. */
function batchProblem(events: readonly StackEvent[], project: { id: string; accountId: string }, nowMs: number): { status: "forbidden" | "invalid"; message: string } | null {
  for (const [i, event] of events.entries()) {
    const foreign = foreignEventReason(event, { projectId: project.id, accountId: project.accountId });
    if (foreign) return { status: "forbidden", message: `Event ${i} is not of project ${project.id}: ${foreign}. Nothing in this batch was applied.` };
    if (Date.parse(event.timestamp) > nowMs + EVENT_FUTURE_TOLERANCE_SECONDS * 1000) {
      return { status: "invalid", message: `Event ${i} is dated ${event.timestamp}, more than ${EVENT_FUTURE_TOLERANCE_SECONDS / 60} minutes in the future. Nothing in this batch was applied.` };
    }
  }
  return null;
}

/**
 * CloudFormation events from one project's AWS bridge, at that project's own URL. Verified with
 * that project's own secret (HMAC, timestamp tolerance), then the schema, then every event must be
 * of that project's stacks in its AWS account and not from the future — or nothing is applied.
 */
export const webhookRoutes = new Hono<AppEnv>().post(
  "/cloudformation/:project",
  bodyLimit({
    maxSize: MAX_WEBHOOK_BYTES,
    onError: () => {
      throw new ApiError("too_large", `The webhook body is larger than ${MAX_WEBHOOK_BYTES / 1024} KB.`);
    },
  }),
  async (c) => {
    const id = c.req.param("project");
    const project = ProjectId.safeParse(id).success ? await findProject(c.env, id) : undefined;
    // Failures are counted per address: past the limit a sender gets 429 instead of a verdict.
    const countFailure = () => takeRateLimit(c.env.WEBHOOK_FAILURE_LIMITER, `webhook-failure:${clientAddress(c)}`, WEBHOOK_FAILURE_PERIOD_SECONDS, "rejected webhook calls from your address");
    if (!project) {
      await countFailure();
      throw new ApiError("not_found", `No project “${id}” is registered here.`);
    }

    // Cheap checks first (header shape, time, the secret it names), before the body is even read.
    const secrets = await acceptedWebhookSecrets([c.env.WEBHOOK_SECRET, c.env.WEBHOOK_SECRET_PREVIOUS], project);
    const preflight = await checkSignatureHeader(c.req.header(SIGNATURE_HEADER), secrets, Math.floor(Date.now() / 1000));
    const body = preflight.ok ? await c.req.text() : "";
    const verdict = preflight.ok ? await verifyBody(preflight, body) : preflight;
    if (!verdict.ok) {
      await countFailure();
      throw new ApiError("unauthenticated", `Webhook signature rejected for project ${project.id}: ${verdict.reason}`);
    }

    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new ApiError("invalid", "The webhook body is not valid JSON.");
    }
    const batch = WebhookBatch.safeParse(json);
    if (!batch.success) throw zodToApiError(batch.error, "The webhook batch");

    const problem = batchProblem(batch.data.events, project, Date.now());
    if (problem) {
      console.warn("webhook batch refused", { project: project.id, reason: problem.message });
      throw new ApiError(problem.status, problem.message);
    }
    // This project's stacks of a kind this Worker does not know (a newer Stackroom's) are skipped.
    const known = batch.data.events.filter((e) => parseStackName(e.stackName) !== null);
    const result = known.length > 0 ? await projectRoom(c.env, project.id).applyEvents(project, known) : { accepted: 0, duplicates: 0 };
    return c.json({ ...result, ignored: batch.data.events.length - known.length }, 202);
  },
);
