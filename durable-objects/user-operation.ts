import { ApiError } from "../worker/errors";
import { stackName } from "../worker/domain/naming";
import { userStackTags, userTemplate } from "../worker/domain/user-template";
import { apiErrorFromAws, type OperationOutcome } from "./bucket-operation";
import type { UserChangeRequest } from "./user-changes";
import type { StoredUser } from "./room-store";
import type { StackGateway } from "./stack-gateway";

/**
 * Sends a planned user change to CloudFormation (operation id = ClientRequestToken). A delete
 * removes the user's access keys through IAM first: CloudFormation cannot delete a user that
 * still has keys, and a deleted user's keys must stop working at once.
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
      await gateway.keys.removeAll(name);
      await gateway.deleteStack({ stackName: stack, operationId });
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
