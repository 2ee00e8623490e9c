import { AwsClient } from "aws4fetch";
import * as z from "zod";
import type { StackEvent } from "../core/contract/stack-event";
import { ProjectId } from "../core/contract/project";
import type { ObjectEvent } from "../core/contract/object-event";
import { readTopicMessage } from "../core/topic-message";
import { deliverEvents, deliverObjectEvents, type DeliveryOptions } from "./deliver-events";
import { isProjectWebhookUrl } from "./project-scope";
import { foreignEventReason, type ProjectScope } from "../core/event-scope";

/** The part of Lambda's SNS event we read; anything else in it is ignored. */
export const SnsLambdaEvent = z.object({
  Records: z
    .array(
      z.object({
        EventSource: z.literal("aws:sns"),
        Sns: z.object({ MessageId: z.string(), TopicArn: z.string(), Message: z.string() }),
      }),
    )
    .min(1),
});

type Log = (message: string, detail?: Record<string, unknown>) => void;
const consoleLog: Log = (message, detail) => console.error(message, detail ?? "");

/** Not one SNS message of an invocation was a CloudFormation notification or an S3 event notification. */
export class NoStackEventsError extends Error {
  override name = "NoStackEventsError";
}

/** One SNS message as the Lambda (or the local adapter) receives it. */
export interface SnsMessage {
  id: string;
  text: string;
  /** The topic it came from: an S3 record does not name its account, the topic ARN does. */
  topicArn: string;
}

/**
 * The path shared by the Lambda and the local adapter. Each SNS message on the project's topic
 * is a CloudFormation stack event or an S3 event notification (the project's buckets send their
 * object events there); anything else is skipped and logged. With a `scope`, events of another
 * project or account are dropped (and logged). Stack events go signed to the stack webhook,
 * object events to the object webhook beside it. Throws NoStackEventsError when not a single
 * message was either kind, WebhookDeliveryError when delivery failed. Dropped events are not an
 * error: retrying them would only send them to the DLQ.
 */
export async function forwardSnsMessages(
  messages: readonly SnsMessage[],
  delivery: DeliveryOptions,
  log: Log = consoleLog,
  scope?: ProjectScope,
): Promise<{ delivered: number; skipped: number }> {
  const events: StackEvent[] = [];
  const objectEvents: ObjectEvent[] = [];
  let recognised = 0;
  let skipped = 0;
  for (const message of messages) {
    const read = readTopicMessage(message.text, message.id, message.topicArn);
    if (read.kind === "unreadable") {
      log("skipping an SNS message that is neither a CloudFormation stack event nor an S3 event notification", { messageId: message.id, error: read.reason });
      skipped++;
      continue;
    }
    recognised++;
    // S3 sends one when a bucket's notifications are set up: proof the topic takes its events, nothing to forward.
    if (read.kind === "test") continue;
    if (read.kind === "objects") {
      if (read.skipped > 0) log("skipping S3 records Stackroom does not follow (not a create or remove of an object)", { messageId: message.id, records: read.skipped });
      skipped += read.skipped;
      const foreign = scope ? read.events.filter((e) => e.account !== scope.accountId) : [];
      if (foreign.length > 0) log("dropping object events that are not of this bridge's account", { messageId: message.id, events: foreign.length, account: foreign[0]?.account });
      skipped += foreign.length;
      objectEvents.push(...(scope ? read.events.filter((e) => e.account === scope.accountId) : read.events));
      continue;
    }
    const foreign = scope ? foreignEventReason(read.event, scope) : null;
    if (foreign === null) events.push(read.event);
    else {
      log("dropping a stack event that is not of this bridge's project and account", { messageId: message.id, reason: foreign });
      skipped++;
    }
  }
  if (recognised === 0) throw new NoStackEventsError(`None of the ${messages.length} SNS message(s) was a CloudFormation stack event or an S3 event notification.`);
  if (events.length > 0) await deliverEvents(events, { log, ...delivery });
  if (objectEvents.length > 0) await deliverObjectEvents(objectEvents, { log, ...delivery });
  return { delivered: events.length + objectEvents.length, skipped };
}

const loopback = (url: URL) => ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);

const BridgeEnv = z
  .object({
    STACKROOM_WEBHOOK_URL: z
      .url()
      .refine((u) => u.startsWith("https://") || loopback(new URL(u)), "The webhook URL must use https."),
    /** The project whose stack events this bridge forwards (and whose webhook it posts to). */
    STACKROOM_PROJECT_ID: ProjectId,
    /** The project's AWS account: events of any other account are dropped. */
    STACKROOM_ACCOUNT_ID: z.string().regex(/^\d{12}$/, "STACKROOM_ACCOUNT_ID must be a 12-digit AWS account id."),
    /** Secrets Manager secret holding the signing secret(s), one per line or comma-separated. */
    WEBHOOK_SECRET_ARN: z.string().min(1).optional(),
    /** Plain-env alternative (local runs and tests). */
    WEBHOOK_SECRET: z.string().min(1).optional(),
    WEBHOOK_SECRET_PREVIOUS: z.string().optional(),
    AWS_REGION: z.string().default("us-east-1"),
    AWS_ACCESS_KEY_ID: z.string().optional(),
    AWS_SECRET_ACCESS_KEY: z.string().optional(),
    AWS_SESSION_TOKEN: z.string().optional(),
    /** SDK-standard endpoint overrides; used against moto. */
    AWS_ENDPOINT_URL_SECRETS_MANAGER: z.string().optional(),
    AWS_ENDPOINT_URL: z.string().optional(),
  })
  .refine((env) => env.WEBHOOK_SECRET_ARN || env.WEBHOOK_SECRET, "Set WEBHOOK_SECRET_ARN (or WEBHOOK_SECRET).")
  .refine(
    (env) => isProjectWebhookUrl(env.STACKROOM_WEBHOOK_URL, env.STACKROOM_PROJECT_ID),
    "STACKROOM_WEBHOOK_URL must be the project's own https://<worker>/webhooks/cloudformation/<STACKROOM_PROJECT_ID>.",
  );
type BridgeEnv = z.infer<typeof BridgeEnv>;

const SecretValue = z.object({ SecretString: z.string().min(1) });
/**
 * Re-read after this long, so a rotated secret is picked up without a redeploy. A minute: Lambda
 * retries a failed async invocation about 1 and then 2 more minutes later, so once a rotation is
 * finished (the Worker drops the old secret) a batch that a stale cache got refused (401) is
 * re-signed with the stored secrets when Lambda retries it, instead of going to the DLQ. One
 * GetSecretValue a minute per warm instance costs nothing worth saving.
 */
export const SECRET_TTL_MS = 60_000;

async function readSecretsManager(env: BridgeEnv, secretId: string, fetchImpl: typeof fetch): Promise<string[]> {
  if (!env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) throw new Error("No AWS credentials in the environment to read the webhook secret.");
  const client = new AwsClient({
    accessKeyId: env.AWS_ACCESS_KEY_ID,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
    sessionToken: env.AWS_SESSION_TOKEN,
    service: "secretsmanager",
    region: env.AWS_REGION,
    retries: 2,
  });
  const endpoint = env.AWS_ENDPOINT_URL_SECRETS_MANAGER ?? env.AWS_ENDPOINT_URL ?? `https://secretsmanager.${env.AWS_REGION}.amazonaws.com`;
  const request = await client.sign(`${endpoint.replace(/\/+$/, "")}/`, {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "secretsmanager.GetSecretValue" },
    body: JSON.stringify({ SecretId: secretId }),
  });
  const response = await fetchImpl(request);
  const text = await response.text();
  if (!response.ok) throw new Error(`GetSecretValue failed with HTTP ${response.status}: ${text.slice(0, 300)}`);
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  const value = SecretValue.safeParse(json);
  if (!value.success) throw new Error("GetSecretValue answered without a SecretString.");
  return value.data.SecretString.split(/[\s,]+/).filter((s) => s.length > 0);
}

interface HandlerDeps {
  fetch?: typeof fetch;
  log?: Log;
  delivery?: Partial<DeliveryOptions>;
  /** Clock in milliseconds of the secret cache (tests). */
  now?: () => number;
}

/** Builds the Lambda handler for `env`; the secret is read at cold start and cached for SECRET_TTL_MS. */
export function createHandler(rawEnv: Record<string, string | undefined>, deps: HandlerDeps = {}) {
  const parsedEnv = BridgeEnv.safeParse(rawEnv);
  if (!parsedEnv.success) throw new Error(`Bridge configuration: ${parsedEnv.error.issues.map((i) => i.message).join(" ")}`);
  const env = parsedEnv.data;
  const scope: ProjectScope = { projectId: env.STACKROOM_PROJECT_ID, accountId: env.STACKROOM_ACCOUNT_ID };
  const fetchImpl = deps.fetch ?? fetch;
  const log = deps.log ?? consoleLog;
  const now = deps.now ?? Date.now;
  let cached: { secrets: string[]; until: number } | undefined;

  async function secrets(): Promise<string[]> {
    if (!env.WEBHOOK_SECRET_ARN) return [env.WEBHOOK_SECRET ?? "", env.WEBHOOK_SECRET_PREVIOUS ?? ""].filter((s) => s.length > 0);
    if (cached && cached.until > now()) return cached.secrets;
    const loaded = await readSecretsManager(env, env.WEBHOOK_SECRET_ARN, fetchImpl);
    if (loaded.length === 0) throw new Error("The webhook secret in Secrets Manager is empty.");
    cached = { secrets: loaded, until: now() + SECRET_TTL_MS };
    return loaded;
  }

  return async function handler(event: unknown): Promise<{ delivered: number; skipped: number }> {
    const parsed = SnsLambdaEvent.safeParse(event);
    if (!parsed.success) throw new Error(`Not an SNS event: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
    const messages = parsed.data.Records.map((r) => ({ id: r.Sns.MessageId, text: r.Sns.Message, topicArn: r.Sns.TopicArn }));
    const delivery: DeliveryOptions = { url: env.STACKROOM_WEBHOOK_URL, secrets: await secrets(), fetch: fetchImpl, timeoutMs: 8_000, ...deps.delivery };
    return forwardSnsMessages(messages, delivery, log, scope);
  };
}

let coldStart: ReturnType<typeof createHandler> | undefined;

/** The Lambda entry point (`handler.handler`): SNS -> parse (stack or object events) -> signed POST to the Worker. */
export function handler(event: unknown): Promise<{ delivered: number; skipped: number }> {
  coldStart ??= createHandler(process.env);
  return coldStart(event);
}
