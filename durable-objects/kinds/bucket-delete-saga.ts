import { logEvent } from "../../core/log";
import type { Permission, ProjectRecord } from "../../core/contract";
import { ROOM_ACTOR, type RoomContext } from "../room-context";
import { RoomError } from "../room-error";
import { refused, startOperation } from "../stack-operation";
import { enqueue } from "../edit-queue";
import type { Operation, OperationOutcome } from "./kind";
import { notEmpty, StoredBucket } from "./bucket";
import { StoredUser, type UserChange } from "./user";

/** The grants a bucket delete took away, per user: what is given back if the delete fails. */
export type TakenGrants = NonNullable<StoredBucket["restoreGrants"]>;

/**
 * Deleting a bucket with "remove it from their permissions too" is a saga of stack operations:
 * every precondition AWS lets us ask is checked before the first step (the bucket holds no
 * objects and no old versions), then each granted user's stack is updated without the bucket,
 * then the bucket's stack is deleted. When a later step fails — CloudFormation refuses the
 * delete now, or it ends in DELETE_FAILED later (kinds/bucket.ts `settle`) — the earlier steps
 * are undone through the same path: each user gets an update giving the grants back, queued
 * behind its running one and shown in the activity. The taken grants are stored with the bucket
 * until its delete settles.
 */
export async function takeGrantsThenDelete(
  room: RoomContext,
  request: { project: ProjectRecord; actor: string },
  bucket: StoredBucket,
  isEmpty: () => Promise<boolean>,
  userUpdate: (user: StoredUser, permissions: Permission[]) => Operation,
  deleteBucket: () => Promise<OperationOutcome>,
): Promise<OperationOutcome> {
  const name = bucket.resource.name;
  if (!(await isEmpty())) return refused(notEmpty(name));
  const taken: TakenGrants = [];
  const granted = room.store.listAs("user", StoredUser).filter((u) => u.resource.status !== "deleted" && u.resource.spec.permissions.some((p) => p.bucket === name));
  for (const user of granted) {
    const grants = user.resource.spec.permissions.filter((p) => p.bucket === name);
    const result = await startOperation(room, userUpdate(user, user.resource.spec.permissions.filter((p) => p.bucket !== name)));
    if (!result.ok) {
      const why = `could not take “${name}” out of user ${user.resource.name}'s permissions: ${result.error.message}`;
      giveBack(room, request.project, name, taken, why);
      return refused(new RoomError(result.error.code, `Bucket “${name}” was not deleted: ${why}`));
    }
    taken.push({ user: user.resource.name, grants });
  }
  if (taken.length > 0) {
    const locked = room.store.getAs("bucket", name, StoredBucket);
    if (locked) {
      const withTaken: StoredBucket = { ...locked, restoreGrants: taken };
      room.store.put("bucket", withTaken);
    }
  }
  const outcome = await deleteBucket();
  if (outcome.kind !== "started") giveBack(room, request.project, name, taken, outcome.message);
  return outcome;
}

/** Queues, per user, an update giving back what a failed delete of `bucket` took, and says why. */
export function giveBack(room: RoomContext, project: ProjectRecord, bucket: string, taken: TakenGrants, why: string): void {
  for (const { user, grants } of taken) {
    room.note("user", user, { actor: "Stackroom", message: `Deleting bucket ${bucket} did not happen (${why}); ${user} gets its access to ${bucket} back`, tone: "error" });
    const change: UserChange = { action: "update", name: user, restore: grants };
    const queued = enqueue(room, project, ROOM_ACTOR, "user", change, user);
    if (!queued.ok) {
      logEvent("error", "grants_not_given_back", { project: project.id, bucket, user, error: queued.error.message });
      room.note("user", user, { actor: "Stackroom", message: `${user}'s access to ${bucket} could not be given back: ${queued.error.message}`, tone: "error" });
    }
  }
}
