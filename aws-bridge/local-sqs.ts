import * as z from "zod";
import type { Credentials } from "../core/aws";
import { queryAction, type QueryParams, type QueryService } from "../core/aws/query";
import { createSend, serviceUrl } from "../core/aws/transport";

/**
 * SQS in moto over the Query API, for the local stand-ins only: the bootstrap creates the bridge's
 * DLQ, the local adapter puts given-up events in it, tests read it. Not the Worker's SQS client,
 * and not scanned by the permission tests (it never talks to AWS).
 */

interface LocalSqsOptions {
  motoEndpoint: string;
  region: string;
  /** Credentials acting in the queue's account (moto picks the account from the access key). */
  credentials: Credentials;
}

/** A message attribute as SQS types it. */
export interface MessageAttribute {
  type: "String" | "Number";
  value: string;
}

interface ReceivedMessage {
  messageId: string;
  body: string;
  attributes: Record<string, MessageAttribute>;
}

const SQS_API_VERSION = "2012-11-05";

/** SQS's lists are flat (repeated elements), so one item parses as an object and several as an array. */
const flatList = <T extends z.ZodType>(item: T) =>
  z
    .union([z.array(item), item.transform((one) => [one])])
    .optional()
    .transform((list): z.output<T>[] => list ?? []);

const CreateQueueResult = z.object({ CreateQueueResponse: z.object({ CreateQueueResult: z.object({ QueueUrl: z.string().min(1) }) }) });
const GetQueueUrlResult = z.object({ GetQueueUrlResponse: z.object({ GetQueueUrlResult: z.object({ QueueUrl: z.string().min(1) }) }) });
const SendMessageResult = z.object({ SendMessageResponse: z.object({ SendMessageResult: z.object({ MessageId: z.string() }) }) });
const GetQueueAttributesResult = z.object({
  GetQueueAttributesResponse: z.object({ GetQueueAttributesResult: z.object({ Attribute: flatList(z.object({ Name: z.string(), Value: z.string() })) }) }),
});
const ReceiveMessageResult = z.object({
  ReceiveMessageResponse: z.object({
    ReceiveMessageResult: z
      .union([
        z.object({
          Message: flatList(
            z.object({
              MessageId: z.string(),
              Body: z.string(),
              MessageAttribute: flatList(z.object({ Name: z.string(), Value: z.object({ DataType: z.enum(["String", "Number"]), StringValue: z.string() }) })),
            }),
          ),
        }),
        z.string().regex(/^\s*$/).transform(() => ({ Message: [] })),
      ])
      .optional(),
  }),
});

export function localSqs(o: LocalSqsOptions) {
  const service: QueryService = {
    url: serviceUrl("sqs", o.region, o.motoEndpoint),
    version: SQS_API_VERSION,
    send: createSend("sqs", { region: o.region, credentials: o.credentials, endpoint: o.motoEndpoint }),
  };
  const numbered = (prefix: string, entries: [string, string][]): QueryParams =>
    Object.fromEntries(entries.flatMap(([name, value], i) => [[`${prefix}.${i + 1}.Name`, name], [`${prefix}.${i + 1}.Value`, value]]));

  return {
    /** CreateQueue; an existing queue with the same attributes answers its URL again. */
    async createQueue(name: string, attributes: Record<string, string> = {}): Promise<string> {
      const params = { QueueName: name, ...numbered("Attribute", Object.entries(attributes)) };
      return (await queryAction(service, "CreateQueue", params, CreateQueueResult)).CreateQueueResponse.CreateQueueResult.QueueUrl;
    },

    async queueUrl(name: string): Promise<string> {
      return (await queryAction(service, "GetQueueUrl", { QueueName: name }, GetQueueUrlResult)).GetQueueUrlResponse.GetQueueUrlResult.QueueUrl;
    },

    async sendMessage(queueUrl: string, body: string, attributes: Record<string, MessageAttribute> = {}): Promise<string> {
      const params: QueryParams = { QueueUrl: queueUrl, MessageBody: body };
      Object.entries(attributes).forEach(([name, { type, value }], i) => {
        params[`MessageAttribute.${i + 1}.Name`] = name;
        params[`MessageAttribute.${i + 1}.Value.DataType`] = type;
        params[`MessageAttribute.${i + 1}.Value.StringValue`] = value;
      });
      return (await queryAction(service, "SendMessage", params, SendMessageResult)).SendMessageResponse.SendMessageResult.MessageId;
    },

    async queueAttributes(queueUrl: string): Promise<Record<string, string>> {
      const answer = await queryAction(service, "GetQueueAttributes", { QueueUrl: queueUrl, "AttributeName.1": "All" }, GetQueueAttributesResult);
      return Object.fromEntries(answer.GetQueueAttributesResponse.GetQueueAttributesResult.Attribute.map((a) => [a.Name, a.Value]));
    },

    /** Up to 10 messages with all their attributes (they become invisible for the queue's visibility timeout). */
    async receiveMessages(queueUrl: string): Promise<ReceivedMessage[]> {
      const answer = await queryAction(service, "ReceiveMessage", { QueueUrl: queueUrl, MaxNumberOfMessages: 10, "MessageAttributeName.1": "All" }, ReceiveMessageResult);
      return (answer.ReceiveMessageResponse.ReceiveMessageResult?.Message ?? []).map((m) => ({
        messageId: m.MessageId,
        body: m.Body,
        attributes: Object.fromEntries(m.MessageAttribute.map((a) => [a.Name, { type: a.Value.DataType, value: a.Value.StringValue }])),
      }));
    },
  };
}
