// Proves a stuck lock heals: an operation that gets no event past the threshold is checked with DescribeStacks and the room continues from CloudFormation's truth.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ActivityPage, BucketAccepted, ProjectView } from "../core/contract";
import { api, eventually, login, registerProject } from "../test/workers/harness";

describe("stuck locks", () => {
  it("asks CloudFormation after the threshold and releases the lock with the real status", async () => {
    const project = await registerProject();
    const cookie = await login("owner@example.com");
    // moto completes the stack at once, but no event reaches this room (no bridge in this test).
    const created = await (await api(cookie, `/api/projects/${project.id}/buckets`, { method: "POST", body: JSON.stringify({ name: "silent" }) })).json<BucketAccepted>();
    expect(created.bucket.lock).toBeDefined();

    const stub = env.PROJECT_ROOM.get(env.PROJECT_ROOM.idFromName(project.id));
    // Pretend the operation started (and was last heard of) 10 minutes ago.
    await runInDurableObject(stub, (room) => {
      const stored = room.store.get("bucket", "silent");
      if (!stored?.resource.lock) throw new Error("expected a lock");
      const since = new Date(Date.now() - 600_000).toISOString();
      room.store.put("bucket", { ...stored, resource: { ...stored.resource, lock: { ...stored.resource.lock, since } } });
      room.store.setMeta("heard:bucket:silent", "0");
    });
    await runDurableObjectAlarm(stub);

    // The KV snapshot is written by the room's alarm (coalesced, ≤ 1 s after the change).
    const view = await eventually(async () => (await api(cookie, `/api/projects/${project.id}`)).json<ProjectView>(), (v) => v.buckets[0]?.status === "ready");
    expect(view.buckets[0]).toMatchObject({ name: "silent", status: "ready" });
    expect(view.buckets[0]?.lock).toBeUndefined();
    const activity = await (await api(cookie, `/api/projects/${project.id}/activity`)).json<ActivityPage>();
    expect(activity.entries.map((e) => e.message).join("\n")).toMatch(/No event for 300 s; CloudFormation says CREATE_COMPLETE/);
  });

  it("leaves a fresh lock alone", async () => {
    const project = await registerProject();
    const cookie = await login("owner@example.com");
    await api(cookie, `/api/projects/${project.id}/buckets`, { method: "POST", body: JSON.stringify({ name: "fresh" }) });
    const stub = env.PROJECT_ROOM.get(env.PROJECT_ROOM.idFromName(project.id));
    await runDurableObjectAlarm(stub);
    const view = await eventually(async () => (await api(cookie, `/api/projects/${project.id}`)).json<ProjectView>(), (v) => v.buckets.length === 1);
    expect(view.buckets[0]?.lock).toBeDefined();
  });
});
