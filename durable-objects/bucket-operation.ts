import { ApiError } from "../worker/errors";
import { AwsError } from "../worker/aws/errors";
import { bucketStackTags, bucketTemplate } from "../worker/domain/bucket-template";
import { stackName } from "../worker/domain/naming";
import type { BucketChangeRequest } from "./bucket-changes";
import type { StoredBucket } from "./room-store";
import type { StackGateway } from "./stack-gateway";

export type OperationOutcome =
  | { kind: "started" }
  | { kind: "noop"; message: string }
  | { kind: "refused"; message: string; error: ApiError };

/**
 * Sends the planned change to CloudFormation. The operation id is the ClientRequestToken, so a
 * retried call can never start a second operation. Nothing here writes room state: the room
 * undoes its lock when the outcome is not "started".
 */
export async function runBucketOperation(
  gateway: StackGateway,
  request: BucketChangeRequest,
  planned: StoredBucket,
  operationId: string,
): Promise<OperationOutcome> {
  const { project, change } = request;
  const { name, physicalName, spec } = planned.resource;
  const stack = stackName(project.id, "bucket", name);
  try {
    if (change.action === "delete") {
      // Stackroom never destroys data: CloudFormation would also fail on a non-empty bucket, but
      // only after a long DELETE_FAILED round trip.
      if (!(await gateway.isBucketEmpty(physicalName))) {
        return refused(
          new ApiError(
            "conflict",
            `Bucket “${name}” still holds objects (or old versions of objects). Empty it first: Stackroom never deletes data.`,
          ),
        );
      }
      await gateway.deleteStack({ stackName: stack, operationId });
      return { kind: "started" };
    }
    const input = {
      stackName: stack,
      templateBody: bucketTemplate({ projectId: project.id, name, physicalName, spec }),
      tags: bucketStackTags({ projectId: project.id, name, spec }),
      operationId,
    };
    if (change.action === "create") {
      await gateway.createStack(input);
      return { kind: "started" };
    }
    const { changed } = await gateway.updateStack(input);
    return changed ? { kind: "started" } : { kind: "noop", message: `Bucket ${name} already had these settings; nothing changed` };
  } catch (err) {
    return refused(apiErrorFromAws(err, name));
  }
}

function refused(error: ApiError): OperationOutcome {
  return { kind: "refused", message: error.message, error };
}

/** AWS failures in words a manager understands; unknown ones are logged and reported as upstream. */
export function apiErrorFromAws(err: unknown, name: string, kind: "bucket" | "user" = "bucket"): ApiError {
  if (err instanceof ApiError) return err;
  if (!(err instanceof AwsError)) {
    console.error("stack operation failed", { kind, name, error: String(err) });
    return new ApiError("upstream", `Could not reach AWS to change ${kind} “${name}”. Nothing was changed; try again.`);
  }
  if (kind === "user" && /EntityAlreadyExists|already exists/i.test(err.message) && err.kind !== "AlreadyExists") {
    return new ApiError("conflict", `An IAM user named “${name}” already exists in the project account (outside Stackroom). Choose another name.`, {
      name: "This IAM user already exists in the account.",
    });
  }
  if (kind === "bucket" && /BucketAlreadyExists|BucketAlreadyOwnedByYou|already exists/i.test(err.message) && err.kind !== "AlreadyExists") {
    return new ApiError("conflict", `The S3 name for “${name}” is already taken in AWS. Choose another name.`, {
      name: "This name is taken in S3; choose another.",
    });
  }
  switch (err.kind) {
    case "AlreadyExists":
      return new ApiError("conflict", `A CloudFormation stack for ${kind} “${name}” already exists. Refresh the project to pick it up.`);
    case "StackNotFound":
      return new ApiError("conflict", `The CloudFormation stack of ${kind} “${name}” no longer exists. Refresh the project.`);
    case "AccessDenied":
    case "ExpiredToken":
      return new ApiError("upstream", `Stackroom's role in the project account was refused by AWS (${err.code}). Ask ops to check the bridge deployment.`);
    case "Throttled":
      return new ApiError("rate_limited", "AWS is throttling requests right now. Nothing was changed; try again in a minute.");
    case "Validation":
      return new ApiError("upstream", `CloudFormation refused the change to “${name}”: ${err.message}`);
    default:
      console.error("stack operation failed", { kind, name, code: err.code, message: err.message });
      return new ApiError("upstream", `AWS could not change ${kind} “${name}” (${err.code}). Nothing was changed; try again.`);
  }
}
