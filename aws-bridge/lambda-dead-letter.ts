import type { MessageAttribute } from "./local-sqs";
import type { SnsHttpMessage } from "./sns-signature";

/**
 * What AWS puts in the bridge's DLQ when an invocation is given up (template DeadLetterConfig), so
 * the local adapter can put the same there: the invocation's event unchanged as the body, and the
 * attributes RequestID (String), ErrorCode (Number, an HTTP status) and ErrorMessage (String, at
 * most 1 KB), per the Lambda developer guide's "Dead-letter queues". A replay reads these messages
 * exactly as it will read AWS's (and the handler's own SnsLambdaEvent schema reads the body).
 */

type Notification = Extract<SnsHttpMessage, { Type: "Notification" }>;

/** The event Lambda hands the bridge for one SNS notification (SNS's Lambda event, which spells SigningCertUrl and UnsubscribeUrl so). */
export function lambdaSnsEvent(message: Notification) {
  const unsubscribe = message.UnsubscribeURL && URL.canParse(message.UnsubscribeURL) ? new URL(message.UnsubscribeURL) : null;
  return {
    Records: [
      {
        EventSource: "aws:sns" as const,
        EventVersion: "1.0",
        EventSubscriptionArn: unsubscribe?.searchParams.get("SubscriptionArn") ?? message.TopicArn,
        Sns: {
          Type: message.Type,
          MessageId: message.MessageId,
          TopicArn: message.TopicArn,
          Subject: message.Subject ?? null,
          Message: message.Message,
          Timestamp: message.Timestamp,
          SignatureVersion: message.SignatureVersion,
          Signature: message.Signature,
          SigningCertUrl: message.SigningCertURL,
          UnsubscribeUrl: message.UnsubscribeURL ?? "",
          MessageAttributes: {},
        },
      },
    ],
  };
}

export const ERROR_MESSAGE_MAX_BYTES = 1024;

/** The first `max` bytes of `text` in UTF-8, never splitting a character. */
function firstBytes(text: string, max: number): string {
  const encoder = new TextEncoder();
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    bytes += encoder.encode(char).length;
    if (bytes > max) break;
    end += char.length;
  }
  return text.slice(0, end);
}

/** The DLQ message of an invocation of `event` that failed with `error`. */
export function lambdaDeadLetter(event: unknown, error: unknown, requestId: string): { body: string; attributes: Record<string, MessageAttribute> } {
  const message = (error instanceof Error ? error.message || error.name : String(error)) || "Unknown error";
  return {
    body: JSON.stringify(event),
    attributes: {
      RequestID: { type: "String", value: requestId },
      // The function ran and threw: Invoke answered 200 with X-Amz-Function-Error, and that status
      // is the code recorded (429 or 5xx would mean Lambda itself could not run it).
      ErrorCode: { type: "Number", value: "200" },
      ErrorMessage: { type: "String", value: firstBytes(message, ERROR_MESSAGE_MAX_BYTES) },
    },
  };
}
