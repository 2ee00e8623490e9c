// Proves deleting a granted bucket together with its grants is all-or-nothing from the manager's view: a bucket that still holds objects is refused before any grant is touched, and a delete that CloudFormation fails later gives every user its grants back through a queued stack update, said in the activity.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ActivityPage, BucketAccepted, ProjectRecord, ProjectView } from "../core/contract";
import { stackName } from "../core/naming";
import { accountClient, api, deliver, eventually, login, readyBucket, readyUser, registerProject, stackEvent } from "../test/workers/harness";

type Envelope = { error: { code: string; message: string } };
const view = (cookie: string, project: ProjectRecord) => api(cookie, `/api/projects/${project.id}`).then((r) => r.json<ProjectView>());
const activity = (cookie: string, project: ProjectRecord) => api(cookie, `/api/projects/${project.id}/activity?limit=50`).then((r) => r.json<ActivityPage>());

async function grantedBucket(): Promise<{ project: ProjectRecord; cookie: string; physical: string }> {
  const project = await registerProject();
  const cookie = await login("owner@example.com");
  await readyBucket(cookie, project, "reports");
  await readyUser(cookie, project, { name: "acme-uploader", permissions: [{ bucket: "reports", access: "read" }] }, stackName(project.id, "user", "acme-uploader"));
  const ready = await eventually(() => view(cookie, project), (v) => v.users[0]?.status === "ready" && v.buckets.length === 1);
  return { project, cookie, physical: ready.buckets[0]?.physicalName ?? "" };
}

describe("deleting a bucket with its grants", () => {
  it("refuses a bucket that still holds objects before any grant changes, and says why", async () => {
    const { project, cookie, physical } = await grantedBucket();
    const s3 = await accountClient(project.accountId, "s3", project.region);
    expect((await s3.fetch(`${env.AWS_ENDPOINT}/${physical}/invoice.pdf`, { method: "PUT", body: "%PDF" })).status).toBe(200);
    const before = (await activity(cookie, project)).entries.length;

    const res = await api(cookie, `/api/projects/${project.id}/buckets/reports?removeGrants=true`, { method: "DELETE" });
    expect(res.status).toBe(409);
    expect((await res.json<Envelope>()).error.message).toMatch(/still holds objects.*Nothing was changed/);

    const after = await eventually(() => view(cookie, project), (v) => v.buckets[0]?.lock === undefined);
    expect(after.users[0]).toMatchObject({ name: "acme-uploader", status: "ready", spec: { permissions: [{ bucket: "reports", access: "read" }] } });
    expect(after.users[0]?.lock).toBeUndefined();
    expect(after.buckets[0]).toMatchObject({ name: "reports", status: "ready" });
    // The attempt and its refusal are in the activity; no user operation was started.
    const entries = (await activity(cookie, project)).entries;
    const lines = entries.slice(0, entries.length - before).map((e) => e.message);
    expect(lines.join("\n")).not.toMatch(/user acme-uploader/);
    expect(lines.join("\n")).toMatch(/still holds objects/);
  });

  it("gives the grants back when CloudFormation fails the delete later (DELETE_FAILED)", async () => {
    const { project, cookie } = await grantedBucket();
    const deleted = await api(cookie, `/api/projects/${project.id}/buckets/reports?removeGrants=true`, { method: "DELETE" });
    expect(deleted.status).toBe(202);
    const { operationId } = await deleted.json<BucketAccepted>();
    const taken = await eventually(() => view(cookie, project), (v) => v.users[0]?.spec.permissions.length === 0);
    const removal = taken.users[0]?.lock?.operationId;
    expect(removal).toBeDefined();

    await deliver([stackEvent(project, stackName(project.id, "user", "acme-uploader"), "UPDATE_COMPLETE", { clientRequestToken: removal })]);
    await deliver([
      stackEvent(project, stackName(project.id, "bucket", "reports"), "DELETE_FAILED", {
        clientRequestToken: operationId,
        resourceStatusReason: "The following resource(s) failed to delete: [Bucket].",
      }),
    ]);

    // The give-back runs as a stack update of its own, through the queue, and says why.
    const restored = await eventually(() => view(cookie, project), (v) => v.users[0]?.spec.permissions.length === 1);
    expect(restored.users[0]?.spec.permissions).toEqual([{ bucket: "reports", access: "read" }]);
    expect(restored.users[0]).toMatchObject({ status: "updating", lock: { by: "Stackroom" } });
    expect(restored.buckets[0]).toMatchObject({ name: "reports", status: "failed" });
    const messages = (await activity(cookie, project)).entries.map((e) => e.message).join("\n");
    expect(messages).toMatch(/Deleting bucket reports did not happen .*acme-uploader gets its access to reports back/);
  });
});
