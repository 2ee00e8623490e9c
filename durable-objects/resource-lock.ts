import type { Lock, ResourceKind, ResourceStatus } from "../worker/domain/contract";
import { ApiError } from "../worker/errors";

export type ChangeAction = Lock["action"];

const progressStatus: Record<ChangeAction, ResourceStatus> = { create: "creating", update: "updating", delete: "deleting" };
const label: Record<ResourceKind, string> = { bucket: "Bucket", user: "User" };

interface Lockable {
  lock?: Lock;
}

/** Refuses (409 `locked`, naming the holder) a change to a resource whose stack operation runs. */
export function assertUnlocked(kind: ResourceKind, name: string, current: Lockable | undefined): void {
  if (!current?.lock) return;
  const { by, since } = current.lock;
  throw new ApiError("locked", `${label[kind]} “${name}” is being changed by ${by} (since ${since}). Try again when it finishes.`);
}

/** The resource as stored while its operation runs: locked by the actor, in the action's status. */
export function lockResource<R extends { spec: unknown }>(
  resource: R,
  spec: R["spec"],
  action: ChangeAction,
  actor: string,
  operationId: string,
  now: string,
): R & { status: ResourceStatus; lock: Lock; operationId: string; updatedAt: string; statusReason: undefined } {
  return {
    ...resource,
    spec,
    status: progressStatus[action],
    statusReason: undefined,
    lock: { by: actor, since: now, operationId, action },
    operationId,
    updatedAt: now,
  };
}
