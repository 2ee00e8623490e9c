import { env, SELF } from "cloudflare:test";
import { AwsClient } from "aws4fetch";
import { signBody } from "../../core/webhook-signature";
import { projectWebhookSecret } from "../../core/webhook-secret";
import { physicalBucketName } from "../../core/naming";
import { cloudFormationClient, type CloudFormationClient, type Credentials } from "../../core/aws";
import { clientStackInput, type ResourceStackInput } from "../../core/stack-input";
import type { Member, ObjectEvent, ProjectRecord, StackEvent } from "../../core/contract";

/** Helpers for workerd tests: they drive the real Worker (SELF) and the real moto, nothing mocked. */
/** A loopback host: dev sign-in answers nowhere else. The app's own origin, so state changes pass the Origin check. */
export const ORIGIN = "http://127.0.0.1:8787";

/** A fresh client address, so tests never share a rate-limit bucket by accident. */
export function randomAddress(): string {
  return `10.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;
}

export function randomId(prefix = "p"): string {
  return `${prefix}${crypto.randomUUID().replace(/-/g, "").slice(0, 10)}`;
}

export function randomAccount(): string {
  return String(Math.floor(100_000_000_000 + Math.random() * 899_999_999_999));
}

/** Creates the project's SNS topic in moto (as the bridge template would) and registers the project. */
export async function registerProject(overrides: Partial<ProjectRecord & { members: Member[] }> = {}): Promise<ProjectRecord & { members: Member[] }> {
  const id = overrides.id ?? randomId();
  const accountId = overrides.accountId ?? randomAccount();
  const region = overrides.region ?? "eu-west-1";
  const topicArn = overrides.topicArn ?? (await createTopic(accountId, region, `stackroom-${id}-events`));
  const record: ProjectRecord & { members: Member[] } = {
    id,
    name: `Project ${id}`,
    accountId,
    region,
    roleArn: `arn:aws:iam::${accountId}:role/stackroom-manager`,
    externalId: "test-external-id",
    topicArn,
    webhookSecretVersion: 1,
    members: [
      { email: "owner@example.com", role: "owner" },
      { email: "editor@example.com", role: "editor" },
      { email: "viewer@example.com", role: "viewer" },
    ],
    ...overrides,
  };
  const res = await SELF.fetch(`${ORIGIN}/api/ops/projects`, {
    method: "PUT",
    headers: { authorization: `Bearer ${env.OPS_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(record),
  });
  if (res.status !== 200) throw new Error(`register failed: ${res.status} ${await res.text()}`);
  return record;
}

const FORM = { "content-type": "application/x-www-form-urlencoded" };

/** Credentials acting in `accountId` in moto (AssumeRole into any role of that account). */
async function accountCredentials(accountId: string, region: string): Promise<Required<Credentials>> {
  const sts = new AwsClient({ accessKeyId: "AKIATESTHARNESS00001", secretAccessKey: "x", service: "sts", region, retries: 0 });
  const body = new URLSearchParams({ Action: "AssumeRole", Version: "2011-06-15", RoleArn: `arn:aws:iam::${accountId}:role/harness`, RoleSessionName: "harness" });
  const text = await (await sts.fetch(env.AWS_ENDPOINT, { method: "POST", body: body.toString(), headers: FORM })).text();
  const pick = (tag: string) => text.match(new RegExp(`<${tag}>([^<]+)</${tag}>`))?.[1] ?? "";
  return { accessKeyId: pick("AccessKeyId"), secretAccessKey: pick("SecretAccessKey"), sessionToken: pick("SessionToken") };
}

/** A signer acting in `accountId` in moto, for raw calls to `service`. */
export async function accountClient(accountId: string, service: string, region: string): Promise<AwsClient> {
  return new AwsClient({ ...(await accountCredentials(accountId, region)), service, region, retries: 0 });
}

/** The project account's CloudFormation in moto, through the Worker's own client (no retries: a test sees AWS's first answer). */
export async function projectCloudFormation(project: Pick<ProjectRecord, "accountId" | "region">): Promise<CloudFormationClient> {
  const credentials = await accountCredentials(project.accountId, project.region);
  return cloudFormationClient({ region: project.region, credentials, endpoint: env.AWS_ENDPOINT, retry: { maxAttempts: 1 } });
}

/**
 * Creates a stack straight in the project's CloudFormation, as Stackroom writes it (core's
 * bucketStackInput / userStackInput): what a heal finds when a room lost its state or a stack was
 * made outside Stackroom. Throws the AwsError unless CloudFormation accepts it.
 */
export async function createStackroomStack(project: Pick<ProjectRecord, "accountId" | "region">, input: ResourceStackInput): Promise<void> {
  await (await projectCloudFormation(project)).createStack(clientStackInput(input));
}

async function createTopic(accountId: string, region: string, name: string): Promise<string> {
  const sns = await accountClient(accountId, "sns", region);
  const text = await (await sns.fetch(env.AWS_ENDPOINT, { method: "POST", body: new URLSearchParams({ Action: "CreateTopic", Name: name }).toString(), headers: FORM })).text();
  const arn = text.match(/<TopicArn>([^<]+)<\/TopicArn>/)?.[1];
  if (!arn) throw new Error(`CreateTopic failed: ${text}`);
  return arn;
}

/** Signs in through the dev login and returns the session cookie header value. */
export async function login(email: string): Promise<string> {
  const res = await SELF.fetch(`${ORIGIN}/api/dev/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: ORIGIN, "CF-Connecting-IP": randomAddress() },
    body: JSON.stringify({ email }),
  });
  if (res.status !== 204) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get("set-cookie")?.split(";")[0];
  if (!cookie) throw new Error("no session cookie");
  return cookie;
}

export function api(cookie: string, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("cookie", cookie);
  if (!headers.has("origin")) headers.set("origin", ORIGIN);
  if (init.body !== undefined) headers.set("content-type", "application/json");
  return SELF.fetch(`${ORIGIN}${path}`, { ...init, headers });
}

/** The project a batch is for: the first event's stack name says (`stackroom-<project>-…`). */
function projectOf(events: readonly StackEvent[]): string {
  return /^stackroom-([a-z][a-z0-9]{1,19})-/.exec(events[0]?.stackName ?? "")?.[1] ?? "unknown";
}

/**
 * POSTs events to their project's webhook exactly as that project's bridge does: signed with the
 * project's own secret, derived from `root` (the Worker's current root secret by default).
 */
export async function deliver(events: StackEvent[], root = env.WEBHOOK_SECRET, nowSeconds = Math.floor(Date.now() / 1000), projectId = projectOf(events)): Promise<Response> {
  const body = JSON.stringify({ events });
  const secret = await projectWebhookSecret(root, projectId, 1);
  return SELF.fetch(`${ORIGIN}/webhooks/cloudformation/${projectId}`, {
    method: "POST",
    headers: { "content-type": "application/json", "Stackroom-Signature": await signBody(body, [secret], nowSeconds) },
    body,
  });
}

/**
 * POSTs S3 object events to the project's object webhook exactly as its bridge does (signed with
 * the project's own secret), from a fresh address (refusals are rate-limited per address).
 */
export async function deliverObjects(project: Pick<ProjectRecord, "id">, objectEvents: ObjectEvent[], root = env.WEBHOOK_SECRET, nowSeconds = Math.floor(Date.now() / 1000)): Promise<Response> {
  const body = JSON.stringify({ objectEvents });
  const secret = await projectWebhookSecret(root, project.id, 1);
  return SELF.fetch(`${ORIGIN}/webhooks/objects/${project.id}`, {
    method: "POST",
    headers: { "content-type": "application/json", "Stackroom-Signature": await signBody(body, [secret], nowSeconds), "CF-Connecting-IP": randomAddress() },
    body,
  });
}

/** An S3 object event in one of the project's buckets (by its Stackroom name), as the bridge forwards it. */
export function objectEvent(project: ProjectRecord, bucket: string, key: string, extra: Partial<ObjectEvent> = {}): ObjectEvent {
  return {
    eventId: crypto.randomUUID(),
    bucket: physicalBucketName(project.id, project.accountId, project.region, bucket),
    key,
    event: "created",
    size: 1000,
    principalId: "",
    at: new Date().toISOString(),
    account: project.accountId,
    ...extra,
  };
}

let eventCounter = 0;

/** A stack-level CloudFormation event as the bridge would forward it. */
export function stackEvent(project: ProjectRecord, stackName: string, resourceStatus: string, extra: Partial<StackEvent> = {}): StackEvent {
  eventCounter++;
  return {
    stackId: `arn:aws:cloudformation:${project.region}:${project.accountId}:stack/${stackName}/0a1b2c3d-${String(eventCounter).padStart(4, "0")}`,
    stackName,
    eventId: crypto.randomUUID(),
    logicalResourceId: stackName,
    physicalResourceId: `arn:aws:cloudformation:${project.region}:${project.accountId}:stack/${stackName}/0a1b2c3d`,
    resourceType: "AWS::CloudFormation::Stack",
    resourceStatus,
    timestamp: new Date(Date.now() + eventCounter).toISOString(),
    namespace: project.accountId,
    ...extra,
  };
}

/** Polls `read` until `done` holds (KV snapshots are written by the room's alarm, ≤ 1 s later). */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}

/** Creates a bucket through the API and completes its stack with a signed CREATE_COMPLETE. */
export async function readyBucket(cookie: string, project: ProjectRecord, name: string): Promise<void> {
  const res = await api(cookie, `/api/projects/${project.id}/buckets`, { method: "POST", body: JSON.stringify({ name }) });
  if (res.status !== 202) throw new Error(`bucket create failed: ${res.status} ${await res.text()}`);
  const { operationId } = await res.json<{ operationId: string }>();
  await deliver([stackEvent(project, `stackroom-${project.id}-bucket-${name}`, "CREATE_COMPLETE", { clientRequestToken: operationId })]);
}

/** Creates a user through the API and completes its stack. */
export async function readyUser(cookie: string, project: ProjectRecord, body: Record<string, unknown>, stack: string): Promise<string> {
  const res = await api(cookie, `/api/projects/${project.id}/users`, { method: "POST", body: JSON.stringify(body) });
  if (res.status !== 202) throw new Error(`user create failed: ${res.status} ${await res.text()}`);
  const { operationId } = await res.json<{ operationId: string }>();
  await deliver([stackEvent(project, stack, "CREATE_COMPLETE", { clientRequestToken: operationId })]);
  return operationId;
}

/** One IAM Query API call in the project account (moto), answering the raw XML. */
export async function iamCall(accountId: string, params: Record<string, string>): Promise<string> {
  const iam = await accountClient(accountId, "iam", "us-east-1");
  const body = new URLSearchParams({ Version: "2010-05-08", ...params }).toString();
  return (await iam.fetch(env.AWS_ENDPOINT, { method: "POST", body, headers: FORM })).text();
}
