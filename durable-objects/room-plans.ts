import { ApiError } from "../worker/errors";
import type { RoomContext } from "./room-context";
import type { OperationPlan } from "./room-operations";
import { startOperation } from "./room-operations";
import type { StoredBucket, StoredUser } from "./room-store";
import { bucketChangeName, describeChange, planBucketChange, usersGranted, type BucketChangeRequest } from "./bucket-changes";
import { describeUserChange, planUserChange, userChangeName, type UserChangeRequest } from "./user-changes";
import { runBucketOperation } from "./bucket-operation";
import { runUserOperation } from "./user-operation";
import { takeGrantsThenDelete } from "./bucket-delete-saga";
import type { Permission } from "../worker/domain/contract";

export type { BucketChangeRequest } from "./bucket-changes";
export type { UserChangeRequest } from "./user-changes";

/** A bucket change as the room runs it. */
export function bucketOperation(room: RoomContext, request: BucketChangeRequest): OperationPlan<StoredBucket> {
  const name = bucketChangeName(request.change);
  const users = () => room.store.list("user").map((u) => u.resource);
  return {
    kind: "bucket",
    name,
    actor: request.actor,
    plan: (operationId, now) => {
      const planned = planBucketChange(request, room.store.get("bucket", name), users(), operationId, now);
      if (request.change.action === "delete" && request.change.removeGrants) {
        const busy = users().filter((u) => usersGranted(name, [u]).length > 0 && u.lock);
        if (busy[0]?.lock) throw new ApiError("locked", `User “${busy[0].name}” is being changed by ${busy[0].lock.by}; try again when it finishes.`);
      }
      return planned;
    },
    describe: (planned) => describeChange(request.actor, request.change, planned.resource.spec),
    run: async (planned, operationId) => {
      const gateway = room.gateway(request.project);
      const deleteBucket = () => runBucketOperation(gateway, request, planned, operationId);
      if (request.change.action !== "delete" || !request.change.removeGrants) return deleteBucket();
      // The manager confirmed: take the bucket out of every grant, then delete it — all or nothing.
      const userUpdate = (user: StoredUser, permissions: Permission[]) =>
        userOperation(room, { project: request.project, actor: request.actor, change: { action: "update", name: user.resource.name, spec: { ...user.resource.spec, permissions } } });
      return takeGrantsThenDelete(room, request, planned, () => gateway.isBucketEmpty(planned.resource.physicalName), userUpdate, deleteBucket);
    },
  };
}

/** A user change as the room runs it. */
export function userOperation(room: RoomContext, request: UserChangeRequest): OperationPlan<StoredUser> {
  const name = userChangeName(request.change);
  return {
    kind: "user",
    name,
    actor: request.actor,
    plan: (operationId, now) =>
      planUserChange(request, room.store.get("user", name), room.store.list("bucket").map((b) => b.resource), operationId, now),
    describe: (planned) => describeUserChange(request.actor, request.change, planned.resource.spec),
    run: (planned, operationId) => runUserOperation(room.gateway(request.project), request, planned, operationId),
  };
}
