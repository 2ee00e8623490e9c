import type { ActivityEntry, ActivityOperation, Lock } from "../core/contract";
import type { StackState } from "../core/stack-status";
import type { StoredResource } from "./kinds/kind";
import { capitalize } from "../core/words";

/** How far an event's timestamp may precede the lock (clock skew between AWS and the edge). */
const CLOCK_SKEW_MS = 60_000;

const actionPrefixes: Record<Lock["action"], string[]> = {
  create: ["CREATE_", "ROLLBACK_", "REVIEW_"],
  update: ["UPDATE_"],
  delete: ["DELETE_"],
};

/**
 * Does the derived stack state belong to the operation holding the lock? CloudFormation copies
 * our ClientRequestToken (= operation id) into every event of the operation; when a source omits
 * it (moto), fall back to the kind of status and its time.
 */
function belongsToLock(state: StackState, lock: Lock): boolean {
  if (state.operationToken) return state.operationToken === lock.operationId;
  const prefixes = actionPrefixes[lock.action];
  return prefixes.some((p) => state.stackStatus.startsWith(p)) && Date.parse(state.at) >= Date.parse(lock.since) - CLOCK_SKEW_MS;
}

interface AppliedState {
  next: StoredResource;
  activity: Pick<ActivityEntry, "message" | "tone" | "operation">;
}

/** Folds the stack's derived state into the stored resource (any kind): status, reason, lock release, spec on rollback. */
export function applyStackState(noun: string, stored: StoredResource, state: StackState): AppliedState | null {
  const { resource } = stored;
  const lock = resource.lock;
  if (lock && !belongsToLock(state, lock)) return null; // a late event of an earlier operation
  const reason = state.reason;
  if (resource.status === state.status && resource.statusReason === reason && !(lock && state.terminal)) return null;

  const released = lock && state.terminal;
  const rolledBack = released && state.status === "failed" && lock.action === "update" && stored.appliedSpec !== null;
  const next = {
    ...stored,
    resource: {
      ...resource,
      spec: rolledBack && stored.appliedSpec !== null ? stored.appliedSpec : resource.spec,
      status: state.status,
      statusReason: reason,
      lock: released ? undefined : lock,
      updatedAt: state.at > resource.updatedAt ? state.at : resource.updatedAt,
    },
    appliedSpec: released && state.status === "ready" ? resource.spec : stored.appliedSpec,
    stackStatus: state.stackStatus,
    failedSpec: rolledBack ? resource.spec : released ? undefined : stored.failedSpec,
  };
  const what = `${capitalize(noun)} ${resource.name}`;
  const repaired = released && lock.repair ? describeRepair(what, lock.repair, state) : null;
  const activity = repaired ?? describeState(what, lock?.action, state);
  if (!lock) return { next, activity };
  const step: ActivityOperation["step"] = !released ? "progress" : repaired ? repaired.step : state.status === "failed" ? "failed" : "succeeded";
  const operation = { id: lock.operationId, action: lock.action, step, by: lock.by, ...(lock.repair ? { repair: lock.repair } : {}) };
  return { next, activity: { message: activity.message, tone: activity.tone, operation } };
}

/**
 * The outcome of a repair, told as the repair's: a continued rollback that restored the previous
 * settings succeeded (even though the update it undoes stays failed); a retry succeeds or fails.
 */
function describeRepair(what: string, repair: NonNullable<Lock["repair"]>, state: StackState): AppliedState["activity"] & { step: "succeeded" | "failed" } {
  if (repair === "continue-rollback") {
    return state.stackStatus === "UPDATE_ROLLBACK_COMPLETE"
      ? { message: `The rollback of ${lowerFirst(what)} was continued and finished: it keeps its previous settings`, tone: "success", step: "succeeded" }
      : { message: `Continuing the rollback of ${lowerFirst(what)} failed: ${state.reason ?? state.stackStatus}`, tone: "error", step: "failed" };
  }
  return state.status === "failed"
    ? { message: `The retry of ${lowerFirst(what)} failed: ${state.reason ?? state.stackStatus}`, tone: "error", step: "failed" }
    : { message: `The retry of ${lowerFirst(what)} succeeded: ${state.status === "deleted" ? "it was deleted" : "its settings are applied"}`, tone: "success", step: "succeeded" };
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function describeState(what: string, action: Lock["action"] | undefined, state: StackState): AppliedState["activity"] {
  switch (state.status) {
    case "ready":
      return { message: action === "update" ? `${what} was updated` : `${what} is ready`, tone: "success" };
    case "deleted":
      return { message: `${what} was deleted`, tone: "success" };
    case "failed":
      return { message: state.reason ?? `${what} failed (${state.stackStatus})`, tone: "error" };
    default:
      return state.reason
        ? { message: `${what}: ${state.reason}`, tone: "error" }
        : { message: `${what} is ${state.status} (${state.stackStatus})`, tone: "info" };
  }
}
