import type { Permission, ProjectRecord } from "../worker/domain/contract";
import { ApiError } from "../worker/errors";
import type { RoomContext } from "./room-context";
import type { StoredBucket } from "./room-store";
import { startOperation } from "./room-operations";
import { enqueue } from "./room-queue";
import type { OperationOutcome } from "./bucket-operation";
import type { OperationPlan } from "./room-operations";
import type { StoredUser } from "./room-store";

/** The grants a bucket delete took away, per user: what is given back if the delete fails. */
export type TakenGrants = NonNullable<StoredBucket["restoreGrants"]>;

/**
 * Deleting a bucket with "remove it from their permissions too" is a saga of stack operations:
 * every precondition AWS lets us ask is checked before the first step (the bucket holds no
 * objects and no old versions), then each granted user's stack is updated without the bucket,
 * then the bucket's stack is deleted. When a later step fails — CloudFormation refuses the
 * delete now, or it ends in DELETE_FAILED later — the earlier steps are undone through the same
 * path: each user gets an update giving the grants back, queued behind its running one and shown
 * in the activity. The taken grants are stored with the bucket until its delete settles.
 */
export async function takeGrantsThenDelete(
  room: RoomContext,
  request: { project: ProjectRecord; actor: string },
  bucket: StoredBucket,
  isEmpty: () => Promise<boolean>,
  userUpdate: (user: StoredUser, permissions: Permission[]) => OperationPlan<StoredUser>,
  deleteBucket: () => Promise<OperationOutcome>,
): Promise<OperationOutcome> {
  const name = bucket.resource.name;
  if (!(await isEmpty())) return refused(notEmpty(name));
  const taken: TakenGrants = [];
  for (const user of room.store.list("user").filter((u) => u.resource.status !== "deleted" && u.resource.spec.permissions.some((p) => p.bucket === name))) {
    const grants = user.resource.spec.permissions.filter((p) => p.bucket === name);
    const result = await startOperation(room, userUpdate(user, user.resource.spec.permissions.filter((p) => p.bucket !== name)));
    if (!result.ok) {
      const why = `could not take “${name}” out of user ${user.resource.name}'s permissions: ${result.error.message}`;
      giveBack(room, request.project, name, taken, why);
      return refused(new ApiError(result.error.code, `Bucket “${name}” was not deleted: ${why}`));
    }
    taken.push({ user: user.resource.name, grants });
  }
  if (taken.length > 0) {
    const locked = room.store.get("bucket", name);
    if (locked) room.store.put("bucket", { ...locked, restoreGrants: taken });
  }
  const outcome = await deleteBucket();
  if (outcome.kind !== "started") giveBack(room, request.project, name, taken, outcome.message);
  return outcome;
}

/**
 * A bucket's delete has settled when its lock is gone: the record of the grants it took goes
 * with it, and if the delete failed, `giveBack` (called after the bucket's own change is logged)
 * gives them back.
 */
export function settleBucketDelete(room: RoomContext, project: ProjectRecord, bucket: StoredBucket): { bucket: StoredBucket; giveBack(): void } {
  const taken = bucket.restoreGrants;
  if (!taken || bucket.resource.lock) return { bucket, giveBack: () => undefined };
  const { restoreGrants: _settled, ...rest } = bucket;
  const failed = bucket.resource.status !== "deleted";
  const why = bucket.resource.statusReason ?? `its stack ended in ${bucket.stackStatus ?? "failure"}`;
  return { bucket: rest, giveBack: () => (failed ? giveBack(room, project, bucket.resource.name, taken, why) : undefined) };
}

/** Queues, per user, an update giving back what a failed delete of `bucket` took, and says why. */
function giveBack(room: RoomContext, project: ProjectRecord, bucket: string, taken: TakenGrants, why: string): void {
  for (const { user, grants } of taken) {
    room.note("user", user, { actor: "Stackroom", message: `Deleting bucket ${bucket} did not happen (${why}); ${user} gets its access to ${bucket} back`, tone: "error" });
    enqueue(room, project, "Stackroom", { kind: "user", change: { action: "update", name: user, restore: grants } }, user);
  }
}

function notEmpty(name: string): ApiError {
  return new ApiError("conflict", `Bucket “${name}” still holds objects (or old versions of objects). Empty it first: Stackroom never deletes data. Nothing was changed.`);
}

function refused(error: ApiError): OperationOutcome {
  return { kind: "refused", message: error.message, error };
}
