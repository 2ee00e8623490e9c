import type { ResourceKind, ResourceStatus } from "./contract/resource";
import type { StackEvent } from "./contract/stack-event";
import { parseStackName } from "./naming";
import { kindFacts } from "./kinds";
import { capitalize } from "./words";

/** A resource's state as derived from its stack's events. */
export interface StackState {
  /** CloudFormation's stack status, e.g. UPDATE_ROLLBACK_COMPLETE. */
  stackStatus: string;
  status: ResourceStatus;
  /** Why it failed (or is rolling back), in a manager's words, with CloudFormation's text appended. */
  reason?: string;
  /** No further event of this operation will come; the lock can be released. */
  terminal: boolean;
  /** ClientRequestToken (= Stackroom operation id) of the operation this status belongs to. */
  operationToken?: string;
  /** Timestamp of the stack event that set the status. */
  at: string;
}

const STATUS_OF: Record<string, ResourceStatus> = {
  REVIEW_IN_PROGRESS: "creating",
  CREATE_IN_PROGRESS: "creating",
  ROLLBACK_IN_PROGRESS: "creating",
  CREATE_COMPLETE: "ready",
  CREATE_FAILED: "failed",
  ROLLBACK_COMPLETE: "failed",
  ROLLBACK_FAILED: "failed",
  UPDATE_IN_PROGRESS: "updating",
  UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: "updating",
  UPDATE_ROLLBACK_IN_PROGRESS: "updating",
  UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: "updating",
  UPDATE_COMPLETE: "ready",
  UPDATE_FAILED: "failed",
  UPDATE_ROLLBACK_COMPLETE: "failed",
  UPDATE_ROLLBACK_FAILED: "failed",
  DELETE_IN_PROGRESS: "deleting",
  DELETE_COMPLETE: "deleted",
  DELETE_FAILED: "failed",
  IMPORT_IN_PROGRESS: "updating",
  IMPORT_ROLLBACK_IN_PROGRESS: "updating",
  IMPORT_COMPLETE: "ready",
  IMPORT_ROLLBACK_COMPLETE: "failed",
  IMPORT_ROLLBACK_FAILED: "failed",
};

/** Stack-level statuses that open a new operation (its later resource events belong to it). */
const OPERATION_STARTS = new Set(["CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS", "DELETE_IN_PROGRESS", "IMPORT_IN_PROGRESS"]);
const ROLLBACK_STARTS = new Set(["ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_IN_PROGRESS", "IMPORT_ROLLBACK_IN_PROGRESS"]);
/** CloudFormation cancels sibling resources once one fails; those events are never the cause. */
const CANCELLED = /^Resource (creation|update|deletion) cancelled/i;

/** Every status that is not `*_IN_PROGRESS` is at rest: the operation is over. */
export function isTerminalStackStatus(stackStatus: string): boolean {
  return !stackStatus.endsWith("_IN_PROGRESS");
}

/** The status a manager sees for a stack status; unknown future statuses fall back by suffix. */
export function resourceStatusOf(stackStatus: string): ResourceStatus {
  const known = STATUS_OF[stackStatus];
  if (known) return known;
  if (stackStatus.startsWith("DELETE_")) return stackStatus.endsWith("_IN_PROGRESS") ? "deleting" : "failed";
  if (stackStatus.endsWith("_IN_PROGRESS")) return "updating";
  return stackStatus.endsWith("_COMPLETE") ? "ready" : "failed";
}

/** Within one timestamp: start < rollback < cleanup < at rest, so a tie resolves to the later phase. */
function phaseRank(stackStatus: string): number {
  if (stackStatus === "REVIEW_IN_PROGRESS") return 0;
  if (stackStatus.endsWith("_CLEANUP_IN_PROGRESS")) return 3;
  if (ROLLBACK_STARTS.has(stackStatus)) return 2;
  if (stackStatus.endsWith("_IN_PROGRESS")) return 1;
  return 4;
}

/** [epoch ms, sub-millisecond digits]: moto stamps microseconds, which Date.parse drops. */
function timeKey(timestamp: string): [number, number] {
  const fraction = /\.(\d+)/.exec(timestamp)?.[1] ?? "";
  return [Date.parse(timestamp), Number(fraction.slice(3, 9).padEnd(6, "0"))];
}

function compareTime(a: StackEvent, b: StackEvent): number {
  const [am, au] = timeKey(a.timestamp);
  const [bm, bu] = timeKey(b.timestamp);
  return am - bm || au - bu;
}

function compareIds(a: StackEvent, b: StackEvent): number {
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

/** Total order on stack-level events, independent of arrival order. */
function compareStackEvents(a: StackEvent, b: StackEvent): number {
  return compareTime(a, b) || phaseRank(a.resourceStatus) - phaseRank(b.resourceStatus) || compareIds(a, b);
}

function isStackLevelEvent(e: StackEvent): boolean {
  return e.resourceType === "AWS::CloudFormation::Stack" && e.logicalResourceId === e.stackName;
}

/** moto reports a missing token as the string "null" (or leaves it out). */
function tokenOf(e: StackEvent): string | undefined {
  const token = e.clientRequestToken;
  return token && token !== "null" ? token : undefined;
}

function latest(events: StackEvent[], compare: (a: StackEvent, b: StackEvent) => number): StackEvent | undefined {
  return events.reduce<StackEvent | undefined>((best, e) => (best === undefined || compare(e, best) > 0 ? e : best), undefined);
}

/** The first failed resource event (cancellations only if nothing else failed), by time then id. */
function firstFailure(events: StackEvent[]): StackEvent | undefined {
  const failures = events.filter((e) => !isStackLevelEvent(e) && e.resourceStatus.endsWith("_FAILED"));
  failures.sort((a, b) => compareTime(a, b) || compareIds(a, b));
  return failures.find((e) => !CANCELLED.test(e.resourceStatusReason ?? "")) ?? failures[0];
}

/**
 * Which of a stack's stored events can no longer change its state, oldest first: every event
 * from before its latest operation started (deriveStackState only looks at the latest stack-level
 * event and at the current operation's events), except the `keepRecent` newest of them, kept so
 * that a late duplicate of a just-finished operation is still recognised by its EventId. A late
 * event of an older operation that comes back after being forgotten cannot change the state
 * either: it is older than the current operation on every count.
 */
export function forgettableEvents(events: readonly StackEvent[], keepRecent: number): StackEvent[] {
  const start = latest(events.filter((e) => isStackLevelEvent(e) && OPERATION_STARTS.has(e.resourceStatus)), compareStackEvents);
  if (start === undefined) return [];
  const older = events.filter((e) => compareTime(e, start) < 0).sort(compareStackEvents);
  return older.slice(0, Math.max(0, older.length - keepRecent));
}

/**
 * The state of one stack as a pure function of the SET of its events: duplicates, shuffles and
 * events that arrive before the API call returned all give the same answer. null when no
 * stack-level event is known yet.
 */
/** Each resource's physical id as the stack's events last reported it (by logical id); the stack itself left out. */
export function physicalIdsOf(events: readonly StackEvent[]): Record<string, string> {
  const ids: Record<string, string> = {};
  for (const event of [...events].sort(compareStackEvents)) {
    if (!isStackLevelEvent(event) && event.physicalResourceId) ids[event.logicalResourceId] = event.physicalResourceId;
  }
  return ids;
}

export function deriveStackState(events: readonly StackEvent[]): StackState | null {
  const stackEvents = events.filter(isStackLevelEvent);
  const current = latest(stackEvents, compareStackEvents);
  if (current === undefined) return null;
  const stackStatus = current.resourceStatus;
  const status = resourceStatusOf(stackStatus);
  const operationToken = tokenOf(current);
  const state: StackState = { stackStatus, status, terminal: isTerminalStackStatus(stackStatus), at: current.timestamp };
  if (operationToken !== undefined) state.operationToken = operationToken;

  // A reason only for failures, and already while rolling back (the cause is known by then).
  if (status !== "failed" && !stackStatus.includes("ROLLBACK")) return state;

  const start = latest(stackEvents.filter((e) => OPERATION_STARTS.has(e.resourceStatus)), compareStackEvents);
  // An event belongs to the current operation by its token when both carry one, else by time.
  const operation = events.filter((e) => {
    const token = tokenOf(e);
    if (token !== undefined && operationToken !== undefined) return token === operationToken;
    return start === undefined || compareTime(e, start) >= 0;
  });
  const rollbackStart = latest(
    operation.filter((e) => isStackLevelEvent(e) && ROLLBACK_STARTS.has(e.resourceStatus)),
    compareStackEvents,
  );
  const cause = firstFailure(operation)?.resourceStatusReason ?? rollbackStart?.resourceStatusReason ?? current.resourceStatusReason;
  const rollbackCause = rollbackStart
    ? firstFailure(operation.filter((e) => compareTime(e, rollbackStart) > 0))?.resourceStatusReason
    : undefined;
  const kind: ResourceKind | undefined = parseStackName(current.stackName)?.kind;
  state.reason = explainFailure({ stackStatus, kind, cause, rollbackCause });
  return state;
}

interface FailureFacts {
  stackStatus: string;
  kind?: ResourceKind;
  /** CloudFormation's reason of the operation's first failed resource event (the root cause). */
  cause?: string;
  /** The first failure while rolling back (ROLLBACK_FAILED, UPDATE_ROLLBACK_FAILED). */
  rollbackCause?: string;
}

/** Friendlier words for failures a manager can act on; null: CloudFormation's text is the best we have. */
function friendlyCause(raw: string, kind: ResourceKind | undefined): string | null {
  if (/BucketAlreadyOwnedByYou/i.test(raw)) return "A bucket with this name already exists in the project's AWS account";
  if (/BucketAlreadyExists|bucket name is not available/i.test(raw) || (kind === "bucket" && /already exists/i.test(raw))) {
    return "That bucket name is taken in S3 worldwide (bucket names are shared by all AWS accounts); choose another name";
  }
  if (/BucketNotEmpty|is not empty/i.test(raw)) {
    return "The bucket still contains objects (including old versions). Empty it first";
  }
  if (/InvalidBucketName|bucket name is not valid|specified bucket is not valid/i.test(raw)) return "S3 refused the bucket name as invalid";
  if (/Throttling|reduce your request rate|Rate exceeded/i.test(raw)) return "AWS throttled the requests (too many at once)";
  if (/AccessDenied|Access Denied|not authorized/i.test(raw)) {
    return "AWS denied the request: the role Stackroom uses lacks a permission, or a KMS key policy or an organization policy refuses it";
  }
  return null;
}

interface Described {
  /** What a manager reads. */
  text: string;
  /** CloudFormation's own text, when it says more than `text`. */
  raw?: string;
}

function describe(raw: string | undefined, kind: ResourceKind | undefined): Described {
  if (!raw) return { text: "CloudFormation gave no reason" };
  const trimmed = raw.trim();
  // Registry resource types wrap the service's message; the inner text is what a person reads.
  const inner = /^Resource handler returned message: "(.*)" \(RequestToken: [^)]*\)$/s.exec(trimmed)?.[1];
  const text = (friendlyCause(trimmed, kind) ?? inner ?? trimmed).replace(/\.$/, "");
  return text === trimmed.replace(/\.$/, "") ? { text } : { text, raw: trimmed };
}

/**
 * Turns a failed (or rolling back) stack status and its root cause into words a manager
 * understands; CloudFormation's own text follows at the end.
 */
export function explainFailure(facts: FailureFacts): string {
  const { stackStatus, kind } = facts;
  const noun = (kind && kindFacts(kind)?.definite) ?? "the resource";
  const cause = describe(facts.cause, kind);
  const rollback = facts.rollbackCause ? describe(facts.rollbackCause, kind) : undefined;
  const rollbackText = rollback ? `: ${rollback.text}` : "";
  const consequence: Record<string, string> = {
    ROLLBACK_IN_PROGRESS: "CloudFormation is rolling back.",
    ROLLBACK_COMPLETE: `CloudFormation rolled back, so ${noun} was never made: remove it, then create it again.`,
    ROLLBACK_FAILED: `Rolling back failed too${rollbackText}. Remove it, then create it again.`,
    CREATE_FAILED: "Remove it, then create it again.",
    UPDATE_ROLLBACK_IN_PROGRESS: "CloudFormation is restoring the previous settings.",
    UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: "CloudFormation is restoring the previous settings.",
    UPDATE_ROLLBACK_COMPLETE: `${capitalize(noun)} keeps its previous settings.`,
    UPDATE_ROLLBACK_FAILED:
      `Restoring the previous settings failed too${rollbackText}. ${capitalize(noun)} cannot be changed ` +
      "until the rollback is continued: Continue rollback asks CloudFormation to finish it.",
    UPDATE_FAILED: `Rollback was disabled, so ${noun} may be partly updated.`,
    IMPORT_ROLLBACK_COMPLETE: "CloudFormation rolled the import back.",
    IMPORT_ROLLBACK_FAILED: `Rolling back the import failed too${rollbackText}.`,
  };
  const headline = stackStatus.startsWith("UPDATE_")
    ? "The update failed"
    : stackStatus.startsWith("DELETE_")
      ? `Deleting ${noun} failed`
      : stackStatus.startsWith("IMPORT_")
        ? `Importing ${noun} failed`
        : `Creating ${noun} failed`;
  const tail = consequence[stackStatus];
  const said = [cause.raw, rollback?.raw && `while rolling back: ${rollback.raw}`].filter(Boolean).join("; ");
  return [`${headline}: ${cause.text}.`, tail, said && `CloudFormation said: ${said}`].filter(Boolean).join(" ");
}

