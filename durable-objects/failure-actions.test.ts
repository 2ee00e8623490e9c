// Proves the repairs offered after failures: retry of a rolled-back update re-applies the failed settings; continue-rollback is offered for UPDATE_ROLLBACK_FAILED and fails cleanly when AWS refuses; actions that do not apply are 409.
import { describe, expect, it } from "vitest";
import type { BucketAccepted } from "../worker/domain/contract";
import { api } from "../test/workers/harness";
import { replay } from "../test/workers/replay";
import updateRollback from "../worker/domain/fixtures/update-rollback-complete.json";
import updateRollbackFailed from "../worker/domain/fixtures/update-rollback-failed.json";
import createSuccess from "../worker/domain/fixtures/create-success.json";

describe("failure actions", () => {
  it("offers retry after an update rollback and re-applies the settings that failed", async () => {
    const { bucket, project, cookie } = await replay(updateRollback, 3);
    expect(bucket).toMatchObject({ status: "failed", actions: ["retry"], spec: { versioning: true } });
    const res = await api(cookie, `/api/projects/${project.id}/buckets/replayed/actions`, { method: "POST", body: JSON.stringify({ action: "retry" }) });
    expect(res.status).toBe(202);
    const retried = await res.json<BucketAccepted>();
    expect(retried.bucket).toMatchObject({ status: "updating", spec: { versioning: false }, lock: { action: "update" } });
  });

  it("offers continue-rollback after UPDATE_ROLLBACK_FAILED; an AWS refusal changes nothing", async () => {
    const { bucket, project, cookie } = await replay(updateRollbackFailed, 5);
    expect(bucket).toMatchObject({ status: "failed", actions: ["continue-rollback"] });
    // moto does not implement ContinueUpdateRollback: the room must report it and release the lock.
    const res = await api(cookie, `/api/projects/${project.id}/buckets/replayed/actions`, { method: "POST", body: JSON.stringify({ action: "continue-rollback" }) });
    expect([502, 409]).toContain(res.status);
    const view = await (await api(cookie, `/api/projects/${project.id}/activity`)).json<{ entries: Array<{ message: string }> }>();
    expect(view.entries[1]?.message).toMatch(/continue the rollback/);
  });

  it("answers 409 for an action that does not apply and 400 for an unknown one", async () => {
    const { project, cookie } = await replay(createSuccess, 1);
    const notNow = await api(cookie, `/api/projects/${project.id}/buckets/replayed/actions`, { method: "POST", body: JSON.stringify({ action: "retry" }) });
    expect(notNow.status).toBe(409);
    const unknown = await api(cookie, `/api/projects/${project.id}/buckets/replayed/actions`, { method: "POST", body: JSON.stringify({ action: "explode" }) });
    expect(unknown.status).toBe(400);
  });
});
