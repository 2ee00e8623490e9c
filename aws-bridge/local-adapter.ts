import { parseCloudFormationMessage } from "../core/cfn-message";
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { AwsClient } from "aws4fetch";
import { WebhookDeliveryError, type DeliveryOptions } from "./deliver-events";
import { forwardSnsMessages, NoStackEventsError } from "./handler";
import type { ProjectScope } from "../core/event-scope";
import { lambdaDeadLetter, lambdaSnsEvent } from "./lambda-dead-letter";
import { assumeProjectAccount } from "./local-bootstrap";
import { localSqs } from "./local-sqs";
import { deadLetterQueueName } from "./project-roles";
import { createSnsVerifier, SnsHttpMessage } from "./sns-signature";

/**
 * The local stand-in for the bridge Lambda: moto delivers SNS to an HTTP endpoint instead of a
 * Lambda, so this server receives those POSTs, verifies their SNS signature and then runs the
 * same path as the Lambda (parse -> signed POST to the Worker).
 *
 * moto delivers synchronously inside the API call that caused the event (CreateStack waits for
 * our answer, with no timeout of its own), so retries here are few and short.
 *
 * A delivery that fails for good (the Worker refused it, or could not be reached after the
 * retries, or the message was no stack event) goes where the Lambda's would: the project's DLQ,
 * `stackroom-<project>-bridge-dlq` in moto (local-bootstrap.ts creates it), as the message AWS
 * writes (lambda-dead-letter.ts). In AWS, Lambda retries the invocation twice first, 1 and 2
 * minutes apart; here the delivery's own quick retries stand in for those.
 */

type Log = (message: string, detail?: Record<string, unknown>) => void;

interface LocalAdapterOptions {
  port: number;
  host?: string;
  /** The project's webhook, `.../webhooks/cloudformation/<project>` (projectWebhookUrl). */
  webhookUrl: string;
  secrets: string[];
  /**
   * Forward only stack events of this project and account, as the Lambda does, and put what fails
   * for good in that project's DLQ. Absent: forward all, and a failure is only logged.
   */
  scope?: ProjectScope;
  motoEndpoint: string;
  region: string;
  log?: Log;
  /** Overrides of the short local retry policy. */
  delivery?: Partial<DeliveryOptions>;
  /**
   * moto finishes stack operations at once; holding back each operation's final event for this
   * many seconds makes locks and queues visible locally (STACK_HOLD_SECONDS in `npm run dev`).
   */
  holdCompletionSeconds?: number;
}

export interface LocalAdapter {
  url: string;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 512 * 1024;
const consoleLog: Log = (message, detail) => console.error(`[local-adapter] ${message}`, detail ?? "");

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** GETs a SubscribeURL, but only on SNS in `region` or moto itself, and always at moto's origin. */
export async function confirmSubscription(subscribeUrl: string, options: { motoEndpoint: string; region: string; fetch?: typeof fetch }): Promise<void> {
  const url = new URL(subscribeUrl);
  const moto = new URL(options.motoEndpoint);
  const onSns = url.protocol === "https:" && url.hostname === `sns.${options.region}.amazonaws.com`;
  if (!onSns && url.origin !== moto.origin) throw new Error(`SubscribeURL ${url.origin} is neither SNS nor moto.`);
  if (url.searchParams.get("Action") !== "ConfirmSubscription") throw new Error("SubscribeURL is not a ConfirmSubscription call.");
  const signer = new AwsClient({ accessKeyId: "test", secretAccessKey: "test", service: "sns", region: options.region, retries: 0 });
  const request = await signer.sign(`${moto.origin}${url.pathname}${url.search}`, { method: "GET", signal: AbortSignal.timeout(3_000) });
  const response = await (options.fetch ?? fetch)(request);
  if (!response.ok) throw new Error(`ConfirmSubscription answered HTTP ${response.status}`);
}

export async function startLocalAdapter(options: LocalAdapterOptions): Promise<LocalAdapter> {
  const log = options.log ?? consoleLog;
  const verify = createSnsVerifier({ mode: "local", motoEndpoint: options.motoEndpoint, region: options.region });
  const delivery: DeliveryOptions = {
    url: options.webhookUrl,
    secrets: options.secrets,
    attempts: 3,
    baseDelayMs: 100,
    maxDelayMs: 1_000,
    timeoutMs: 2_000,
    log,
    ...options.delivery,
  };

  const holdMs = Math.max(0, (options.holdCompletionSeconds ?? 0) * 1000);
  const held = new Set<ReturnType<typeof setTimeout>>();

  /** Puts a given-up notification in the project's DLQ as Lambda would; a failure to is logged loudly, never thrown. */
  async function deadLetter(message: Extract<SnsHttpMessage, { Type: "Notification" }>, error: unknown): Promise<void> {
    const reason = error instanceof Error ? error.message : String(error);
    if (!options.scope) return log("delivery failed for good; no project scope, so no DLQ", { messageId: message.MessageId, error: reason });
    const queue = deadLetterQueueName(options.scope.projectId);
    const requestId = randomUUID();
    try {
      const credentials = await assumeProjectAccount({ motoEndpoint: options.motoEndpoint, accountId: options.scope.accountId, region: options.region });
      const sqs = localSqs({ motoEndpoint: options.motoEndpoint, region: options.region, credentials });
      const letter = lambdaDeadLetter(lambdaSnsEvent(message), error, requestId);
      const dlqMessageId = await sqs.sendMessage(await sqs.queueUrl(queue), letter.body, letter.attributes);
      log("delivery failed for good; the event is in the DLQ", { messageId: message.MessageId, queue, requestId, dlqMessageId, error: reason });
    } catch (dlqError) {
      log("delivery failed for good and the event could not be put in the DLQ: it is lost", {
        messageId: message.MessageId,
        queue,
        error: reason,
        dlqError: dlqError instanceof Error ? dlqError.message : String(dlqError),
      });
    }
  }

  async function handle(req: IncomingMessage): Promise<[number, string]> {
    if (req.method !== "POST") return [405, "POST SNS deliveries here."];
    const body = await readBody(req);
    if (body === null) return [413, "Body too large."];
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return [400, "Body is not JSON."];
    }
    const parsed = SnsHttpMessage.safeParse(json);
    if (!parsed.success) return [400, "Body is not an SNS message."];
    const message = parsed.data;
    // AWS sends this header; moto 5.2.1 does not, so it is checked only when present.
    const typeHeader = req.headers["x-amz-sns-message-type"];
    if (typeHeader !== undefined && typeHeader !== message.Type) return [400, "x-amz-sns-message-type does not match the body."];
    const check = await verify(message);
    if (!check.ok) {
      log("refused an SNS delivery with a bad signature", { messageId: message.MessageId, topicArn: message.TopicArn, reason: check.reason });
      return [403, check.reason];
    }
    if (message.Type !== "Notification") {
      if (message.Type === "SubscriptionConfirmation") {
        await confirmSubscription(message.SubscribeURL, options);
        log("confirmed the SNS subscription", { topicArn: message.TopicArn });
        return [200, "Confirmed."];
      }
      log("the SNS subscription was removed", { topicArn: message.TopicArn });
      return [200, "Noted."];
    }
    // What the Lambda does with this notification; when it throws, what AWS does with the invocation.
    const forward = () =>
      forwardSnsMessages([{ id: message.MessageId, text: message.Message, topicArn: message.TopicArn }], delivery, log, options.scope).catch(async (error: unknown) => {
        await deadLetter(message, error);
        throw error;
      });
    if (holdMs > 0 && isCompletion(message.Message)) {
      const timer = setTimeout(() => {
        held.delete(timer);
        forward().catch((error: unknown) => log("held delivery failed", { error: error instanceof Error ? error.message : String(error) }));
      }, holdMs);
      held.add(timer);
      return [200, `Holding the completion event for ${holdMs / 1000} s.`];
    }
    const result = await forward();
    return [200, `Delivered ${result.delivered} event(s).`];
  }

  function answer(res: ServerResponse, [status, text]: [number, string]): void {
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
    res.end(text);
  }

  const server = createServer((req, res) => {
    handle(req).then(
      (result) => answer(res, result),
      (error: unknown) => {
        const text = error instanceof Error ? error.message : String(error);
        if (error instanceof NoStackEventsError) return answer(res, [422, text]);
        log(error instanceof WebhookDeliveryError ? "webhook delivery failed" : "SNS delivery failed", { error: text });
        answer(res, [500, text]);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}/`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const timer of held) clearTimeout(timer);
        held.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A stack-level event that ends an operation (anything but *_IN_PROGRESS). */
function isCompletion(text: string): boolean {
  try {
    const event = parseCloudFormationMessage(text);
    return event.resourceType === "AWS::CloudFormation::Stack" && !event.resourceStatus.endsWith("_IN_PROGRESS");
  } catch {
    return false;
  }
}
