// Proves the Lambda handler turns SNS records into signed webhook POSTs to its project's webhooks (stack events to one, S3 object events in batches of at most 500 to the other), ignores S3's test event, skips records that are neither, drops stack events of other projects or accounts, throws when nothing is deliverable, and reads its secret from Secrets Manager (moto), again at most a minute later.
import { randomUUID } from "node:crypto";
import { AwsClient } from "aws4fetch";
import { afterEach, describe, expect, it } from "vitest";
import * as z from "zod";
import { WebhookDeliveryError } from "./deliver-events";
import { createHandler, NoStackEventsError, SECRET_TTL_MS } from "./handler";
import { startWebhookReceiver, type WebhookReceiver } from "../test/aws-bridge/webhook-receiver";

const moto = process.env.STACKROOM_TEST_MOTO_ENDPOINT ?? "";
let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  await receiver?.stop();
  receiver = undefined;
});

const cfnMessage = (status: string, { stack = "stackroom-demo-bucket-a", account = "111111111111", namespace = "" } = {}) =>
  `StackId='arn:aws:cloudformation:eu-west-1:${account}:stack/${stack}/af58'\nTimestamp='2026-11-24T23:55:32.755Z'\nEventId='${randomUUID()}'\nLogicalResourceId='${stack}'\nNamespace='${namespace || account}'\nResourceProperties='None'\nResourceStatus='${status}'\nResourceStatusReason='None'\nResourceType='AWS::CloudFormation::Stack'\nStackName='${stack}'\nClientRequestToken='None'`;

/** The bridge of project demo in account 111111111111. */
const bridgeEnv = (url: string, more: Record<string, string> = {}) => ({
  STACKROOM_WEBHOOK_URL: url,
  STACKROOM_PROJECT_ID: "demo",
  STACKROOM_ACCOUNT_ID: "111111111111",
  WEBHOOK_SECRET: "s1",
  ...more,
});

const snsEvent = (...messages: string[]) => ({
  Records: messages.map((Message, i) => ({
    EventSource: "aws:sns",
    EventVersion: "1.0",
    Sns: { Type: "Notification", MessageId: `m-${i}`, TopicArn: "arn:aws:sns:eu-west-1:111111111111:stackroom-demo-events", Message, Timestamp: "2026-11-24T23:55:32.800Z" },
  })),
});

const secretsManager = new AwsClient({ accessKeyId: "test", secretAccessKey: "test", service: "secretsmanager", region: "eu-west-1" });
async function secretsManagerCall(action: string, body: Record<string, string>): Promise<unknown> {
  const response = await secretsManager.fetch(`${moto}/`, {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `secretsmanager.${action}` },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${action}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

/** A new secret in moto, and the bridge environment that reads it from there. */
async function storedSecret(value: string, webhookUrl: string) {
  const { ARN } = z.object({ ARN: z.string() }).parse(await secretsManagerCall("CreateSecret", { Name: `stackroom-test-${randomUUID()}`, SecretString: value }));
  const { WEBHOOK_SECRET: _, ...withoutPlainSecret } = bridgeEnv(webhookUrl);
  const env = { ...withoutPlainSecret, WEBHOOK_SECRET_ARN: ARN, AWS_REGION: "eu-west-1", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_ENDPOINT_URL: moto };
  return { arn: ARN, env };
}

function quiet() {
  const logs: string[] = [];
  return { logs, deps: { log: (message: string) => void logs.push(message), delivery: { sleep: async () => {} } } };
}

describe("handler", () => {
  it("delivers the CloudFormation records and skips the others", async () => {
    receiver = await startWebhookReceiver({ secrets: ["s1"] });
    const { logs, deps } = quiet();
    const handler = createHandler(bridgeEnv(receiver.url), deps);
    const result = await handler(snsEvent(cfnMessage("CREATE_IN_PROGRESS"), "hello from a stray publisher", cfnMessage("CREATE_COMPLETE")));
    expect(result).toEqual({ delivered: 2, skipped: 1 });
    expect(receiver.posts).toHaveLength(1);
    expect(receiver.events().map((e) => e.resourceStatus)).toEqual(["CREATE_IN_PROGRESS", "CREATE_COMPLETE"]);
    expect(logs).toEqual(["skipping an SNS message that is neither a CloudFormation stack event nor an S3 event notification"]);
  });

  it("forwards S3 object events to the object webhook in batches of at most 500, beside the stack events, and ignores S3's test event", async () => {
    receiver = await startWebhookReceiver({ secrets: ["s1"] });
    const handler = createHandler(bridgeEnv(receiver.url), quiet().deps);
    const record = (i: number) => ({
      eventSource: "aws:s3",
      eventTime: "2026-12-07T14:02:03.192Z",
      eventName: "ObjectCreated:Put",
      userIdentity: { principalId: "AWS:AIDAINPONIXQXHT3IKHL2" },
      responseElements: { "x-amz-request-id": `R${i}` },
      s3: { bucket: { name: "acme-data-1a2b3c4d" }, object: { key: `incoming/file+${i}.csv`, size: i, sequencer: `00${i}` } },
    });
    const uploads = JSON.stringify({ Records: Array.from({ length: 700 }, (_, i) => record(i)) });
    const testEvent = JSON.stringify({ Service: "Amazon S3", Event: "s3:TestEvent", Bucket: "acme-data-1a2b3c4d" });
    expect(await handler(snsEvent(testEvent, uploads, cfnMessage("CREATE_COMPLETE")))).toEqual({ delivered: 701, skipped: 0 });
    expect(receiver.posts.map((p) => [p.path, p.status, p.objectBatch?.objectEvents.length ?? p.batch?.events.length])).toEqual([
      ["/webhooks/cloudformation/demo", 202, 1],
      ["/webhooks/objects/demo", 202, 500],
      ["/webhooks/objects/demo", 202, 200],
    ]);
    expect(receiver.posts.every((p) => p.signature.ok)).toBe(true);
    expect(receiver.objectEvents()[699]).toMatchObject({ key: "incoming/file 699.csv", size: 699, account: "111111111111", principalId: "AWS:AIDAINPONIXQXHT3IKHL2" });

    // S3's test event alone is recognised (no DLQ) and posts nothing.
    expect(await handler(snsEvent(testEvent))).toEqual({ delivered: 0, skipped: 0 });
    expect(receiver.posts).toHaveLength(3);
  });

  it("throws when no record is a CloudFormation event, without posting", async () => {
    receiver = await startWebhookReceiver({ secrets: ["s1"] });
    const handler = createHandler(bridgeEnv(receiver.url), quiet().deps);
    await expect(handler(snsEvent("a", "b"))).rejects.toThrow(NoStackEventsError);
    expect(receiver.posts).toHaveLength(0);
  });

  it("throws on an event that is not from SNS", async () => {
    const handler = createHandler(bridgeEnv("https://stackroom.example/webhooks/cloudformation/demo"), quiet().deps);
    await expect(handler({ Records: [{ EventSource: "aws:sqs", body: "x" }] })).rejects.toThrow("Not an SNS event");
    await expect(handler({})).rejects.toThrow("Not an SNS event");
  });

  it("drops, with a log line, stack events of another project or account, and posts nothing for them alone", async () => {
    receiver = await startWebhookReceiver({ secrets: ["s1"] });
    const { logs, deps } = quiet();
    const handler = createHandler(bridgeEnv(receiver.url), deps);
    const foreign = [
      cfnMessage("CREATE_COMPLETE", { stack: "stackroom-other-bucket-a" }),
      cfnMessage("CREATE_COMPLETE", { stack: "stackroom-demox-bucket-a" }),
      cfnMessage("CREATE_COMPLETE", { stack: "not-stackroom" }),
      cfnMessage("CREATE_COMPLETE", { account: "222222222222" }),
      cfnMessage("CREATE_COMPLETE", { namespace: "222222222222" }),
      cfnMessage("CREATE_COMPLETE", { account: "222222222222", namespace: "111111111111" }),
    ];
    expect(await handler(snsEvent(...foreign))).toEqual({ delivered: 0, skipped: 6 });
    expect(receiver.posts).toHaveLength(0);
    expect(logs).toEqual(Array(6).fill("dropping a stack event that is not of this bridge's project and account"));

    expect(await handler(snsEvent(foreign[0] ?? "", cfnMessage("DELETE_COMPLETE")))).toEqual({ delivered: 1, skipped: 1 });
    expect(receiver.events().map((e) => [e.stackName, e.resourceStatus])).toEqual([["stackroom-demo-bucket-a", "DELETE_COMPLETE"]]);
  });

  it("throws when the Worker refuses, so Lambda retries and the DLQ catches it", async () => {
    receiver = await startWebhookReceiver({ secrets: ["rotated-away"] });
    const handler = createHandler(bridgeEnv(receiver.url), quiet().deps);
    await expect(handler(snsEvent(cfnMessage("CREATE_COMPLETE")))).rejects.toThrow(WebhookDeliveryError);
  });

  it("signs with every secret stored in Secrets Manager", { timeout: 30_000 }, async () => {
    receiver = await startWebhookReceiver({ secrets: ["old-secret"] });
    const { env } = await storedSecret("new-secret,\nold-secret", receiver.url);
    const handler = createHandler(env, quiet().deps);
    expect(await handler(snsEvent(cfnMessage("UPDATE_COMPLETE")))).toEqual({ delivered: 1, skipped: 0 });
    expect(receiver.posts[0]?.signature.ok).toBe(true);
    expect(String(receiver.posts[0]?.headers["stackroom-signature"]).match(/v1=/g)).toHaveLength(2);
  });

  it("re-reads the secret a minute after it last read it, not before, so a finished rotation reaches it within a minute", { timeout: 30_000 }, async () => {
    expect(SECRET_TTL_MS).toBe(60_000);
    receiver = await startWebhookReceiver({ secrets: ["rotated-in"] });
    const { arn, env } = await storedSecret("rotated-out", receiver.url);
    let reads = 0;
    const counting: typeof fetch = (input, init) => {
      if (input instanceof Request && input.headers.get("x-amz-target") === "secretsmanager.GetSecretValue") reads++;
      return fetch(input, init);
    };
    let clock = 1_000_000;
    const handler = createHandler(env, { ...quiet().deps, fetch: counting, now: () => clock });

    await expect(handler(snsEvent(cfnMessage("CREATE_COMPLETE")))).rejects.toMatchObject({ status: 401 });
    await secretsManagerCall("PutSecretValue", { SecretId: arn, SecretString: "rotated-in" });
    clock += SECRET_TTL_MS - 1;
    await expect(handler(snsEvent(cfnMessage("CREATE_COMPLETE")))).rejects.toMatchObject({ status: 401 });
    expect(reads).toBe(1);

    clock += 1;
    expect(await handler(snsEvent(cfnMessage("CREATE_COMPLETE")))).toEqual({ delivered: 1, skipped: 0 });
    expect(reads).toBe(2);
    expect(receiver.posts.map((p) => p.status)).toEqual([401, 401, 202]);
  });

  it.each([
    [bridgeEnv("http://stackroom.example/webhooks/cloudformation/demo"), "https"],
    [{ ...bridgeEnv("https://stackroom.example/webhooks/cloudformation/demo"), WEBHOOK_SECRET: undefined }, "WEBHOOK_SECRET_ARN"],
    [{ WEBHOOK_SECRET: "s" }, "Bridge configuration"],
    [bridgeEnv("https://stackroom.example/webhooks/cloudformation"), "STACKROOM_WEBHOOK_URL must be the project's own"],
    [bridgeEnv("https://stackroom.example/webhooks/cloudformation/other"), "STACKROOM_WEBHOOK_URL must be the project's own"],
    [{ ...bridgeEnv("https://stackroom.example/webhooks/cloudformation/demo"), STACKROOM_PROJECT_ID: undefined }, "Bridge configuration"],
    [{ ...bridgeEnv("https://stackroom.example/webhooks/cloudformation/demo"), STACKROOM_ACCOUNT_ID: "1111" }, "12-digit"],
  ])("refuses configuration %j", (env, message) => {
    expect(() => createHandler(env)).toThrow(message);
  });
});
