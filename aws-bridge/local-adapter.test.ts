// Proves the local adapter verifies moto's SNS deliveries, forwards CloudFormation messages signed to the Worker (only its project's, when scoped), puts what the Worker refuses in the project's DLQ in moto as Lambda would, and answers 403/400/422/500 for forged, garbled, foreign and undeliverable ones.
import { randomBytes, randomInt, randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import * as z from "zod";
import { queryClient } from "../core/aws";
import { createHandler, SnsLambdaEvent } from "./handler";
import { confirmSubscription, startLocalAdapter, type LocalAdapter } from "./local-adapter";
import { assumeProjectAccount, bootstrapProjectAccount } from "./local-bootstrap";
import { localSqs } from "./local-sqs";
import { captureMotoDelivery } from "../test/aws-bridge/moto-sns";
import { startWebhookReceiver, type WebhookReceiver } from "../test/aws-bridge/webhook-receiver";

const moto = process.env.STACKROOM_TEST_MOTO_ENDPOINT ?? "";
const region = "eu-west-1";
const secrets = ["local-secret"];
const open: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.stop()));
});

const cfnMessage = (eventId: string) =>
  `StackId='arn:aws:cloudformation:eu-west-1:123456789012:stack/stackroom-demo-bucket-b/1f2e'\nTimestamp='2026-11-24T23:55:32.755Z'\nEventId='${eventId}'\nLogicalResourceId='stackroom-demo-bucket-b'\nNamespace='123456789012'\nResourceProperties='None'\nResourceStatus='CREATE_COMPLETE'\nResourceStatusReason='None'\nResourceType='AWS::CloudFormation::Stack'\nStackName='stackroom-demo-bucket-b'\nClientRequestToken='None'`;

async function setup(
  webhookUrl?: string,
  holdCompletionSeconds = 0,
  scope?: { projectId: string; accountId: string },
): Promise<{ adapter: LocalAdapter; receiver: WebhookReceiver; logs: string[] }> {
  const receiver = await startWebhookReceiver({ secrets });
  const logs: string[] = [];
  const adapter = await startLocalAdapter({
    port: 0,
    webhookUrl: webhookUrl ?? receiver.url,
    secrets,
    motoEndpoint: moto,
    region,
    log: (message) => void logs.push(message),
    delivery: { sleep: async () => {} },
    holdCompletionSeconds,
    scope,
  });
  open.push(receiver, adapter);
  return { adapter, receiver, logs };
}

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: "POST", body, headers: { "content-type": "text/plain; charset=UTF-8", ...headers } });

describe("local adapter", { timeout: 30_000 }, () => {
  it("forwards a CloudFormation event that moto publishes to a subscribed topic", async () => {
    const { adapter, receiver } = await setup();
    const sns = queryClient("sns", { endpoint: moto, region, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    const { TopicArn } = await sns("CreateTopic", { Name: `adapter-${randomUUID()}` }, z.object({ TopicArn: z.string() }));
    await sns("Subscribe", { TopicArn, Protocol: "http", Endpoint: adapter.url }, z.unknown());
    const eventId = randomUUID();
    await sns("Publish", { TopicArn, Message: cfnMessage(eventId), Subject: "AWS CloudFormation Notification" }, z.unknown());
    const [event] = await receiver.waitForEvents((events) => events.length === 1);
    expect(event).toMatchObject({ eventId, stackName: "stackroom-demo-bucket-b", resourceStatus: "CREATE_COMPLETE" });
    expect(receiver.posts[0]?.signature.ok).toBe(true);
  });

  it("holds back completion events for the configured time, so locks are visible locally", async () => {
    const { adapter, receiver } = await setup(undefined, 1.5);
    const { message } = await captureMotoDelivery(moto, region, cfnMessage(randomUUID()), "AWS CloudFormation Notification");
    const started = Date.now();
    const response = await post(adapter.url, JSON.stringify(message));
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/Holding the completion event for 1.5 s/);
    expect(receiver.posts).toHaveLength(0);
    await receiver.waitForEvents((events) => events.length === 1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
  });

  it("drops, as the Lambda does, the stack events of another project when scoped to one", async () => {
    const { adapter, receiver, logs } = await setup(undefined, 0, { projectId: "other", accountId: "123456789012" });
    const { message } = await captureMotoDelivery(moto, region, cfnMessage(randomUUID()), "AWS CloudFormation Notification");
    const response = await post(adapter.url, JSON.stringify(message));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("Delivered 0 event(s).");
    expect(logs).toContain("dropping a stack event that is not of this bridge's project and account");
    expect(receiver.posts).toHaveLength(0);
  });

  it("refuses a replayed delivery whose message was changed, with 403", async () => {
    const { adapter, receiver, logs } = await setup();
    const { message } = await captureMotoDelivery(moto, region, cfnMessage(randomUUID()), "AWS CloudFormation Notification");
    const forged = { ...message, Message: cfnMessage("forged") };
    const response = await post(adapter.url, JSON.stringify(forged));
    expect(response.status).toBe(403);
    expect(await response.text()).toBe("The SNS signature does not match.");
    expect(logs).toContain("refused an SNS delivery with a bad signature");
    expect(receiver.posts).toHaveLength(0);
  });

  it("answers 422 for a genuine delivery that is not a CloudFormation event", async () => {
    const { adapter, receiver } = await setup();
    const { raw } = await captureMotoDelivery(moto, region, "hello, not a stack event");
    expect((await post(adapter.url, raw)).status).toBe(422);
    expect(receiver.posts).toHaveLength(0);
  });

  it("answers 500 after a few quick retries when the Worker is unreachable", async () => {
    const { adapter, logs } = await setup("http://127.0.0.1:9/webhooks/cloudformation");
    const { raw } = await captureMotoDelivery(moto, region, cfnMessage(randomUUID()));
    expect((await post(adapter.url, raw, { "x-amz-sns-message-type": "Notification" })).status).toBe(500);
    expect(logs.filter((l) => l.includes("retrying"))).toHaveLength(2);
    expect(logs).toContain("webhook delivery failed");
  });

  it("puts a CloudFormation event the Worker refuses (401) in the project's DLQ: one message, the Lambda's original SNS event", async () => {
    const projectId = `p${randomBytes(5).toString("hex")}`;
    const accountId = String(randomInt(100_000_000_000, 999_999_999_999));
    const worker = await startWebhookReceiver({ secrets: ["the-worker-knows-another"], projectId });
    const logs: string[] = [];
    const adapter = await startLocalAdapter({
      port: 0,
      webhookUrl: worker.url,
      secrets,
      scope: { projectId, accountId },
      motoEndpoint: moto,
      region,
      log: (message) => void logs.push(message),
      delivery: { sleep: async () => {} },
    });
    open.push(worker, adapter);
    const account = await bootstrapProjectAccount({ motoEndpoint: moto, accountId, region, projectId, adapterUrl: adapter.url });
    const credentials = await assumeProjectAccount({ motoEndpoint: moto, accountId, region });

    // As CloudFormation would publish it; moto delivers inside Publish, and the adapter answers
    // only once the DLQ has the message.
    const stack = `stackroom-${projectId}-bucket-logs`;
    const text = cfnMessage(randomUUID()).replaceAll("123456789012", accountId).replaceAll("stackroom-demo-bucket-b", stack);
    const sns = queryClient("sns", { endpoint: moto, region, credentials });
    const { MessageId } = await sns("Publish", { TopicArn: account.topicArn, Message: text, Subject: "AWS CloudFormation Notification" }, z.object({ MessageId: z.string() }));
    expect(worker.posts.map((p) => p.status)).toEqual([401]);

    const sqs = localSqs({ motoEndpoint: moto, region, credentials });
    const letters = await sqs.receiveMessages(account.deadLetterQueueUrl);
    expect(letters).toHaveLength(1);
    expect(await sqs.queueAttributes(account.deadLetterQueueUrl)).toMatchObject({ ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "1" });
    const [letter] = letters;
    const event = SnsLambdaEvent.parse(JSON.parse(letter?.body ?? ""));
    expect(event.Records).toEqual([{ EventSource: "aws:sns", Sns: { MessageId, TopicArn: account.topicArn, Message: text } }]);
    expect(JSON.parse(letter?.body ?? "")).toMatchObject({ Records: [{ EventVersion: "1.0", Sns: { Type: "Notification", Subject: "AWS CloudFormation Notification", Timestamp: expect.any(String) } }] });
    expect(letter?.attributes).toEqual({
      RequestID: { type: "String", value: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      ErrorCode: { type: "Number", value: "200" },
      ErrorMessage: { type: "String", value: expect.stringContaining("The webhook refused the batch (HTTP 401)") },
    });
    expect(logs).toContain("delivery failed for good; the event is in the DLQ");

    // Replayable: the body is an event the bridge's handler takes, and delivers once the secrets agree.
    const fixed = await startWebhookReceiver({ secrets, projectId });
    open.push(fixed);
    const handler = createHandler({ STACKROOM_WEBHOOK_URL: fixed.url, STACKROOM_PROJECT_ID: projectId, STACKROOM_ACCOUNT_ID: accountId, WEBHOOK_SECRET: secrets[0] }, { log: () => {} });
    expect(await handler(JSON.parse(letter?.body ?? ""))).toEqual({ delivered: 1, skipped: 0 });
    expect(fixed.events().map((e) => [e.stackName, e.resourceStatus])).toEqual([[stack, "CREATE_COMPLETE"]]);
  });

  it.each([
    ["GET", undefined, {}, 405],
    ["POST", "not json", {}, 400],
    ["POST", JSON.stringify({ Type: "Notification" }), {}, 400],
  ])("answers %s %s with %i", async (method, body, headers, status) => {
    const { adapter } = await setup();
    expect((await fetch(adapter.url, { method, body, headers })).status).toBe(status);
  });

  it("refuses a message-type header that contradicts the body", async () => {
    const { adapter } = await setup();
    const { raw } = await captureMotoDelivery(moto, region, cfnMessage(randomUUID()));
    expect((await post(adapter.url, raw, { "x-amz-sns-message-type": "SubscriptionConfirmation" })).status).toBe(400);
  });
});

describe("confirmSubscription", { timeout: 30_000 }, () => {
  it("calls ConfirmSubscription on moto for an SNS SubscribeURL", async () => {
    const sns = queryClient("sns", { endpoint: moto, region, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    const { TopicArn } = await sns("CreateTopic", { Name: `confirm-${randomUUID()}` }, z.object({ TopicArn: z.string() }));
    const url = `https://sns.${region}.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(TopicArn)}&Token=t0k3n`;
    await expect(confirmSubscription(url, { motoEndpoint: moto, region })).resolves.toBeUndefined();
  });

  it.each([
    "https://evil.example/?Action=ConfirmSubscription&Token=x",
    "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=x",
    `https://sns.${region}.amazonaws.com/?Action=DeleteTopic&TopicArn=x`,
  ])("refuses %s", async (url) => {
    await expect(confirmSubscription(url, { motoEndpoint: moto, region })).rejects.toThrow();
  });
});
