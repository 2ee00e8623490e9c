import { StackEvent } from "./contract/stack-event";

/**
 * CloudFormation's SNS notification body: one `Key='value'` per line. Values are not escaped, so
 * they can hold quotes, `=` and newlines (ResourceProperties JSON, failure reasons). A new key
 * therefore starts only where a known key follows the previous value's closing quote and a
 * newline; anything else belongs to the current value. Key order differs between the old and the
 * current format, so nothing depends on it.
 */

export class CfnMessageError extends Error {
  override name = "CfnMessageError";
}

/** Keys CloudFormation is known to send, mapped to the StackEvent field they fill (null: dropped). */
const KNOWN_KEYS = {
  StackId: "stackId",
  StackName: "stackName",
  EventId: "eventId",
  LogicalResourceId: "logicalResourceId",
  PhysicalResourceId: "physicalResourceId",
  ResourceType: "resourceType",
  ResourceStatus: "resourceStatus",
  ResourceStatusReason: "resourceStatusReason",
  Timestamp: "timestamp",
  ClientRequestToken: "clientRequestToken",
  Namespace: "namespace",
  PrincipalId: null,
  ResourceProperties: null,
  DetailedStatus: null,
  HookType: null,
  HookStatus: null,
  HookStatusReason: null,
  HookInvocationPoint: null,
  HookFailureMode: null,
} as const satisfies Record<string, keyof StackEvent | null>;

type KnownKey = keyof typeof KNOWN_KEYS;
const KEY_NAMES = Object.keys(KNOWN_KEYS).join("|");
/** A key at the very start, or right after the previous value's closing quote and newline. */
const KEY_START = new RegExp(`(?<=^|'\\n)(${KEY_NAMES})='`, "g");
const REQUIRED: readonly KnownKey[] = ["StackId", "StackName", "EventId", "LogicalResourceId", "ResourceType", "ResourceStatus", "Timestamp"];
/** CloudFormation (and moto) write these for "no value". */
const ABSENT = new Set(["", "None", "null"]);
const REASON_MAX = 4096;
const STACK_ARN_ACCOUNT = /^arn:aws[a-z-]*:cloudformation:[a-z0-9-]+:(\d{12}):stack\//;

function isKnownKey(key: string): key is KnownKey {
  return Object.hasOwn(KNOWN_KEYS, key);
}

/** Splits the message into its known keys' raw values; throws on anything else. */
function splitFields(text: string): Map<KnownKey, string> {
  const body = text.replace(/\r\n/g, "\n").replace(/\n$/, "");
  const starts = [...body.matchAll(KEY_START)];
  const first = starts[0];
  if (!first || first.index !== 0) {
    throw new CfnMessageError("Not a CloudFormation notification: it does not start with a Key='value' line.");
  }
  const fields = new Map<KnownKey, string>();
  starts.forEach((match, i) => {
    const key = match[1] ?? "";
    if (!isKnownKey(key)) return;
    const valueStart = match.index + key.length + 2;
    const next = starts[i + 1];
    // A following key was only recognised after `'\n`, so the value ends 2 characters before it.
    let value: string;
    if (next) value = body.slice(valueStart, next.index - 2);
    else if (body.endsWith("'") && body.length > valueStart) value = body.slice(valueStart, -1);
    else throw new CfnMessageError(`The value of ${key} is not closed with a quote.`);
    if (fields.has(key)) throw new CfnMessageError(`The key ${key} appears twice.`);
    fields.set(key, value);
  });
  return fields;
}

/** Turns a CloudFormation SNS message into a schema-valid StackEvent or throws CfnMessageError. */
export function parseCloudFormationMessage(text: string): StackEvent {
  const fields = splitFields(text);
  const present = (key: KnownKey): string | undefined => {
    const value = fields.get(key);
    return value === undefined || ABSENT.has(value) ? undefined : value;
  };
  const missing = REQUIRED.filter((key) => present(key) === undefined);
  if (missing.length > 0) throw new CfnMessageError(`The notification has no ${missing.join(", ")}.`);

  const candidate: Record<string, string> = {};
  for (const [key, field] of Object.entries(KNOWN_KEYS)) {
    const value = isKnownKey(key) && field ? present(key) : undefined;
    if (field && value !== undefined) candidate[field] = value;
  }
  // The 2014 format has no Namespace; the stack ARN carries the same account id.
  candidate.namespace ??= STACK_ARN_ACCOUNT.exec(candidate.stackId ?? "")?.[1] ?? "";
  const reason = candidate.resourceStatusReason;
  if (reason !== undefined && reason.length > REASON_MAX) {
    candidate.resourceStatusReason = `${reason.slice(0, REASON_MAX - 1)}…`;
  }

  const result = StackEvent.safeParse(candidate);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".") || "event"}: ${i.message}`);
    throw new CfnMessageError(`The notification is not a valid stack event (${problems.join("; ")}).`);
  }
  return result.data;
}
