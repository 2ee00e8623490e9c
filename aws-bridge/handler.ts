import { AwsClient } from "aws4fetch";
import * as z from "zod";
import type { StackEvent } from "../core/contract/stack-event";
import { CfnMessageError, parseCloudFormationMessage } from "../core/cfn-message";
import { ProjectId } from "../core/contract/project";
import { deliverEvents, type DeliveryOptions } from "./deliver-events";
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

/** Not one SNS message of an invocation was a CloudFormation notification. */
export class NoStackEventsError extends Error {
  override name = "NoStackEventsError";
}

/**
 * The path shared by the Lambda and the local adapter: parse each SNS message, skip (and log) the
 * ones that are not CloudFormation notifications, drop (and log) stack events of another project
 * or account when a `scope` is given, deliver the rest signed. Throws NoStackEventsError when not
 * a single message parsed, WebhookDeliveryError when delivery failed. Dropped events are not an
 * error: retrying them would only send them to the DLQ.
 */
export async function forwardCloudFormationMessages(
  messages: readonly { id: string; text: string }[],
  delivery: DeliveryOptions,
  log: Log = consoleLog,
  scope?: ProjectScope,
): Promise<{ delivered: number; skipped: number }> {
  const events: StackEvent[] = [];
  let parsed = 0;
  for (const message of messages) {
    let event: StackEvent;
    try {
      event = parseCloudFormationMessage(message.text);
    } catch (error) {
      if (!(error instanceof CfnMessageError)) throw error;
      log("skipping an SNS message that is not a CloudFormation stack event", { messageId: message.id, error: error.message });
      continue;
    }
    parsed++;
    const foreign = scope ? foreignEventReason(event, scope) : null;
    if (foreign === null) events.push(event);
    else log("dropping a stack event that is not of this bridge's project and account", { messageId: message.id, reason: foreign });
  }
  if (parsed === 0) throw new NoStackEventsError(`None of the ${messages.length} SNS message(s) was a CloudFormation stack event.`);
  if (events.length > 0) await deliverEvents(events, { log, ...delivery });
  return { delivered: events.length, skipped: messages.length - events.length };
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
    const messages = parsed.data.Records.map((r) => ({ id: r.Sns.MessageId, text: r.Sns.Message }));
    const delivery: DeliveryOptions = { url: env.STACKROOM_WEBHOOK_URL, secrets: await secrets(), fetch: fetchImpl, timeoutMs: 8_000, ...deps.delivery };
    return forwardCloudFormationMessages(messages, delivery, log, scope);
  };
}

let coldStart: ReturnType<typeof createHandler> | undefined;

/** The Lambda entry point (`handler.handler`): SNS -> parse -> signed POST to the Worker. */
export function handler(event: unknown): Promise<{ delivered: number; skipped: number }> {
  coldStart ??= createHandler(process.env);
  return coldStart(event);
}
