import type { Lock, ResourceStatus } from "../../core/contract";
import { AwsError } from "../../core/aws/errors";
import { errorText, logEvent } from "../../core/log";
import { capitalize } from "../../core/words";
import { RoomError } from "../room-error";
import type { Action, OperationOutcome, ResourceView } from "./kind";

/**
 * What every kind's plan and run use, written once: who acts when no member does, the lock check
 * and the locked state, a refusal as an operation's outcome, and AWS failures in a manager's
 * words. The room uses them too; they know no kind and no orchestration.
 */

/** The room acting on its own (a failed delete's give-back, an expiry): never a member, so never an email. */
export const ROOM_ACTOR = "Stackroom";
/** Ops acting through the ops endpoints (offboarding a project): never a member either. */
export const OPS_ACTOR = "Stackroom ops";

const progressStatus: Record<Action, ResourceStatus> = { create: "creating", update: "updating", delete: "deleting" };

/** Refuses (`locked`, naming the holder) a change to a resource whose stack operation runs; `what` as KindModule.label says it. */
export function assertUnlocked(what: string, current: { lock?: Lock } | undefined): void {
  if (!current?.lock) return;
  const { by, since } = current.lock;
  throw new RoomError("locked", `${capitalize(what)} is being changed by ${by} (since ${since}). Try again when it finishes.`);
}

/** The resource as stored while its operation runs: locked by the actor, in the action's status. */
export function lockResource<R extends ResourceView>(resource: R, spec: R["spec"], action: Action, actor: string, operationId: string, now: string): R {
  return { ...resource, spec, status: progressStatus[action], statusReason: undefined, lock: { by: actor, since: now, operationId, action }, operationId, updatedAt: now };
}

export function refused(error: RoomError): OperationOutcome {
  return { kind: "refused", message: error.message, error };
}

/** What the operation was, in the words of an error about it: a create, a change, a delete. */
const VERB: Record<Action, string> = { create: "create", update: "change", delete: "delete" };

/**
 * AWS failures in words a manager understands (`what`: the resource as KindModule.label says it);
 * unknown ones are logged and reported as upstream.
 */
export function roomErrorFromAws(err: unknown, what: string, action: Action = "update"): RoomError {
  if (err instanceof RoomError) return err;
  const verb = VERB[action];
  if (!(err instanceof AwsError)) {
    logEvent("error", "stack_operation_failed", { what, error: errorText(err) });
    return new RoomError("upstream", `Could not reach AWS to ${verb} ${what}. Nothing was changed; try again.`);
  }
  // No answer or a 5xx on some attempt: AWS may have started it. The room cannot say nothing
  // changed; it checks with CloudFormation soon (the stuck-lock and heal paths) and shows what it finds.
  if (err.mayHaveRun && (err.kind === "Network" || err.kind === "Server" || err.kind === "Throttled")) {
    const unsure = new RoomError("upstream", `AWS did not confirm whether it will ${verb} ${what} (${err.code}). Stackroom checks with CloudFormation within a minute and shows what it finds; if nothing changed then, try again.`);
    unsure.mayHaveRun = true;
    return unsure;
  }
  switch (err.kind) {
    case "AlreadyExists":
      return new RoomError("conflict", `A CloudFormation stack for ${what} already exists. Refresh the project to pick it up.`);
    case "StackNotFound":
      return new RoomError("conflict", `The CloudFormation stack of ${what} no longer exists. Refresh the project.`);
    case "AccessDenied":
    case "ExpiredToken":
      return new RoomError("upstream", `Stackroom's role in the project account was refused by AWS (${err.code}). Ask ops to check the bridge deployment.`);
    case "Throttled":
      return new RoomError("rate_limited", "AWS is throttling requests right now. Nothing was changed; try again in a minute.");
    case "Validation":
      return new RoomError("upstream", `CloudFormation refused to ${verb} ${what}: ${err.message}`);
    default:
      // The AWS client logged and counted it already (telemetry "aws_error").
      return new RoomError("upstream", `AWS could not ${verb} ${what} (${err.code}). Nothing was changed; try again.`);
  }
}
