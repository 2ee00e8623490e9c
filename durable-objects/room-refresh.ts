import type { ProjectRecord } from "../worker/domain/contract";
import { physicalBucketName } from "../worker/domain/naming";
import type { RoomContext } from "./room-context";
import { healResources } from "./heal";
import { readProjectStacks } from "./stack-reader";
import { userPath } from "../worker/domain/user-template";
import { apiErrorFromAws } from "./bucket-operation";

/**
 * Heals the room from CloudFormation (DescribeStacks + GetTemplate): missed events, stale
 * locks, resources changed or deleted outside Stackroom. Returns how many resources changed.
 */
export async function refreshFromCloudFormation(room: RoomContext, project: ProjectRecord): Promise<number> {
  let stacks;
  try {
    stacks = await readProjectStacks(room.gateway(project).cloudformation, project);
  } catch (err) {
    throw apiErrorFromAws(err, "(all)");
  }
  const now = new Date().toISOString();
  const bucketSteps = healResources("bucket", room.store.list("bucket"), stacks.buckets, now, (stack, state) => ({
    resource: {
      name: stack.name,
      physicalName: physicalBucketName(project.id, project.accountId, project.region, stack.name),
      spec: stack.spec,
      status: state.status,
      statusReason: state.reason,
      updatedAt: now,
    },
    appliedSpec: state.status === "ready" ? stack.spec : null,
  }));
  const userSteps = healResources("user", room.store.list("user"), stacks.users, now, (stack, state) => ({
    resource: { name: stack.name, path: userPath(project.id), spec: stack.spec, status: state.status, statusReason: state.reason, keys: [], updatedAt: now },
    appliedSpec: state.status === "ready" ? stack.spec : null,
  }));
  for (const step of bucketSteps) room.record("bucket", step.stored, { actor: "Stackroom", ...step.activity }, step.remove);
  for (const step of userSteps) room.record("user", step.stored, { actor: "Stackroom", ...step.activity }, step.remove);
  return bucketSteps.length + userSteps.length;
}
