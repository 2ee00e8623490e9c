// Proves a queued edit that cannot start because another resource is changing waits for that change instead of being dropped: it starts once the change ends, or fails visibly (feed and queue) if it still cannot.
import { describe, expect, it } from "vitest";
import type { ActivityPage, BucketAccepted, ProjectRecord, ProjectView, UserAccepted } from "../core/contract";
import { stackName } from "../core/naming";
import { api, deliver, eventually, login, readyBucket, readyUser, registerProject, stackEvent } from "../test/workers/harness";

const view = (cookie: string, id: string) => async () => (await api(cookie, `/api/projects/${id}`)).json<ProjectView>();
const feed = async (cookie: string, id: string) => (await (await api(cookie, `/api/projects/${id}/activity?limit=100`)).json<ActivityPage>()).entries;

/**
 * User `partner` (granted `home`) is being updated; an update granting `wanted` too is queued
 * behind it; then `wanted` starts being deleted; then the user's update completes. Answers the
 * queued edit's id and the bucket delete's.
 */
async function grantQueuedBehindBucketDelete(owner: string, project: ProjectRecord): Promise<{ queued: string; bucketDelete: string }> {
  await readyBucket(owner, project, "home");
  await readyBucket(owner, project, "wanted");
  await readyUser(owner, project, { name: "partner", permissions: [{ bucket: "home", access: "read" }] }, stackName(project.id, "user", "partner"));
  await eventually(view(owner, project.id), (v) => v.users[0]?.status === "ready" && v.buckets.every((b) => b.status === "ready"));
  const user = `/api/projects/${project.id}/users/partner`;
  const running = await (await api(owner, user, { method: "PATCH", body: JSON.stringify({ description: "busy" }) })).json<UserAccepted>();
  const grant = await api(owner, user, { method: "PATCH", body: JSON.stringify({ permissions: [{ bucket: "home", access: "read" }, { bucket: "wanted", access: "read" }] }) });
  expect(grant.status).toBe(202);
  const queued = await grant.json<UserAccepted>();
  expect(queued.user.queue?.map((e) => e.operationId)).toEqual([queued.operationId]);
  const removal = await api(owner, `/api/projects/${project.id}/buckets/wanted`, { method: "DELETE" });
  expect(removal.status).toBe(202);
  const bucketDelete = (await removal.json<BucketAccepted>()).operationId;

  await deliver([stackEvent(project, stackName(project.id, "user", "partner"), "UPDATE_COMPLETE", { clientRequestToken: running.operationId })]);
  // The user is free, the edit cannot start (the bucket is being deleted): it stays queued, and the feed says why.
  const waiting = await eventually(
    async () => feed(owner, project.id),
    (entries) => entries.some((e) => e.kind === "user" && e.name === "partner" && /cannot start yet/.test(e.message)),
  );
  const line = waiting.find((e) => e.kind === "user" && e.name === "partner" && /cannot start yet/.test(e.message));
  expect(line).toMatchObject({ tone: "info", actor: "Stackroom" });
  expect(line?.message).toMatch(/^The queued edit by owner@example.com \(update permissions/);
  expect(line?.message).toMatch(/Bucket “wanted” is being deleted/);
  expect(line?.message).toMatch(/bucket wanted/);
  const now = await eventually(view(owner, project.id), (v) => v.users.some((u) => u.name === "partner" && !u.lock && u.queue?.length === 1));
  const partner = now.users.find((u) => u.name === "partner");
  expect(partner?.lock).toBeUndefined();
  expect(partner?.queue?.map((e) => e.operationId)).toEqual([queued.operationId]);
  expect(waiting.some((e) => e.operation?.id === queued.operationId && e.operation.step === "failed")).toBe(false);
  return { queued: queued.operationId, bucketDelete };
}

describe("a queued edit waits for the other resources it needs", () => {
  it("a queued grant on a bucket being deleted waits, and starts when the delete fails", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    const { queued, bucketDelete } = await grantQueuedBehindBucketDelete(owner, project);

    await deliver([stackEvent(project, stackName(project.id, "bucket", "wanted"), "DELETE_FAILED", { clientRequestToken: bucketDelete, resourceStatusReason: "The bucket you tried to delete is not empty" })]);
    const started = await eventually(view(owner, project.id), (v) => v.users.find((u) => u.name === "partner")?.lock?.operationId === queued, 8_000);
    const partner = started.users.find((u) => u.name === "partner");
    expect(partner?.lock?.operationId).toBe(queued);
    expect(partner?.queue).toBeUndefined();
    expect(partner?.spec.permissions.map((p) => p.bucket)).toEqual(["home", "wanted"]);
    // Said once, however often the room looked again while it waited.
    expect((await feed(owner, project.id)).filter((e) => /cannot start yet/.test(e.message))).toHaveLength(1);
  });

  it("a queued grant on a bucket that is then deleted fails visibly, with the reason, and leaves the queue", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    const { queued, bucketDelete } = await grantQueuedBehindBucketDelete(owner, project);

    await deliver([stackEvent(project, stackName(project.id, "bucket", "wanted"), "DELETE_COMPLETE", { clientRequestToken: bucketDelete })]);
    const entries = await eventually(
      async () => feed(owner, project.id),
      (list) => list.some((e) => e.operation?.id === queued && e.operation.step === "failed"),
      8_000,
    );
    const failed = entries.find((e) => e.operation?.id === queued && e.operation.step === "failed");
    expect(failed).toMatchObject({ tone: "error", kind: "user", name: "partner" });
    expect(failed?.message).toMatch(/could not start and was dropped: There is no bucket named “wanted”/);
    const after = await eventually(view(owner, project.id), (v) => v.users.find((u) => u.name === "partner")?.queue === undefined);
    const partner = after.users.find((u) => u.name === "partner");
    expect(partner?.queue).toBeUndefined();
    expect(partner?.lock).toBeUndefined();
    expect(partner?.spec.permissions.map((p) => p.bucket)).toEqual(["home"]);
  });

  it("two queued updates merged into one run that cannot start both fail visibly, each under its own operation", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    const { queued, bucketDelete } = await grantQueuedBehindBucketDelete(owner, project);
    // A second update behind the waiting one, also naming the doomed bucket: the room merges the two into one run.
    const second = await api(owner, `/api/projects/${project.id}/users/partner`, { method: "PATCH", body: JSON.stringify({ permissions: [{ bucket: "wanted", access: "readwrite" }] }) });
    expect(second.status).toBe(202);
    const later = (await second.json<UserAccepted>()).operationId;

    await deliver([stackEvent(project, stackName(project.id, "bucket", "wanted"), "DELETE_COMPLETE", { clientRequestToken: bucketDelete })]);
    const entries = await eventually(
      async () => feed(owner, project.id),
      (list) => [queued, later].every((id) => list.some((e) => e.operation?.id === id && e.operation.step === "failed")),
      8_000,
    );
    for (const id of [queued, later]) expect(entries.find((e) => e.operation?.id === id && e.operation.step === "failed")?.message).toMatch(/could not start and was dropped: There is no bucket named “wanted”/);
    const after = await eventually(view(owner, project.id), (v) => v.users.find((u) => u.name === "partner")?.queue === undefined);
    expect(after.users.find((u) => u.name === "partner")?.spec.permissions.map((p) => p.bucket)).toEqual(["home"]);
  });

  it("a queued bucket delete that takes grants waits for a granted user's change, then runs", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    await readyBucket(owner, project, "shared");
    await readyUser(owner, project, { name: "reader", permissions: [{ bucket: "shared", access: "read" }] }, stackName(project.id, "user", "reader"));
    await eventually(view(owner, project.id), (v) => v.users[0]?.status === "ready");
    const bucket = `/api/projects/${project.id}/buckets/shared`;
    const bucketUpdate = await (await api(owner, bucket, { method: "PATCH", body: JSON.stringify({ expireAfterDays: 9 }) })).json<BucketAccepted>();
    const removal = await api(owner, `${bucket}?removeGrants=true`, { method: "DELETE" });
    expect(removal.status).toBe(202);
    const queued = (await removal.json<BucketAccepted>()).operationId;
    const userUpdate = await (await api(owner, `/api/projects/${project.id}/users/reader`, { method: "PATCH", body: JSON.stringify({ description: "busy" }) })).json<UserAccepted>();

    // The bucket is free while the user still changes: its delete cannot take the user's grant yet, so it waits.
    await deliver([stackEvent(project, stackName(project.id, "bucket", "shared"), "UPDATE_COMPLETE", { clientRequestToken: bucketUpdate.operationId })]);
    const waiting = await eventually(
      async () => feed(owner, project.id),
      (entries) => entries.some((e) => e.kind === "bucket" && /cannot start yet/.test(e.message)),
    );
    expect(waiting.find((e) => e.kind === "bucket" && /cannot start yet/.test(e.message))?.message).toMatch(/User “reader” is being changed.* It waits for the change running on user reader/);
    const held = await eventually(view(owner, project.id), (v) => !v.buckets[0]?.lock && v.buckets[0]?.queue?.length === 1);
    expect(held.buckets[0]?.queue?.map((e) => e.operationId)).toEqual([queued]);

    await deliver([stackEvent(project, stackName(project.id, "user", "reader"), "UPDATE_COMPLETE", { clientRequestToken: userUpdate.operationId })]);
    const deleting = await eventually(view(owner, project.id), (v) => v.buckets[0]?.lock?.operationId === queued, 8_000);
    expect(deleting.buckets[0]).toMatchObject({ status: "deleting", lock: { action: "delete", operationId: queued } });
    expect(deleting.buckets[0]?.queue).toBeUndefined();
    expect(deleting.users[0]?.spec.permissions).toEqual([]);
  });
});
