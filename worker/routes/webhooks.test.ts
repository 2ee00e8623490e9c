// Proves the webhook accepts only signed, fresh, well-formed batches and routes events to the right project only.
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ProjectView } from "../domain/contract";
import { stackName } from "../domain/naming";
import { signBody } from "../domain/webhook-signature";
import { api, deliver, eventually, login, ORIGIN, registerProject, stackEvent } from "../../test/workers/harness";

const now = () => Math.floor(Date.now() / 1000);

async function post(body: string, signature: string | null): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (signature !== null) headers["Stackroom-Signature"] = signature;
  return SELF.fetch(`${ORIGIN}/webhooks/cloudformation`, { method: "POST", headers, body });
}

async function activityCount(cookie: string, projectId: string): Promise<number> {
  return (await (await api(cookie, `/api/projects/${projectId}/activity`)).json<{ entries: unknown[] }>()).entries.length;
}

describe("POST /webhooks/cloudformation", () => {
  it("rejects missing, forged, stale and future signatures with 401 and changes nothing", async () => {
    const project = await registerProject();
    const cookie = await login("owner@example.com");
    const created = await (await api(cookie, `/api/projects/${project.id}/buckets`, { method: "POST", body: JSON.stringify({ name: "guarded" }) })).json<{ operationId: string }>();
    const before = await activityCount(cookie, project.id);
    const body = JSON.stringify({ events: [stackEvent(project, stackName(project.id, "bucket", "guarded"), "CREATE_COMPLETE", { clientRequestToken: created.operationId })] });
    const cases = [
      null,
      "garbage",
      await signBody(body, ["not-the-secret"], now()),
      await signBody(body, [env.WEBHOOK_SECRET], now() - 301),
      await signBody(body, [env.WEBHOOK_SECRET], now() + 301),
      (await signBody(body, [env.WEBHOOK_SECRET], now())).replace(/v1=([0-9a-f])/, (_, c: string) => `v1=${c === "0" ? "1" : "0"}`),
    ];
    for (const signature of cases) {
      const res = await post(body, signature);
      expect(res.status).toBe(401);
      expect((await res.json<{ error: { code: string } }>()).error.code).toBe("unauthenticated");
    }
    expect(await activityCount(cookie, project.id)).toBe(before);
  });

  it("accepts the previous secret during rotation and several v1 values", async () => {
    const project = await registerProject();
    const event = stackEvent(project, stackName(project.id, "bucket", "rotated"), "CREATE_IN_PROGRESS");
    expect((await deliver([event], env.WEBHOOK_SECRET_PREVIOUS)).status).toBe(202);
    const body = JSON.stringify({ events: [stackEvent(project, stackName(project.id, "bucket", "rotated"), "CREATE_IN_PROGRESS")] });
    expect((await post(body, await signBody(body, ["brand-new-secret", env.WEBHOOK_SECRET], now()))).status).toBe(202);
  });

  it("answers 400 for signed but malformed bodies", async () => {
    const project = await registerProject();
    const good = stackEvent(project, stackName(project.id, "bucket", "xyz1"), "CREATE_COMPLETE");
    for (const body of ["{not json", JSON.stringify({ events: [] }), JSON.stringify({ events: [{ ...good, timestamp: "yesterday" }] }), JSON.stringify({ events: [{ ...good, namespace: "abc" }] })]) {
      const res = await post(body, await signBody(body, [env.WEBHOOK_SECRET], now()));
      expect(res.status).toBe(400);
      expect((await res.json<{ error: { code: string } }>()).error.code).toBe("invalid");
    }
  });

  it("ignores events of unknown projects, foreign stacks and the wrong AWS account", async () => {
    const project = await registerProject();
    const res = await deliver([
      stackEvent(project, "someone-elses-stack", "CREATE_COMPLETE"),
      stackEvent(project, stackName("nosuchproject", "bucket", "bbb"), "CREATE_COMPLETE"),
      stackEvent(project, stackName(project.id, "bucket", "bbb"), "CREATE_COMPLETE", { namespace: "999999999999" }),
    ]);
    expect(await res.json()).toEqual({ accepted: 0, duplicates: 0, ignored: 3 });
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
