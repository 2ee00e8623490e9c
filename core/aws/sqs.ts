import * as z from "zod";
import { queryAction, type QueryService } from "./query";
import { createSend, serviceUrl, type ServiceOptions } from "./transport";

/**
 * The bridge's dead-letter queue, read through the project's manager role for a replay: the four
 * calls that role may make on that one queue (aws-bridge/template.yaml ReplayBridgeDeadLetterQueue;
 * the permission tests read the action names below). SQS Query API 2012-11-05.
 */
interface DeadLetterQueue {
  /** Up to 10 messages, hidden from other readers for `visibilitySeconds`. */
  receive(visibilitySeconds: number): Promise<DeadLetter[]>;
  /** Removes a message after its events were applied. */
  remove(receiptHandle: string): Promise<void>;
  /** Makes a message visible again at once (it could not be applied now). */
  release(receiptHandle: string): Promise<void>;
  /** How many messages wait (ApproximateNumberOfMessages). */
  depth(): Promise<number>;
}

interface DeadLetter {
  messageId: string;
  receiptHandle: string;
  body: string;
  /** What Lambda put beside it (RequestID, ErrorCode, ErrorMessage), when it did. */
  attributes: Record<string, string>;
}

const SQS_API_VERSION = "2012-11-05";

/** SQS's lists are flat (repeated elements): one item parses as an object, several as an array. */
const flatList = <T extends z.ZodType>(item: T) =>
  z
    .union([z.array(item), item.transform((one) => [one])])
    .optional()
    .transform((list): z.output<T>[] => list ?? []);

const ReceiveMessageResponse = z.object({
  ReceiveMessageResponse: z.object({
    ReceiveMessageResult: z
      .union([
        z.object({
          Message: flatList(
            z.object({
              MessageId: z.string(),
              ReceiptHandle: z.string(),
              Body: z.string(),
              MessageAttribute: flatList(z.object({ Name: z.string(), Value: z.object({ StringValue: z.coerce.string().optional() }) })),
            }),
          ),
        }),
        // An empty queue answers an empty element.
        z.string().regex(/^\s*$/).transform(() => ({ Message: [] })),
      ])
      .optional(),
  }),
});

const GetQueueAttributesResponse = z.object({
  GetQueueAttributesResponse: z.object({ GetQueueAttributesResult: z.object({ Attribute: flatList(z.object({ Name: z.string(), Value: z.coerce.string() })) }) }),
});

const Empty = z.unknown();

/** The bridge's DLQ of one project account: its URL is the template's fixed name in that account. */
export function deadLetterQueueUrl(options: { region: string; accountId: string; projectId: string; endpoint?: string }): string {
  return `${serviceUrl("sqs", options.region, options.endpoint)}/${options.accountId}/stackroom-${options.projectId}-bridge-dlq`;
}

export function deadLetterQueue(options: ServiceOptions & { queueUrl: string }): DeadLetterQueue {
  const service: QueryService = { url: serviceUrl("sqs", options.region, options.endpoint), version: SQS_API_VERSION, send: createSend("sqs", options) };
  const QueueUrl = options.queueUrl;
  return {
    async receive(visibilitySeconds) {
      const answer = await queryAction(
        service,
        "ReceiveMessage",
        { QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: visibilitySeconds, WaitTimeSeconds: 0, "MessageAttributeName.1": "All" },
        ReceiveMessageResponse,
      );
      return (answer.ReceiveMessageResponse.ReceiveMessageResult?.Message ?? []).map((m) => ({
        messageId: m.MessageId,
        receiptHandle: m.ReceiptHandle,
        body: m.Body,
        attributes: Object.fromEntries(m.MessageAttribute.map((a) => [a.Name, a.Value.StringValue ?? ""])),
      }));
    },
    async remove(receiptHandle) {
      await queryAction(service, "DeleteMessage", { QueueUrl, ReceiptHandle: receiptHandle }, Empty);
    },
    async release(receiptHandle) {
      await queryAction(service, "ChangeMessageVisibility", { QueueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: 0 }, Empty);
    },
    async depth() {
      const answer = await queryAction(service, "GetQueueAttributes", { QueueUrl, "AttributeName.1": "ApproximateNumberOfMessages" }, GetQueueAttributesResponse);
      const found = answer.GetQueueAttributesResponse.GetQueueAttributesResult.Attribute.find((a) => a.Name === "ApproximateNumberOfMessages");
      return Number(found?.Value ?? 0);
    },
  };
}
