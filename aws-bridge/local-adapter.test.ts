// Proves the local adapter verifies moto's SNS deliveries, forwards CloudFormation messages signed to the Worker (only its project's, when scoped), and answers 403/400/422/500 for forged, garbled, foreign and undeliverable ones.
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import * as z from "zod";
import { queryClient } from "../worker/aws";
import { confirmSubscription, startLocalAdapter, type LocalAdapter } from "./local-adapter";
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
