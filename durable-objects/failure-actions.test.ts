// Proves the repairs offered after failures: retry of a rolled-back update re-applies the failed settings; continue-rollback is offered for UPDATE_ROLLBACK_FAILED, runs as a locked operation that CloudFormation's events finish, and changes nothing when AWS refuses it; actions that do not apply are 409.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ActivityPage, BucketAccepted, ProjectRecord, ProjectView } from "../core/contract";
import { stackName } from "../core/naming";
import { api, deliver, eventually, stackEvent } from "../test/workers/harness";
import { replay } from "../test/workers/replay";
import updateRollback from "../test/fixtures/cloudformation/update-rollback-complete.json";
import updateRollbackFailed from "../test/fixtures/cloudformation/update-rollback-failed.json";
import createSuccess from "../test/fixtures/cloudformation/create-success.json";

/** Tells the test AWS (test/recorded-aws.ts) how AWS answers ContinueUpdateRollback for this project's replayed stack. */
async function scriptContinueRollback(project: ProjectRecord, answer: "success" | "refused"): Promise<void> {
  const res = await fetch(`${env.AWS_ENDPOINT}/__recorded/continue-update-rollback`, {
    method: "POST",
    body: JSON.stringify({ stackName: stackName(project.id, "bucket", "replayed"), answer }),
  });
  expect(res.status).toBe(204);
}

describe("failure actions", () => {
  it("offers retry after an update rollback and re-applies the settings that failed", async () => {
    const { bucket, project, cookie } = await replay(updateRollback, 3);
    expect(bucket).toMatchObject({ status: "failed", actions: ["retry"], spec: { versioning: true } });
    const res = await api(cookie, `/api/projects/${project.id}/buckets/replayed/actions`, { method: "POST", body: JSON.stringify({ action: "retry" }) });
    expect(res.status).toBe(202);
    const retried = await res.json<BucketAccepted>();
    expect(retried.bucket).toMatchObject({ status: "updating", spec: { versioning: false }, lock: { action: "update", repair: "retry" } });

    // The retry is its own entry, and so is its outcome (not "another failed update").
    await deliver([stackEvent(project, stackName(project.id, "bucket", "replayed"), "UPDATE_ROLLBACK_COMPLETE", { clientRequestToken: retried.operationId })]);
    const feed = await eventually(
      async () => (await api(cookie, `/api/projects/${project.id}/activity`)).json<ActivityPage>(),
      (page) => page.entries.some((e) => e.operation?.id === retried.operationId && e.operation.step === "failed"),
    );
    const lines = feed.entries.filter((e) => e.operation?.id === retried.operationId);
    expect(lines.map((e) => [e.operation?.step, e.operation?.repair])).toEqual([["failed", "retry"], ["started", "retry"]]);
    expect(lines[1]?.message).toMatch(/retried the failed update of bucket replayed/);
    expect(lines[0]?.message).toMatch(/^The retry of bucket replayed failed: /);
  });

  it("continues a stuck rollback: locked until CloudFormation's UPDATE_ROLLBACK_COMPLETE, previous settings kept", async () => {
    const { bucket, project, cookie } = await replay(updateRollbackFailed, 5);
    expect(bucket).toMatchObject({ status: "failed", actions: ["continue-rollback"] });
    await scriptContinueRollback(project, "success");
    const res = await api(cookie, `/api/projects/${project.id}/buckets/replayed/actions`, { method: "POST", body: JSON.stringify({ action: "continue-rollback" }) });
    expect(res.status).toBe(202);
    const started = await res.json<BucketAccepted>();
    expect(started.bucket).toMatchObject({ status: "updating", lock: { action: "update", operationId: started.operationId } });

    await deliver([stackEvent(project, stackName(project.id, "bucket", "replayed"), "UPDATE_ROLLBACK_COMPLETE", { clientRequestToken: started.operationId })]);
    // The KV snapshot follows the room within a second: wait for the rollback's end to show.
    const done = await eventually(async () => (await api(cookie, `/api/projects/${project.id}`)).json<ProjectView>(), (v) => /keeps its previous settings/.test(v.buckets[0]?.statusReason ?? ""));
    expect(done.buckets[0]?.statusReason).toMatch(/keeps its previous settings/);
    expect(done.buckets[0]).toMatchObject({ status: "failed" });
    expect(done.buckets[0]?.lock).toBeUndefined();
    expect(done.buckets[0]?.actions).not.toContain("continue-rollback");
    const activity = await (await api(cookie, `/api/projects/${project.id}/activity`)).json<ActivityPage>();
    expect(activity.entries.map((e) => e.message).join("\n")).toMatch(/asked CloudFormation to continue the rollback of bucket replayed/);
    const outcome = activity.entries.find((e) => e.operation?.id === started.operationId && e.operation.step !== "started");
    expect(outcome).toMatchObject({ tone: "success", operation: { step: "succeeded", repair: "continue-rollback" } });
    expect(outcome?.message).toMatch(/rollback of bucket replayed was continued and finished: it keeps its previous settings/);
  });

  it("changes nothing when AWS refuses to continue the rollback (502, lock released, said in the activity)", async () => {
    const { project, cookie } = await replay(updateRollbackFailed, 6);
    await scriptContinueRollback(project, "refused");
    const res = await api(cookie, `/api/projects/${project.id}/buckets/replayed/actions`, { method: "POST", body: JSON.stringify({ action: "continue-rollback" }) });
    expect(res.status).toBe(502);
    expect((await res.json<{ error: { message: string } }>()).error.message).toMatch(/can not be continued/);
    const view = await (await api(cookie, `/api/projects/${project.id}`)).json<ProjectView>();
    expect(view.buckets[0]).toMatchObject({ status: "failed", actions: ["continue-rollback"] });
    expect(view.buckets[0]?.lock).toBeUndefined();
    const activity = await (await api(cookie, `/api/projects/${project.id}/activity`)).json<ActivityPage>();
    expect(activity.entries[0]?.message).toMatch(/can not be continued/);
  });

  it("answers 409 for an action that does not apply and 400 for an unknown one", async () => {
    const { project, cookie } = await replay(createSuccess, 1);
    const notNow = await api(cookie, `/api/projects/${project.id}/buckets/replayed/actions`, { method: "POST", body: JSON.stringify({ action: "retry" }) });
    expect(notNow.status).toBe(409);
    const unknown = await api(cookie, `/api/projects/${project.id}/buckets/replayed/actions`, { method: "POST", body: JSON.stringify({ action: "explode" }) });
    expect(unknown.status).toBe(400);
  });
});
