import type { ActivityEntry, Lock } from "../worker/domain/contract";
import type { StackState } from "../worker/domain/stack-status";
import type { StoredBucket } from "./room-store";

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
export function belongsToLock(state: StackState, lock: Lock): boolean {
  if (state.operationToken) return state.operationToken === lock.operationId;
  const prefixes = actionPrefixes[lock.action];
  return prefixes.some((p) => state.stackStatus.startsWith(p)) && Date.parse(state.at) >= Date.parse(lock.since) - CLOCK_SKEW_MS;
}

export interface AppliedState {
  next: StoredBucket;
  activity?: Pick<ActivityEntry, "message" | "tone">;
}

/** Folds the stack's derived state into the stored bucket: status, reason, lock release, spec on rollback. */
export function applyStackState(stored: StoredBucket, state: StackState): AppliedState | null {
  const { bucket } = stored;
  const lock = bucket.lock;
  if (lock && !belongsToLock(state, lock)) return null; // a late event of an earlier operation
  const reason = state.reason;
  if (bucket.status === state.status && bucket.statusReason === reason && !(lock && state.terminal)) return null;

  const released = lock && state.terminal;
  let spec = bucket.spec;
  let appliedSpec = stored.appliedSpec;
  if (released && state.status === "ready") appliedSpec = bucket.spec;
  if (released && state.status === "failed" && lock.action === "update" && stored.appliedSpec) spec = stored.appliedSpec;

  const next: StoredBucket = {
    bucket: {
      ...bucket,
      spec,
      status: state.status,
      statusReason: reason,
      lock: released ? undefined : lock,
      updatedAt: state.at > bucket.updatedAt ? state.at : bucket.updatedAt,
    },
    appliedSpec,
  };
  return { next, activity: describeState(bucket.name, lock?.action, state) };
}

function describeState(name: string, action: Lock["action"] | undefined, state: StackState): AppliedState["activity"] {
  switch (state.status) {
    case "ready":
      return { message: action === "update" ? `Bucket ${name} was updated` : `Bucket ${name} is ready`, tone: "success" };
    case "deleted":
      return { message: `Bucket ${name} was deleted`, tone: "success" };
    case "failed":
      return { message: state.reason ?? `Bucket ${name} failed (${state.stackStatus})`, tone: "error" };
    default:
      return state.reason
        ? { message: `Bucket ${name}: ${state.reason}`, tone: "error" }
        : { message: `Bucket ${name} is ${state.status} (${state.stackStatus})`, tone: "info" };
  }
}
