// Proves deliverEvents POSTs signed batches of ≤100 to a real HTTP server, retries 5xx/429/network errors and redirects (never followed) with bounded backoff, and throws on final or permanent failure.
import { createServer } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { StackEvent } from "../core/contract/stack-event";
import { deliverEvents, WebhookDeliveryError, type DeliveryOptions } from "./deliver-events";
import { startWebhookReceiver, type WebhookReceiver } from "../test/aws-bridge/webhook-receiver";

const secrets = ["bridge-secret"];
let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  await receiver?.stop();
  receiver = undefined;
});

function event(i: number): StackEvent {
  return {
    stackId: "arn:aws:cloudformation:eu-west-1:111111111111:stack/stackroom-demo-bucket-a/abc",
    stackName: "stackroom-demo-bucket-a",
    eventId: `event-${i}`,
    logicalResourceId: "stackroom-demo-bucket-a",
    resourceType: "AWS::CloudFormation::Stack",
    resourceStatus: "CREATE_COMPLETE",
    timestamp: "2026-11-24T23:55:32.755Z",
    namespace: "111111111111",
  };
}

/** Records the backoff delays instead of waiting them out. */
function fastOptions(url: string, extra: Partial<DeliveryOptions> = {}) {
  const delays: number[] = [];
  const logs: string[] = [];
  const options: DeliveryOptions = {
    url,
    secrets,
    sleep: async (ms) => {
      delays.push(ms);
    },
    random: () => 0.5,
    log: (message) => logs.push(message),
    ...extra,
  };
  return { options, delays, logs };
}

describe("deliverEvents", () => {
  it("posts one signed, schema-valid batch", async () => {
    receiver = await startWebhookReceiver({ secrets });
    const result = await deliverEvents([event(1), event(2)], fastOptions(receiver.url).options);
    expect(result).toEqual({ batches: 1, attempts: 1 });
    const [post] = receiver.posts;
    expect(post?.signature.ok).toBe(true);
    expect(post?.headers["content-type"]).toBe("application/json");
    expect(post?.batch?.events.map((e) => e.eventId)).toEqual(["event-1", "event-2"]);
  });

  it("splits 250 events into batches of 100, 100 and 50", async () => {
    receiver = await startWebhookReceiver({ secrets });
    const events = Array.from({ length: 250 }, (_, i) => event(i));
    expect(await deliverEvents(events, fastOptions(receiver.url).options)).toEqual({ batches: 3, attempts: 3 });
    expect(receiver.posts.map((p) => p.batch?.events.length)).toEqual([100, 100, 50]);
    expect(receiver.events().map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
  });

  it("retries 503 and 429 with growing jittered delays, re-signing each attempt", async () => {
    receiver = await startWebhookReceiver({ secrets, script: [503, 429, 500] });
    const { options, delays } = fastOptions(receiver.url, { baseDelayMs: 100 });
    expect(await deliverEvents([event(1)], options)).toEqual({ batches: 1, attempts: 4 });
    expect(delays).toEqual([50, 100, 200]);
    expect(receiver.posts.every((p) => p.signature.ok)).toBe(true);
  });

  it("honours Retry-After only up to maxDelayMs", async () => {
    receiver = await startWebhookReceiver({ secrets, script: [429] });
    const { options, delays } = fastOptions(receiver.url, { maxDelayMs: 700 });
    const slowDown: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      return new Response(response.body, { status: response.status, headers: { "retry-after": "30" } });
    };
    await deliverEvents([event(1)], { ...options, fetch: slowDown });
    expect(delays).toEqual([700]);
  });

  it("throws a retryable WebhookDeliveryError after the last attempt", async () => {
    receiver = await startWebhookReceiver({ secrets, script: [500, 502, 503, 504] });
    const { options, logs } = fastOptions(receiver.url);
    const failure = await deliverEvents([event(1)], options).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(WebhookDeliveryError);
    expect(failure).toMatchObject({ permanent: false, status: 504 });
    expect(receiver.posts).toHaveLength(4);
    expect(logs.at(-1)).toContain("giving up");
  });

  it("does not retry a 401 and logs the Worker's answer", async () => {
    receiver = await startWebhookReceiver({ secrets: ["the-worker-knows-another"] });
    const { options, logs } = fastOptions(receiver.url);
    await expect(deliverEvents([event(1)], options)).rejects.toMatchObject({ permanent: true, status: 401 });
    expect(receiver.posts).toHaveLength(1);
    expect(logs).toEqual(["webhook refused the batch; not retrying"]);
  });

  it("treats a timeout and a refused connection as retryable network errors", async () => {
    receiver = await startWebhookReceiver({ secrets, delayMs: 500 });
    const { options } = fastOptions(receiver.url, { timeoutMs: 100, attempts: 2 });
    await expect(deliverEvents([event(1)], options)).rejects.toMatchObject({ permanent: false, status: undefined });
    expect(receiver.posts).toHaveLength(2);

    const closed = receiver.url;
    await receiver.stop();
    receiver = undefined;
    const { options: again, delays } = fastOptions(closed, { attempts: 3 });
    await expect(deliverEvents([event(1)], again)).rejects.toThrow("network error");
    expect(delays).toHaveLength(2);
  });

  it("never follows a redirect to a login page: retried, then thrown naming the target", async () => {
    // A webhook wrongly behind Cloudflare Access: the POST is answered 302 to the team's login page,
    // which answers a GET with 200 (what a followed redirect would count as delivered).
    const requests: string[] = [];
    const access = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      req.resume();
      if (req.method === "GET" && req.url?.startsWith("/cdn-cgi/access/login")) return void res.writeHead(200, { "content-type": "text/html" }).end("<h1>Sign in</h1>");
      res.writeHead(302, { location: "/cdn-cgi/access/login?redirect_url=%2Fwebhooks%2Fcloudformation%2Fdemo" }).end();
    });
    await new Promise<void>((resolve) => access.listen(0, "127.0.0.1", resolve));
    try {
      const address = access.address();
      const origin = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
      const url = `${origin}/webhooks/cloudformation/demo`;
      expect((await fetch(url, { method: "POST", body: "{}" })).status, "a followed redirect looks delivered").toBe(200);
      requests.length = 0;

      const { options, delays, logs } = fastOptions(url);
      const failure = await deliverEvents([event(1)], options).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(WebhookDeliveryError);
      expect(failure).toMatchObject({ permanent: false, status: 302 });
      expect(String(failure)).toContain(`redirected to ${origin}/cdn-cgi/access/login?redirect_url=%2Fwebhooks%2Fcloudformation%2Fdemo`);
      expect(requests).toEqual(Array(4).fill("POST /webhooks/cloudformation/demo"));
      expect(delays).toHaveLength(3);
      expect(logs.at(-1)).toContain("giving up");
    } finally {
      access.closeAllConnections();
      await new Promise<void>((resolve) => access.close(() => resolve()));
    }
  });

  it("sends nothing for no events", async () => {
    expect(await deliverEvents([], fastOptions("http://127.0.0.1:9/").options)).toEqual({ batches: 0, attempts: 0 });
  });
});
