// Proves project notifications end to end: members read the settings, only owners change them or send a test, bad URLs change nothing; a real receiver gets the test message, exactly one digest for a burst of object events into one bucket, a json message whose signature verifies with the project's secret; a 500 is retried (the log shows the failure, then the success), a 404 or a redirect is not; a failed operation and an opened link are told; storage stays bounded.
import { env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { NotificationsSaved, NotificationsView, NotificationTestResult, NOTIFICATION_SIGNATURE_HEADER, SHARE_PROOF_HEADER, type CreatedKey, type CreatedShare, type PutNotificationsBody } from "../../core/contract";
import { stackName } from "../../core/naming";
import { DELIVERIES_KEPT, OUTBOX_MAX } from "../../durable-objects/notification-store";
import { verifySignature } from "../../core/webhook-signature";
import { api, deliver, deliverObjects, eventually, login, objectEvent, ORIGIN, randomId, readyBucket, readyUser, registerProject, stackEvent } from "../../test/workers/harness";

const { TEST_NOTIFICATION_RECEIVER: receiver } = z.object({ TEST_NOTIFICATION_RECEIVER: z.string() }).parse(env);
const Received = z.object({ requests: z.array(z.object({ headers: z.record(z.string(), z.string()), body: z.string(), status: z.number() })) });

const room = (projectId: string) => env.PROJECT_ROOM.get(env.PROJECT_ROOM.idFromName(projectId));

/** A hook of its own at the receiver, answering `statuses` first (then 200). */
async function hook(statuses: number[] = []): Promise<{ url: string; received: () => Promise<z.infer<typeof Received>["requests"]> }> {
  const id = randomId("hook");
  if (statuses.length > 0) await fetch(`${receiver}/__script/${id}`, { method: "POST", body: JSON.stringify({ statuses }) });
  return { url: `${receiver}/hooks/${id}`, received: async () => Received.parse(await (await fetch(`${receiver}/__received/${id}`)).json()).requests };
}

async function configure(owner: string, projectId: string, body: PutNotificationsBody): Promise<NotificationsSaved> {
  const res = await api(owner, `/api/projects/${projectId}/notifications`, { method: "PUT", body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(200);
  return NotificationsSaved.parse(await res.json());
}

const view = async (cookie: string, projectId: string) => NotificationsView.parse(await (await api(cookie, `/api/projects/${projectId}/notifications`)).json());

/** Sends what is waiting now, as the alarm would at the windows' ends (instead of waiting for them). */
async function fireWindows(projectId: string): Promise<void> {
  await runInDurableObject(room(projectId), (_r, state) => {
    state.storage.sql.exec("UPDATE notification_outbox SET due_ms = 0");
  });
  await runDurableObjectAlarm(room(projectId));
}

const waiting = (projectId: string) => runInDurableObject(room(projectId), (_r, state) => state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM notification_outbox").one().n);

describe("notification settings", () => {
  it("members read them; only owners change them or send a test; a bad URL is refused by field and changes nothing", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    const editor = await login("editor@example.com");
    const viewer = await login("viewer@example.com");
    const path = `/api/projects/${project.id}/notifications`;
    const first = await view(viewer, project.id);
    expect(first).toMatchObject({ webhookUrl: null, secretSet: false, deliveries: [] });

    const good: PutNotificationsBody = { webhookUrl: "https://hooks.slack.com/services/T000/B000/XXXX", format: "slack", events: ["upload", "failure"], digestMinutes: 5 };
    for (const cookie of [editor, viewer]) {
      expect((await api(cookie, path, { method: "PUT", body: JSON.stringify(good) })).status).toBe(403);
      expect((await api(cookie, `${path}/test`, { method: "POST", body: "{}" })).status).toBe(403);
    }

    const bad: Array<[Partial<PutNotificationsBody>, string]> = [
      [{ webhookUrl: "http://hooks.example.com/x" }, "webhookUrl"],
      [{ webhookUrl: "https://user:pw@hooks.example.com/x" }, "webhookUrl"],
      [{ webhookUrl: "https://10.1.2.3/x" }, "webhookUrl"],
      [{ webhookUrl: "https://169.254.169.254/latest" }, "webhookUrl"],
      [{ webhookUrl: "https://192.168.0.10/x" }, "webhookUrl"],
      [{ webhookUrl: "https://[fe80::1]/x" }, "webhookUrl"],
      [{ webhookUrl: "http://10.0.0.1/x" }, "webhookUrl"],
      [{ webhookUrl: "ftp://hooks.example.com/x" }, "webhookUrl"],
      [{ webhookUrl: "not a url" }, "webhookUrl"],
      [{ webhookUrl: `https://hooks.example.com/${"a".repeat(2048)}` }, "webhookUrl"],
      [{ format: "email" as "json" }, "format"],
      [{ events: ["everything" as "upload"] }, "events.0"],
      [{ digestMinutes: 61 }, "digestMinutes"],
      [{ digestMinutes: 1.5 }, "digestMinutes"],
    ];
    for (const [change, field] of bad) {
      const res = await api(owner, path, { method: "PUT", body: JSON.stringify({ ...good, ...change }) });
      expect(res.status, JSON.stringify(change)).toBe(400);
      const body = await res.json<{ error: { code: string; fields?: Record<string, string> } }>();
      expect(body.error.code).toBe("invalid");
      expect(Object.keys(body.error.fields ?? {}), JSON.stringify(change)).toContain(field);
    }
    expect(await view(owner, project.id)).toEqual(first);

    const saved = await configure(owner, project.id, good);
    expect(saved).toMatchObject({ ...good, secretSet: false });
    expect(saved.secret).toBeUndefined();
    const activity = await (await api(viewer, `/api/projects/${project.id}/activity?limit=1`)).json<{ entries: Array<{ actor: string; message: string }> }>();
    expect(activity.entries[0]).toMatchObject({ actor: "owner@example.com", message: "owner@example.com set the project's notifications to Slack at hooks.slack.com: uploads, failed operations, every 5 minutes" });
    // The URL lets anyone post to the channel: only owners see it whole.
    expect((await view(viewer, project.id)).webhookUrl).toBe("https://hooks.slack.com/…");
    expect((await view(owner, project.id)).webhookUrl).toBe(good.webhookUrl);

    // The json format's signing secret is shown once, when it is made; rotating makes another.
    const json = await configure(owner, project.id, { ...good, format: "json" });
    expect(json.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(json.secretSet).toBe(true);
    expect((await configure(owner, project.id, { ...good, format: "json" })).secret).toBeUndefined();
    const rotated = await configure(owner, project.id, { ...good, format: "json", rotateSecret: true });
    expect(rotated.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(rotated.secret).not.toBe(json.secret);
    expect(JSON.stringify(await view(owner, project.id))).not.toContain(rotated.secret);
  });
});

describe("notification delivery", () => {
  it("sends a test message at once and answers how it went", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    expect((await api(owner, `/api/projects/${project.id}/notifications/test`, { method: "POST", body: "{}" })).status).toBe(409);
    const target = await hook();
    await configure(owner, project.id, { webhookUrl: target.url, format: "slack", events: ["upload"], digestMinutes: 0 });
    const res = await api(owner, `/api/projects/${project.id}/notifications/test`, { method: "POST", body: "{}" });
    expect(res.status).toBe(200);
    expect(NotificationTestResult.parse(await res.json()).delivery).toMatchObject({ outcome: "ok", status: 200, attempt: 1, summary: "Test message" });
    const [message, ...more] = await target.received();
    expect(more).toEqual([]);
    const slack = z.object({ text: z.string(), blocks: z.array(z.object({ type: z.literal("section"), text: z.object({ type: z.literal("mrkdwn"), text: z.string() }) })).length(1) }).parse(JSON.parse(message?.body ?? ""));
    expect(slack.text).toContain(`Test message sent by owner@example.com: notifications of ${project.name} arrive here.`);
    expect((await view(owner, project.id)).deliveries.map((d) => d.outcome)).toEqual(["ok"]);
  });

  it("sends exactly one digest for a burst of object events into one bucket, when the window ends", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    await readyBucket(owner, project, "drop");
    const target = await hook();
    await configure(owner, project.id, { webhookUrl: target.url, format: "teams", events: ["upload"], digestMinutes: 5 });
    // 600 events over three minutes: the line spans at least two clock minutes.
    const base = Date.now() - 240_000;
    for (let b = 0; b < 3; b++) {
      const batch = Array.from({ length: 200 }, (_, i) => objectEvent(project, "drop", `incoming/${b}-${i}.csv`, { size: 2_000_000, at: new Date(base + (b * 200 + i) * 300).toISOString() }));
      expect((await deliverObjects(project, batch)).status).toBe(202);
    }
    // A delete is not selected: it is dropped, not gathered.
    await deliverObjects(project, [objectEvent(project, "drop", "incoming/0-0.csv", { event: "removed" })]);
    expect(await waiting(project.id)).toBe(1);
    expect(await target.received()).toEqual([]);

    await fireWindows(project.id);
    const requests = await eventually(target.received, (r) => r.length > 0);
    expect(requests).toHaveLength(1);
    const card = z.object({
      type: z.literal("message"),
      attachments: z.array(z.object({ contentType: z.literal("application/vnd.microsoft.card.adaptive"), content: z.object({ type: z.literal("AdaptiveCard"), version: z.literal("1.4"), body: z.array(z.object({ type: z.literal("TextBlock"), text: z.string() })) }) })).length(1),
    }).parse(JSON.parse(requests[0]?.body ?? ""));
    const lines = card.attachments[0]?.content.body.map((b) => b.text) ?? [];
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^someone outside Stackroom uploaded 600 files, 1\.2 GB, to drop\/incoming\/ · \d\d:\d\d–\d\d:\d\d UTC$/);
    expect(await waiting(project.id)).toBe(0);
    expect((await view(owner, project.id)).deliveries).toMatchObject([{ outcome: "ok", status: 200, attempt: 1, summary: "3 uploads" }]);
  });

  it("signs the json format with the project's secret", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    await readyBucket(owner, project, "signed");
    const target = await hook();
    const { secret } = await configure(owner, project.id, { webhookUrl: target.url, format: "json", events: ["upload"], digestMinutes: 0 });
    expect((await deliverObjects(project, [objectEvent(project, "signed", "a/one.bin", { size: 10 }), objectEvent(project, "signed", "a/two.bin", { size: 20 })])).status).toBe(202);
    const [message] = await eventually(target.received, (r) => r.length > 0);
    if (!message || !secret) throw new Error("no message or no secret");
    const check = await verifySignature(message.headers[NOTIFICATION_SIGNATURE_HEADER.toLowerCase()], message.body, [secret], Date.now() / 1000);
    expect(check.ok).toBe(true);
    expect((await verifySignature(message.headers[NOTIFICATION_SIGNATURE_HEADER.toLowerCase()], message.body, ["another-secret"], Date.now() / 1000)).ok).toBe(false);
    expect(JSON.parse(message.body)).toMatchObject({ project: project.id, events: [{ type: "upload", bucket: "signed", files: 2, bytes: 30, prefix: "a/" }] });
  });

  it("retries a receiver that answers 500, and the log shows the failure, then the success", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    await readyBucket(owner, project, "flaky");
    const target = await hook([500]);
    await configure(owner, project.id, { webhookUrl: target.url, format: "slack", events: ["upload"], digestMinutes: 0 });
    await deliverObjects(project, [objectEvent(project, "flaky", "x.csv")]);
    await eventually(target.received, (r) => r.length >= 1);
    const failed = await eventually(() => view(owner, project.id), (v) => v.deliveries.length >= 1);
    expect(failed.deliveries[0]).toMatchObject({ outcome: "failed", status: 500, attempt: 1 });
    expect(failed.deliveries[0]?.nextRetryAt).toBeDefined();
    expect(await waiting(project.id)).toBe(1);

    await fireWindows(project.id);
    const requests = await eventually(target.received, (r) => r.length >= 2);
    expect(requests.map((r) => r.status)).toEqual([500, 200]);
    expect(requests[1]?.body).toBe(requests[0]?.body);
    const after = await eventually(() => view(owner, project.id), (v) => v.deliveries.length >= 2);
    expect(after.deliveries.map((d) => [d.outcome, d.status, d.attempt])).toEqual([["ok", 200, 2], ["failed", 500, 1]]);
    expect(await waiting(project.id)).toBe(0);
  });

  it.each([404, 302])("does not retry a %i: a 4xx other than 429 fails at once, and a redirect is never followed", async (status) => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    await readyBucket(owner, project, "gone");
    const target = await hook([status]);
    await configure(owner, project.id, { webhookUrl: target.url, format: "slack", events: ["upload"], digestMinutes: 0 });
    await deliverObjects(project, [objectEvent(project, "gone", "x.csv")]);
    const logged = await eventually(() => view(owner, project.id), (v) => v.deliveries.length >= 1);
    expect(logged.deliveries).toHaveLength(1);
    expect(logged.deliveries[0]).toMatchObject({ outcome: "failed", status, attempt: 1 });
    expect(logged.deliveries[0]?.nextRetryAt).toBeUndefined();
    expect(await waiting(project.id)).toBe(0);
    expect(await target.received()).toHaveLength(1);
  });

  it("tells a failed operation and an opened link", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    const target = await hook();
    await configure(owner, project.id, { webhookUrl: target.url, format: "json", events: ["failure", "link-opened"], digestMinutes: 0 });

    const created = await api(owner, `/api/projects/${project.id}/buckets`, { method: "POST", body: JSON.stringify({ name: "broken" }) });
    const { operationId } = await created.json<{ operationId: string }>();
    await deliver([stackEvent(project, stackName(project.id, "bucket", "broken"), "ROLLBACK_COMPLETE", { clientRequestToken: operationId, resourceStatusReason: "The bucket name is taken" })]);

    await readyUser(owner, project, { name: "partner" }, stackName(project.id, "user", "partner"));
    const key = await (await api(owner, `/api/projects/${project.id}/users/partner/keys`, { method: "POST", body: "{}" })).json<CreatedKey>();
    const b64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const proof = b64url(crypto.getRandomValues(new Uint8Array(32)));
    const sealed = { ciphertext: b64url(crypto.getRandomValues(new Uint8Array(64))), iv: b64url(crypto.getRandomValues(new Uint8Array(12))), proof };
    const share = await (await api(owner, `/api/projects/${project.id}/shares`, { method: "POST", body: JSON.stringify({ user: "partner", accessKeyId: key.accessKeyId, ...sealed }) })).json<CreatedShare>();
    expect((await SELF.fetch(`${ORIGIN}/api/shares/${share.id}`, { headers: { [SHARE_PROOF_HEADER]: proof } })).status).toBe(200);

    const requests = await eventually(target.received, (r) => r.length >= 2);
    const events = requests.flatMap((r) => z.object({ events: z.array(z.object({ type: z.string() }).passthrough()) }).parse(JSON.parse(r.body)).events);
    expect(events).toEqual([
      expect.objectContaining({ type: "failure", kind: "bucket", name: "broken", message: expect.stringContaining("The bucket name is taken") }),
      expect.objectContaining({ type: "link-opened", user: "partner" }),
    ]);
  });

  it("keeps its storage bounded: at most 100 waiting messages and the last 50 deliveries", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    const target = await hook();
    await configure(owner, project.id, { webhookUrl: target.url, format: "slack", events: ["link-opened"], digestMinutes: 60 });
    // 150 windows open at once (one per user), as a project with many partners and a dead webhook would gather.
    await runInDurableObject(room(project.id), (r) => {
      for (let i = 0; i < 150; i++) r.notify({ type: "link-opened", user: `partner-${i}`, at: new Date().toISOString() });
    });
    expect(await waiting(project.id)).toBe(OUTBOX_MAX);
    // Twelve alarms' worth of sending, two hours on (the windows are over).
    for (let i = 0; i < 12; i++) await runInDurableObject(room(project.id), (r) => r.notifications.deliverDue(project, Date.now() + 7_200_000));
    expect((await target.received()).length).toBe(60);
    expect((await view(owner, project.id)).deliveries).toHaveLength(DELIVERIES_KEPT);
    expect(await waiting(project.id)).toBe(OUTBOX_MAX - 60);
  });
});
