import { ApiError } from "../worker/errors";
import { stackName } from "../worker/domain/naming";
import { userStackTags, userTemplate } from "../worker/domain/user-template";
import { apiErrorFromAws, type OperationOutcome } from "./bucket-operation";
import type { UserChangeRequest } from "./user-changes";
import type { StoredUser } from "./room-store";
import type { StackGateway } from "./stack-gateway";

/**
 * Sends a planned user change to CloudFormation (operation id = ClientRequestToken).
 *
 * A delete is two steps, made all-or-nothing: the user's active keys are deactivated through IAM
 * first (a deleted user's keys must stop working at once; deactivating, unlike deleting, can be
 * undone), then DeleteStack — whose AWS::IAM::User handler deletes the keys with the user
 * (iam:ListAccessKeys + iam:DeleteAccessKey in its handler permissions). If CloudFormation refuses
 * the delete, the keys are active again and nothing changed. If the delete starts and fails later
 * (DELETE_FAILED), the keys stay deactivated: the manager meant access to end, and the activity
 * and the key list say so.
 */
export async function runUserOperation(
  gateway: StackGateway,
  request: UserChangeRequest,
  planned: StoredUser,
  operationId: string,
): Promise<OperationOutcome> {
  const { project, change } = request;
  const { name, spec } = planned.resource;
  const stack = stackName(project.id, "user", name);
  try {
    if (change.action === "delete") {
      const active = (await gateway.keys.list(name)).filter((k) => k.status === "Active").map((k) => k.accessKeyId);
      for (const key of active) await gateway.keys.setStatus(name, key, "Inactive");
      try {
        await gateway.deleteStack({ stackName: stack, operationId });
      } catch (err) {
        // Undo the first step: the user stays, so must its access.
        for (const key of active) await gateway.keys.setStatus(name, key, "Active");
        throw err;
      }
      return { kind: "started" };
    }
    const input = {
      stackName: stack,
      templateBody: userTemplate({ projectId: project.id, accountId: project.accountId, region: project.region, name, spec }),
      tags: userStackTags({ projectId: project.id, name, spec }),
      operationId,
      namedIam: true,
    };
    if (change.action === "create") {
      await gateway.createStack(input);
      return { kind: "started" };
    }
    const { changed } = await gateway.updateStack(input);
    return changed ? { kind: "started" } : { kind: "noop", message: `User ${name} already had these settings; nothing changed` };
  } catch (err) {
    const error = err instanceof ApiError ? err : apiErrorFromAws(err, name, "user");
    return { kind: "refused", message: error.message, error };
  }
}
