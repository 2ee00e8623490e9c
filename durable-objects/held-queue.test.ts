// Proves a queue holds, and says why, when an operation leaves the stack in a state an operator must repair; the repair (delete) does not wait behind it.
import { describe, expect, it } from "vitest";
import { StackEvent, type BucketAccepted, type ProjectView } from "../core/contract";
import { stackName } from "../core/naming";
import { api, deliver, eventually, login, readyBucket, registerProject } from "../test/workers/harness";
import { retarget } from "../test/workers/replay";
import updateRollbackFailed from "../test/fixtures/cloudformation/update-rollback-failed.json";

describe("held queue", () => {
  it("holds queued edits after UPDATE_ROLLBACK_FAILED and lets a delete through", async () => {
    const project = await registerProject();
    const cookie = await login("owner@example.com");
    await readyBucket(cookie, project, "stuck");
    const stack = stackName(project.id, "bucket", "stuck");
    const path = `/api/projects/${project.id}/buckets/stuck`;
    const running = await (await api(cookie, path, { method: "PATCH", body: JSON.stringify({ versioning: false }) })).json<BucketAccepted>();
    const waiting = await (await api(cookie, path, { method: "PATCH", body: JSON.stringify({ expireAfterDays: 9 }) })).json<BucketAccepted>();
    expect(waiting.bucket.queue?.map((e) => e.operationId)).toEqual([waiting.operationId]);

    const events = StackEvent.array().parse(updateRollbackFailed);
    const recordedStack = events[0]?.stackName ?? "";
    const updateToken = events.find((e) => e.resourceStatus === "UPDATE_IN_PROGRESS")?.clientRequestToken;
    const group = events.filter((e) => e.clientRequestToken === updateToken);
    // The recording is from March; move it to now so it follows this test's own create events.
    const shift = Date.now() - Date.parse(group[0]?.timestamp ?? "") + 1_000;
    const update = group.map((e) => ({ ...retarget(e, project, stack, recordedStack, running.operationId), timestamp: new Date(Date.parse(e.timestamp) + shift).toISOString() }));
    await deliver(update);

    const held = await eventually(async () => (await api(cookie, `/api/projects/${project.id}`)).json<ProjectView>(), (v) => v.buckets[0]?.queueHeld !== undefined);
    expect(held.buckets[0]).toMatchObject({ status: "failed", actions: ["continue-rollback"], queue: [{ operationId: waiting.operationId }] });
    expect(held.buckets[0]?.queueHeld).toMatch(/UPDATE_ROLLBACK_FAILED/);
    expect(held.buckets[0]?.lock).toBeUndefined();

    const repair = await api(cookie, path, { method: "DELETE" });
    expect(repair.status).toBe(202);
    expect((await repair.json<BucketAccepted>()).bucket).toMatchObject({ status: "deleting", lock: { action: "delete" } });
  });
});
