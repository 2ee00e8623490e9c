// Proves each project's webhook accepts only batches signed with that project's own secret, fresh, well-formed, of that project's stacks in its account and not from the future — a project's bridge secret cannot move another project — and that duplicates and disorder converge.
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ProjectRecord, ProjectView, StackEvent } from "../../core/contract";
import { stackName } from "../../core/naming";
import { signBody } from "../../core/webhook-signature";
import { projectWebhookSecret } from "../../core/webhook-secret";
import { api, deliver, eventually, login, ORIGIN, randomAddress, readyBucket, registerProject, stackEvent } from "../../test/workers/harness";

const now = () => Math.floor(Date.now() / 1000);
type Envelope = { error: { code: string; message: string } };

async function post(projectId: string, body: string, signature: string | null): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json", "CF-Connecting-IP": randomAddress() };
  if (signature !== null) headers["Stackroom-Signature"] = signature;
  return SELF.fetch(`${ORIGIN}/webhooks/cloudformation/${projectId}`, { method: "POST", headers, body });
}

/** Signs `events` with `project`'s own secret (version 1 under the current root) and posts them to `to`'s webhook. */
async function signedBy(project: ProjectRecord, events: StackEvent[], to = project.id): Promise<Response> {
  const body = JSON.stringify({ events });
  return post(to, body, await signBody(body, [await projectWebhookSecret(env.WEBHOOK_SECRET, project.id, 1)], now()));
}

async function activityCount(cookie: string, projectId: string): Promise<number> {
  return (await (await api(cookie, `/api/projects/${projectId}/activity`)).json<{ entries: unknown[] }>()).entries.length;
}

describe("POST /webhooks/cloudformation/:project", () => {
  it("rejects missing, forged, stale and future signatures with 401 and changes nothing", async () => {
    const project = await registerProject();
    const cookie = await login("owner@example.com");
    const created = await (await api(cookie, `/api/projects/${project.id}/buckets`, { method: "POST", body: JSON.stringify({ name: "guarded" }) })).json<{ operationId: string }>();
    const before = await activityCount(cookie, project.id);
    const body = JSON.stringify({ events: [stackEvent(project, stackName(project.id, "bucket", "guarded"), "CREATE_COMPLETE", { clientRequestToken: created.operationId })] });
    const own = await projectWebhookSecret(env.WEBHOOK_SECRET, project.id, 1);
    const cases = [
      null,
      "garbage",
      await signBody(body, ["not-the-secret"], now()),
      // The Worker's root secret itself is not a project's secret.
      await signBody(body, [env.WEBHOOK_SECRET], now()),
      await signBody(body, [own], now() - 310),
      await signBody(body, [own], now() + 310),
      (await signBody(body, [own], now())).replace(/v1=([0-9a-f])/, (_, c: string) => `v1=${c === "0" ? "1" : "0"}`),
    ];
    for (const signature of cases) {
      const res = await post(project.id, body, signature);
      expect(res.status).toBe(401);
      expect((await res.json<Envelope>()).error.code).toBe("unauthenticated");
    }
    expect(await activityCount(cookie, project.id)).toBe(before);
  });

  // The attack of issue 8: whoever holds project A's bridge secret (anyone in A's account who can
  // read it, publish to A's topic or invoke A's Lambda) tries to delete project B's bucket.
  it("does not let one project's bridge secret move another project", async () => {
    const a = await registerProject();
    const b = await registerProject();
    const cookie = await login("owner@example.com");
    await readyBucket(cookie, b, "precious");
    const before = await activityCount(cookie, b.id);
    const forged = [stackEvent(b, stackName(b.id, "bucket", "precious"), "DELETE_COMPLETE")];

    const viaOwnUrl = await signedBy(a, forged, a.id);
    expect(viaOwnUrl.status).toBe(403);
    expect((await viaOwnUrl.json<Envelope>()).error.message).toMatch(new RegExp(`is not of project ${a.id}.*Nothing in this batch was applied`));
    const viaVictimUrl = await signedBy(a, forged, b.id);
    expect(viaVictimUrl.status).toBe(401);
    // A's secret, A's project id in the stack name, but B's account: refused too.
    const wrongAccount = await signedBy(a, [stackEvent(a, stackName(a.id, "bucket", "xyz"), "CREATE_COMPLETE", { namespace: b.accountId })], a.id);
    expect(wrongAccount.status).toBe(403);
    expect((await wrongAccount.json<Envelope>()).error.message).toMatch(/namespace .* is not account/);

    // The KV snapshot is written by the room's alarm (≤ 1 s); had the forgery worked, it would say deleted.
    const view = await eventually(async () => (await api(cookie, `/api/projects/${b.id}`)).json<ProjectView>(), (v) => v.buckets.length > 0);
    expect(view.buckets.map((x) => [x.name, x.status])).toEqual([["precious", "ready"]]);
    expect(await activityCount(cookie, b.id)).toBe(before);
  });

  it("refuses a whole batch with one foreign or far-future event, applying none of it", async () => {
    const project = await registerProject();
    const cookie = await login("owner@example.com");
    const { operationId } = await (await api(cookie, `/api/projects/${project.id}/buckets`, { method: "POST", body: JSON.stringify({ name: "held" }) })).json<{ operationId: string }>();
    const stack = stackName(project.id, "bucket", "held");
    const good = stackEvent(project, stack, "CREATE_COMPLETE", { clientRequestToken: operationId });
    const future = stackEvent(project, stack, "CREATE_COMPLETE", { clientRequestToken: operationId, timestamp: new Date(Date.now() + 6 * 60_000).toISOString() });
    const res = await signedBy(project, [good, future]);
    expect(res.status).toBe(400);
    expect((await res.json<Envelope>()).error.message).toMatch(/more than 5 minutes in the future/);
    const foreignStack = await signedBy(project, [good, stackEvent(project, "someone-elses-stack", "CREATE_COMPLETE")]);
    expect(foreignStack.status).toBe(403);
    const view = await (await api(cookie, `/api/projects/${project.id}`)).json<ProjectView>();
    expect(view.buckets[0]?.status ?? "creating").toBe("creating");
    // Slightly ahead (clock skew between AWS and the edge) is fine.
    const skewed = await signedBy(project, [{ ...good, timestamp: new Date(Date.now() + 60_000).toISOString() }]);
    expect(await skewed.json()).toMatchObject({ accepted: 1 });
  });

  it("accepts the project's previous secret while the root or the project's own secret rotates", async () => {
    const project = await registerProject();
    const event = () => stackEvent(project, stackName(project.id, "bucket", "rotated"), "CREATE_IN_PROGRESS");
    expect((await deliver([event()], env.WEBHOOK_SECRET_PREVIOUS)).status).toBe(202);
    const body = JSON.stringify({ events: [event()] });
    const own = await projectWebhookSecret(env.WEBHOOK_SECRET, project.id, 1);
    expect((await post(project.id, body, await signBody(body, ["brand-new-secret", own], now()))).status).toBe(202);

    // Ops rotate the project's own secret: the new version and the old one work until ops finish.
    const ops = { authorization: `Bearer ${env.OPS_TOKEN}`, "content-type": "application/json" };
    const started = await SELF.fetch(`${ORIGIN}/api/ops/projects/${project.id}/webhook-secret/rotate`, { method: "POST", headers: ops, body: "{}" });
    expect(started.status).toBe(200);
    const v2 = await projectWebhookSecret(env.WEBHOOK_SECRET, project.id, 2);
    expect(await started.json()).toMatchObject({ webhookSecret: `${v2},${own}` });
    for (const secret of [v2, own]) {
      const b = JSON.stringify({ events: [event()] });
      expect((await post(project.id, b, await signBody(b, [secret], now()))).status).toBe(202);
    }
    expect((await SELF.fetch(`${ORIGIN}/api/ops/projects/${project.id}/webhook-secret/finish`, { method: "POST", headers: ops, body: "{}" })).status).toBe(200);
    const late = JSON.stringify({ events: [event()] });
    expect((await post(project.id, late, await signBody(late, [own], now()))).status).toBe(401);
    expect((await post(project.id, late, await signBody(late, [v2], now()))).status).toBe(202);
  });

  it("answers 400 for signed but malformed bodies, 404 for unknown projects and the old shared route, 413 for huge bodies", async () => {
    const project = await registerProject();
    const own = await projectWebhookSecret(env.WEBHOOK_SECRET, project.id, 1);
    const good = stackEvent(project, stackName(project.id, "bucket", "xyz1"), "CREATE_COMPLETE");
    for (const body of ["{not json", JSON.stringify({ events: [] }), JSON.stringify({ events: [{ ...good, timestamp: "yesterday" }] }), JSON.stringify({ events: [{ ...good, namespace: "abc" }] })]) {
      const res = await post(project.id, body, await signBody(body, [own], now()));
      expect(res.status).toBe(400);
      expect((await res.json<Envelope>()).error.code).toBe("invalid");
    }
    expect((await post("nosuchproject", "{}", null)).status).toBe(404);
    expect((await SELF.fetch(`${ORIGIN}/webhooks/cloudformation`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).status).toBe(404);
    const huge = JSON.stringify({ events: [good], padding: "x".repeat(1024 * 1024) });
    const tooLarge = await post(project.id, huge, await signBody(huge, [own], now()));
    expect(tooLarge.status).toBe(413);
    expect((await tooLarge.json<Envelope>()).error.code).toBe("too_large");
  });

  it("skips (counts as ignored) this project's stacks of a kind this Worker does not know", async () => {
    const project = await registerProject();
    const res = await signedBy(project, [stackEvent(project, `stackroom-${project.id}-table-orders`, "CREATE_COMPLETE")]);
    expect(await res.json()).toEqual({ accepted: 0, duplicates: 0, ignored: 1 });
  });

  it("drops duplicate EventIds and converges when events arrive out of order", async () => {
    const project = await registerProject();
    const cookie = await login("owner@example.com");
    const stack = stackName(project.id, "bucket", "ordered");
    const { operationId } = await (await api(cookie, `/api/projects/${project.id}/buckets`, { method: "POST", body: JSON.stringify({ name: "ordered" }) })).json<{ operationId: string }>();
    const started = stackEvent(project, stack, "CREATE_IN_PROGRESS", { clientRequestToken: operationId });
    const done = stackEvent(project, stack, "CREATE_COMPLETE", { clientRequestToken: operationId });
    expect(await (await deliver([done])).json()).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(await (await deliver([started, done, done])).json()).toMatchObject({ accepted: 1, duplicates: 2 });
    const view = await eventually(async () => (await api(cookie, `/api/projects/${project.id}`)).json<ProjectView>(), (v) => v.buckets[0]?.status === "ready");
    expect(view.buckets[0]).toMatchObject({ status: "ready" });
    expect(view.buckets[0]?.lock).toBeUndefined();
  });
});
