import type { ProjectRecord, ResourceAction, ResourceKind } from "../worker/domain/contract";
import { ApiError } from "../worker/errors";
import { stackName } from "../worker/domain/naming";
import type { RoomContext } from "./room-context";
import type { Stored } from "./room-store";
import type { OperationPlan } from "./room-operations";
import { assertUnlocked, lockResource } from "./resource-lock";
import { apiErrorFromAws } from "./bucket-operation";

export type Action = ResourceAction["action"];

/** The repairs that make sense for a failed resource, from CloudFormation's last status. */
export function availableActions(stored: Stored): Action[] {
  if (stored.resource.lock || stored.resource.status !== "failed") return [];
  switch (stored.stackStatus) {
    case "UPDATE_ROLLBACK_FAILED":
      return ["continue-rollback"];
    case "UPDATE_ROLLBACK_COMPLETE":
      return stored.failedSpec ? ["retry"] : [];
    case "DELETE_FAILED":
      return ["retry"];
    default:
      // ROLLBACK_COMPLETE / ROLLBACK_FAILED: the stack never worked; deleting it is the way on.
      return [];
  }
}

export function refuseAction(kind: ResourceKind, name: string, action: Action, stored: Stored | undefined): never {
  if (!stored) throw new ApiError("not_found", `No ${kind} named “${name}”.`);
  throw new ApiError("conflict", `“${action}” does not apply to ${kind} ${name} now (${stored.resource.status}${stored.stackStatus ? `, ${stored.stackStatus}` : ""}).`);
}

/**
 * ContinueUpdateRollback as a room operation: the resource is locked while CloudFormation rolls
 * back, and the usual events release it (UPDATE_ROLLBACK_COMPLETE: previous settings kept).
 */
export function continueRollback<S extends Stored>(room: RoomContext, project: ProjectRecord, actor: string, kind: ResourceKind, name: string): OperationPlan<S> {
  return {
    kind,
    name,
    actor,
    plan: (operationId, now) => {
      const stored = room.store.get(kind, name) as S | undefined;
      assertUnlocked(kind, name, stored?.resource);
      if (!stored || !availableActions(stored).includes("continue-rollback")) refuseAction(kind, name, "continue-rollback", stored);
      return { ...stored, resource: lockResource(stored.resource, stored.resource.spec, "update", actor, operationId, now) } as S;
    },
    describe: () => `${actor} asked CloudFormation to continue the rollback of ${kind} ${name}`,
    run: async (_planned, operationId) => {
      try {
        await room.gateway(project).cloudformation.continueUpdateRollback({ stackName: stackName(project.id, kind, name), clientRequestToken: operationId });
        return { kind: "started" };
      } catch (err) {
        const error = apiErrorFromAws(err, name, kind);
        return { kind: "refused", message: error.message, error };
      }
    },
  };
}
