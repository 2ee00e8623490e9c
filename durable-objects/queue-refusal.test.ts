// Proves an edit that would be refused when it starts is refused when it is submitted (same words, no queue entry), and that a queued edit dropped at start leaves the resource's queue on every open page.
import { describe, expect, it } from "vitest";
import { type ActivityPage, type BucketAccepted, type ProjectView } from "../core/contract";
import { stackName } from "../core/naming";
import { api, deliver, eventually, login, readyBucket, readyUser, registerProject, stackEvent } from "../test/workers/harness";
import { listen } from "../test/workers/live";

const view = (cookie: string, id: string) => async () => (await api(cookie, `/api/projects/${id}`)).json<ProjectView>();
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

describe("queued edits and the rules they must pass", () => {
  it("refuses at once a queued 'versioning off' while a user can write, with the rule's words", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    await readyBucket(owner, project, "kept");
    await readyUser(owner, project, { name: "writer", permissions: [{ bucket: "kept", access: "write" }] }, stackName(project.id, "user", "writer"));
    const path = `/api/projects/${project.id}/buckets/kept`;
    const running = await api(owner, path, { method: "PATCH", body: JSON.stringify({ expireAfterDays: 30 }) });
    expect(running.status).toBe(202);

    const queued = await api(owner, path, { method: "PATCH", body: JSON.stringify({ versioning: false }) });
    expect(queued.status).toBe(409);
    const body = await queued.json<{ error: { code: string; message: string } }>();
    expect(body.error.message).toMatch(/writer can write to bucket “kept”; without versioning/);
    expect(body.error.message).not.toMatch(UUID);
    const after = await eventually(view(owner, project.id), (v) => v.buckets[0]?.lock !== undefined);
    expect(after.buckets[0]?.queue).toBeUndefined();

    // What would be fine once the running update is done is still queued (a create's settings are assumed applied).
    const fine = await api(owner, path, { method: "PATCH", body: JSON.stringify({ expireAfterDays: 60 }) });
    expect(fine.status).toBe(202);
  });

  it("refuses early only what the room can tell: behind a delete alone, not behind edits waiting or while other resources change", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    const buckets = `/api/projects/${project.id}/buckets`;
    await readyBucket(owner, project, "doomed");
    await readyBucket(owner, project, "reborn");
    await readyUser(owner, project, { name: "reader", permissions: [{ bucket: "reborn", access: "read" }] }, stackName(project.id, "user", "reader"));
    await eventually(view(owner, project.id), (v) => v.users[0]?.status === "ready");

    // Only the bucket's own delete runs: an update behind it names a bucket that will be gone.
    expect((await api(owner, `${buckets}/doomed`, { method: "DELETE" })).status).toBe(202);
    const late = await api(owner, `${buckets}/doomed`, { method: "PATCH", body: JSON.stringify({ expireAfterDays: 3 }) });
    expect(late.status).toBe(404);
    // A create queued behind the delete decides what an update after it starts from: not refused now.
    expect((await api(owner, buckets, { method: "POST", body: JSON.stringify({ name: "doomed" }) })).status).toBe(202);
    expect((await api(owner, `${buckets}/doomed`, { method: "PATCH", body: JSON.stringify({ expireAfterDays: 3 }) })).status).toBe(202);

    // While a granted user changes, a delete that takes its grants is queued, not refused as locked.
    expect((await api(owner, `/api/projects/${project.id}/users/reader`, { method: "PATCH", body: JSON.stringify({ description: "busy" }) })).status).toBe(202);
    expect((await api(owner, `${buckets}/reborn`, { method: "PATCH", body: JSON.stringify({ expireAfterDays: 9 }) })).status).toBe(202);
    const removal = await api(owner, `${buckets}/reborn?removeGrants=true`, { method: "DELETE" });
    expect(removal.status).toBe(202);
    expect((await removal.json<BucketAccepted>()).bucket.queue?.map((e) => e.action)).toEqual(["delete"]);
  });

  it("a queued edit refused when it starts leaves the queue on every open page, in words without ids", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    await readyBucket(owner, project, "shared");
    const stack = stackName(project.id, "bucket", "shared");
    const path = `/api/projects/${project.id}/buckets/shared`;
    const running = await (await api(owner, path, { method: "PATCH", body: JSON.stringify({ expireAfterDays: 30 }) })).json<BucketAccepted>();
    // Fine when submitted: nobody can write yet.
    const waiting = await api(owner, path, { method: "PATCH", body: JSON.stringify({ versioning: false }) });
    expect(waiting.status).toBe(202);
    const queued = await waiting.json<BucketAccepted>();
    expect(queued.bucket.queue?.map((e) => e.operationId)).toEqual([queued.operationId]);
    // Meanwhile a writer is granted (versioning is still on), so the queued edit can no longer start.
    await readyUser(owner, project, { name: "late-writer", permissions: [{ bucket: "shared", access: "write" }] }, stackName(project.id, "user", "late-writer"));

    const { ws, frames } = listen(await api(owner, `/api/projects/${project.id}/live?since=0`, { headers: { Upgrade: "websocket" } }));

    await deliver([stackEvent(project, stack, "UPDATE_COMPLETE", { clientRequestToken: running.operationId })]);
    const dropped = await eventually(
      async () => frames.find((f) => f.type === "change" && f.activity.operation?.id === queued.operationId && f.activity.operation.step === "failed"),
      (f) => f !== undefined,
    );
    if (dropped?.type !== "change") throw new Error("no frame for the dropped edit");
    // The frame carries the bucket, so pages drop the queued edit from their view, not just add a line.
    expect(dropped.bucket?.name).toBe("shared");
    expect(dropped.bucket?.queue).toBeUndefined();
    expect(dropped.bucket?.lock).toBeUndefined();
    expect(dropped.activity.message).toMatch(/could not start and was dropped: late-writer can write/);
    expect(dropped.activity.message).not.toMatch(UUID);
    ws.close();

    const feed = await (await api(owner, `/api/projects/${project.id}/activity?limit=100`)).json<ActivityPage>();
    for (const entry of feed.entries) expect(entry.message).not.toMatch(UUID);
  });
});
