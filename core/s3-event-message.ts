import * as z from "zod";
import { ObjectEvent } from "./contract/object-event";

/**
 * S3's event notification as SNS delivers it (the message body is JSON): `Records[]` of object
 * events, or the one-off `s3:TestEvent` S3 sends when a bucket's notification configuration is
 * put. Turned into the ObjectEvents the Worker takes at `POST /webhooks/objects/:project`.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 */

export class S3MessageError extends Error {
  override name = "S3MessageError";
}

const S3Record = z.object({
  eventSource: z.literal("aws:s3"),
  eventTime: z.string(),
  eventName: z.string(),
  userIdentity: z.object({ principalId: z.string() }).optional(),
  requestParameters: z.object({ sourceIPAddress: z.string() }).partial().optional(),
  responseElements: z.object({ "x-amz-request-id": z.string() }).partial().optional(),
  s3: z.object({
    bucket: z.object({ name: z.string() }),
    object: z.object({ key: z.string(), size: z.number().int().nonnegative().optional(), versionId: z.string().optional(), sequencer: z.string().optional() }),
  }),
});
const S3Message = z.object({ Records: z.array(z.unknown()).min(1) });
const TestEvent = z.object({ Event: z.literal("s3:TestEvent") });

/** What one SNS message of S3 holds: object events, or S3's test event (nothing to forward). */
export type S3Message = { kind: "objects"; events: ObjectEvent[]; skipped: number } | { kind: "test" };

const TOPIC_ACCOUNT = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:(\d{12}):/;

/**
 * S3 writes the key URL-encoded the way HTML forms are (`+` for a space, `%2B` for a plus; moto
 * also encodes `/`). A key that does not decode is kept as S3 sent it rather than dropped.
 */
function decodeKey(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, " "));
  } catch {
    return key;
  }
}

/** S3's eventTime is ISO 8601 UTC (`…T19:37:27.192Z`); moto's has microseconds and no zone. */
function normaliseTime(time: string): string | null {
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(time) ? time : `${time}Z`;
  const ms = Date.parse(zoned);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** created | removed, or null for the events Stackroom does not follow (restore, replication, tagging…). */
function eventOf(eventName: string): "created" | "removed" | null {
  if (eventName.startsWith("ObjectCreated:")) return "created";
  if (eventName.startsWith("ObjectRemoved:")) return "removed";
  return null;
}

/**
 * Parses the body of one SNS message from S3. `messageId` (SNS's) names an event when S3 gave
 * no request id (moto), so a redelivered message dedupes; `topicArn` gives the account, which S3's
 * record does not carry. Records of other event types, or that do not parse, are skipped and
 * counted. Throws S3MessageError when the message is no S3 notification at all.
 */
export function parseS3Message(text: string, messageId: string, topicArn: string): S3Message {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new S3MessageError("Not an S3 notification: the message is not JSON.");
  }
  if (TestEvent.safeParse(json).success) return { kind: "test" };
  const message = S3Message.safeParse(json);
  if (!message.success) throw new S3MessageError("Not an S3 notification: it has no Records.");
  const account = TOPIC_ACCOUNT.exec(topicArn)?.[1];
  if (!account) throw new S3MessageError(`The topic ${topicArn} is not an SNS topic ARN.`);
  const events: ObjectEvent[] = [];
  let skipped = 0;
  message.data.Records.forEach((raw, index) => {
    const record = S3Record.safeParse(raw);
    const event = record.success ? eventOf(record.data.eventName) : null;
    const at = record.success ? normaliseTime(record.data.eventTime) : null;
    if (!record.success || event === null || at === null) {
      skipped++;
      return;
    }
    const r = record.data;
    const requestId = r.responseElements?.["x-amz-request-id"];
    const key = decodeKey(r.s3.object.key);
    const candidate = ObjectEvent.safeParse({
      eventId: requestId ? `${requestId}:${r.s3.object.sequencer ?? ""}:${r.eventName}:${key}` : `${messageId}:${index}`,
      bucket: r.s3.bucket.name,
      key,
      event,
      ...(event === "created" && r.s3.object.size !== undefined ? { size: r.s3.object.size } : {}),
      principalId: r.userIdentity?.principalId ?? "",
      ...(r.requestParameters?.sourceIPAddress ? { sourceIp: r.requestParameters.sourceIPAddress } : {}),
      at,
      ...(r.s3.object.sequencer ? { sequencer: r.s3.object.sequencer } : {}),
      account,
    });
    if (candidate.success) events.push(candidate.data);
    else skipped++;
  });
  if (events.length === 0 && skipped === message.data.Records.length && !message.data.Records.some((r) => S3Record.safeParse(r).success)) {
    throw new S3MessageError("Not an S3 notification: none of its Records is an S3 event record.");
  }
  return { kind: "objects", events, skipped };
}
