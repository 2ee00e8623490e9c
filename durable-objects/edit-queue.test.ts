// Proves the per-resource FIFO queue: concurrent edits wait behind the running one, survive a reset of the room, can be cancelled, run in order (updates merged), and every 202'd edit is accounted for.
import { abortAllDurableObjects } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ActivityPage, BucketAccepted, ProjectView } from "../core/contract";
import { stackName } from "../core/naming";
import { api, deliver, eventually, login, readyBucket, registerProject, stackEvent } from "../test/workers/harness";

const view = (cookie: string, id: string) => async () => (await api(cookie, `/api/projects/${id}`)).json<ProjectView>();

describe("edit queue", () => {
  it("queues 10 concurrent edits behind a running one and ends at the last one's spec", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    const editor = await login("editor@example.com");
    await readyBucket(owner, project, "busy");
    const stack = stackName(project.id, "bucket", "busy");
    const path = `/api/projects/${project.id}/buckets/busy`;
    const running = await (await api(owner, path, { method: "PATCH", body: JSON.stringify({ versioning: false }) })).json<BucketAccepted>();
    expect(running.bucket.lock?.operationId).toBe(running.operationId);

    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => api(i % 2 ? editor : owner, path, { method: "PATCH", body: JSON.stringify({ expireAfterDays: i + 1 }) })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(202));
    const accepted = await Promise.all(responses.map((r) => r.json<BucketAccepted>()));
    const ids = new Set(accepted.map((a) => a.operationId));
    expect(ids.size).toBe(10);

    const queued = await eventually(view(owner, project.id), (v) => v.buckets[0]?.queue?.length === 10);
    const order = queued.buckets[0]?.queue ?? [];
    expect(order.map((e) => e.operationId).sort()).toEqual([...ids].sort());
    expect(queued.buckets[0]?.lock?.operationId).toBe(running.operationId);

    // Eviction while edits wait loses none.
    await abortAllDurableObjects();
    // The 3rd in line is cancelled by its author; it must never run.
    const cancelled = order[2];
    if (!cancelled) throw new Error("missing queued edit");
    const canceller = cancelled.by === "owner@example.com" ? owner : editor;
    expect((await api(canceller, `/api/projects/${project.id}/operations/${cancelled.operationId}`, { method: "DELETE" })).status).toBe(200);

    // The running update finishes: the remaining 9 updates start as ONE merged stack update.
    await deliver([stackEvent(project, stack, "UPDATE_COMPLETE", { clientRequestToken: running.operationId })]);
    const merged = await eventually(view(owner, project.id), (v) => v.buckets[0]?.lock !== undefined && v.buckets[0]?.queue === undefined);
    const head = order.find((e) => e.operationId !== cancelled.operationId);
    expect(merged.buckets[0]?.lock?.operationId).toBe(head?.operationId);
    const last = order.at(-1);
    const lastDays = accepted.findIndex((a) => a.operationId === last?.operationId) + 1;
    expect(merged.buckets[0]?.spec).toMatchObject({ versioning: false, expireAfterDays: lastDays });

    await deliver([stackEvent(project, stack, "UPDATE_COMPLETE", { clientRequestToken: head?.operationId })]);
    const done = await eventually(view(owner, project.id), (v) => v.buckets[0]?.status === "ready" && !v.buckets[0]?.lock);
    expect(done.buckets[0]?.spec.expireAfterDays).toBe(lastDays);

    const activity = await (await api(owner, `/api/projects/${project.id}/activity?limit=100`)).json<ActivityPage>();
    const text = activity.entries.map((e) => e.message).join("\n");
    expect(text).toMatch(/Merged 9 queued updates/);
    const mergedLine = activity.entries.find((e) => /Merged 9 queued updates/.test(e.message));
    for (const edit of order) {
      if (edit.operationId === cancelled.operationId) expect(text).toMatch(new RegExp(`cancelled the queued edit .* by ${cancelled.by}`));
      else expect([mergedLine?.operation?.id, ...(mergedLine?.operation?.merged ?? [])]).toContain(edit.operationId);
    }
  });

  it("runs a queued delete only after the update before it, in order", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    await readyBucket(owner, project, "ordered");
    const stack = stackName(project.id, "bucket", "ordered");
    const path = `/api/projects/${project.id}/buckets/ordered`;
    const first = await (await api(owner, path, { method: "PATCH", body: JSON.stringify({ versioning: false }) })).json<BucketAccepted>();
    const second = await (await api(owner, path, { method: "PATCH", body: JSON.stringify({ expireAfterDays: 5 }) })).json<BucketAccepted>();
    const third = await (await api(owner, path, { method: "DELETE" })).json<BucketAccepted>();
    expect(third.bucket.queue?.map((e) => e.action)).toEqual(["update", "delete"]);

    await deliver([stackEvent(project, stack, "UPDATE_COMPLETE", { clientRequestToken: first.operationId })]);
    const updating = await eventually(view(owner, project.id), (v) => v.buckets[0]?.lock?.operationId === second.operationId);
    expect(updating.buckets[0]?.queue?.map((e) => e.operationId)).toEqual([third.operationId]);
    await deliver([stackEvent(project, stack, "UPDATE_COMPLETE", { clientRequestToken: second.operationId })]);
    const deleting = await eventually(view(owner, project.id), (v) => v.buckets[0]?.lock?.operationId === third.operationId);
    expect(deleting.buckets[0]?.status).toBe("deleting");
  });

  it("refuses with 409 locked when the caller asks not to queue; only the author or an owner may cancel", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    const editor = await login("editor@example.com");
    await readyBucket(owner, project, "strict");
    const path = `/api/projects/${project.id}/buckets/strict`;
    await api(owner, path, { method: "PATCH", body: JSON.stringify({ versioning: false }) });
    const refused = await api(editor, path, { method: "PATCH", body: JSON.stringify({ expireAfterDays: 3, queue: false }) });
    expect(refused.status).toBe(409);
    expect((await refused.json<{ error: { code: string; message: string } }>()).error).toMatchObject({ code: "locked", message: expect.stringContaining("owner@example.com") });

    const mine = await (await api(owner, path, { method: "PATCH", body: JSON.stringify({ expireAfterDays: 3 }) })).json<BucketAccepted>();
    expect((await api(editor, `/api/projects/${project.id}/operations/${mine.operationId}`, { method: "DELETE" })).status).toBe(403);
    expect((await api(owner, `/api/projects/${project.id}/operations/${crypto.randomUUID()}`, { method: "DELETE" })).status).toBe(404);
  });
});
