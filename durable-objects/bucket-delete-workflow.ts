import { logEvent } from "../core/log";
import { usersGranted, type ProjectRecord } from "../core/contract";
import type { RoomContext, RoomWorkflows, TakenGrants } from "./room-context";
import { RoomError } from "./room-error";
import { startOperation } from "./stack-operation";
import { enqueue } from "./edit-queue";
import { refused, ROOM_ACTOR } from "./kinds/kit";
import { userUpdateOperation, type UserChange } from "./kinds/user";

/**
 * Deleting a bucket with "remove it from their permissions too" is a saga of stack operations
 * across two kinds, so it is the room's, not the bucket kind's (which asks for it through
 * `room.workflows`): every precondition AWS lets us ask is checked before the first step (the
 * bucket kind checks it holds no objects and no old versions), then each granted user's stack is
 * updated without the bucket, then the bucket's stack is deleted. When a later step fails —
 * CloudFormation refuses the delete now, or it ends in DELETE_FAILED later (kinds/bucket.ts
 * `settle`) — the earlier steps are undone through the same path: each user gets an update giving
 * the grants back, queued behind its running one and shown in the activity. The taken grants are
 * stored with the bucket until its delete settles.
 */
export function bucketDeleteWorkflow(room: RoomContext): Pick<RoomWorkflows, "takeGrantsThenDelete" | "giveBack"> {
  const giveBack = (project: ProjectRecord, bucket: string, taken: TakenGrants, why: string): void => {
    for (const { user, grants } of taken) {
      room.note("user", user, { actor: ROOM_ACTOR, message: `Deleting bucket ${bucket} did not happen (${why}); ${user} gets its access to ${bucket} back`, tone: "error" });
      const change: UserChange = { action: "update", name: user, restore: grants };
      const queued = enqueue(room, project, ROOM_ACTOR, "user", change, user);
      if (!queued.ok) {
        logEvent("error", "grants_not_given_back", { project: project.id, bucket, user, error: queued.error.message });
        room.note("user", user, { actor: ROOM_ACTOR, message: `${user}'s access to ${bucket} could not be given back: ${queued.error.message}`, tone: "error" });
      }
    }
  };

  return {
    giveBack,
    async takeGrantsThenDelete({ project, actor, bucket, keep, deleteBucket }) {
      const taken: TakenGrants = [];
      for (const user of usersGranted(room.neighbours.users(), bucket)) {
        const grants = user.spec.permissions.filter((p) => p.bucket === bucket);
        const result = await startOperation(room, userUpdateOperation(room, project, actor, user, user.spec.permissions.filter((p) => p.bucket !== bucket)));
        if (!result.ok) {
          const why = `could not take “${bucket}” out of user ${user.name}'s permissions: ${result.error.message}`;
          giveBack(project, bucket, taken, why);
          return refused(new RoomError(result.error.code, `Bucket “${bucket}” was not deleted: ${why}`));
        }
        taken.push({ user: user.name, grants });
      }
      if (taken.length > 0) keep(taken);
      const outcome = await deleteBucket();
      if (outcome.kind !== "started") giveBack(project, bucket, taken, outcome.message);
      return outcome;
    },
  };
}
