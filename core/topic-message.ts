import type { ObjectEvent } from "./contract/object-event";
import type { StackEvent } from "./contract/stack-event";
import { CfnMessageError, parseCloudFormationMessage } from "./cfn-message";
import { parseS3Message, S3MessageError } from "./s3-event-message";

/**
 * What one message on a project's events topic is: CloudFormation's stack event (`Key='value'`
 * lines), S3's object events (JSON `Records`), S3's test event (sent when a bucket's notifications
 * are set up: nothing to apply), or neither. The bridge (aws-bridge/handler.ts) and the DLQ
 * replay (worker/routes/ops/run.ts) read the topic's messages through this one function.
 */
export type TopicMessage =
  | { kind: "stack"; event: StackEvent }
  | { kind: "objects"; events: ObjectEvent[]; skipped: number }
  | { kind: "test" }
  | { kind: "unreadable"; reason: string };

/** `messageId` is SNS's (names an S3 event that has no request id); `topicArn` gives S3's account. */
export function readTopicMessage(text: string, messageId: string, topicArn: string): TopicMessage {
  try {
    if (text.trimStart().startsWith("{")) {
      const s3 = parseS3Message(text, messageId, topicArn);
      return s3.kind === "test" ? s3 : { kind: "objects", events: s3.events, skipped: s3.skipped };
    }
    return { kind: "stack", event: parseCloudFormationMessage(text) };
  } catch (error) {
    if (error instanceof S3MessageError || error instanceof CfnMessageError) return { kind: "unreadable", reason: error.message };
    throw error;
  }
}
