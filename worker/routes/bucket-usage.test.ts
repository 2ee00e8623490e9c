// Proves a bucket's page gets what the bucket holds from S3 through the project's role: any member may read it, an unknown bucket is 404, and nothing but the one list call happens.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { BucketUsage, ErrorEnvelope, ProjectView } from "../domain/contract";
import { accountClient, api, eventually, login, readyBucket, registerProject } from "../../test/workers/harness";

describe("GET /api/projects/:p/buckets/:name/usage", () => {
  it("counts the objects and bytes a bucket holds, for viewers too", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    await readyBucket(owner, project, "reports");
    const view = await eventually(async () => (await api(owner, `/api/projects/${project.id}`)).json<ProjectView>(), (v) => v.buckets[0]?.status === "ready");
    const physical = view.buckets[0]?.physicalName ?? "";

    const viewer = await login("viewer@example.com");
    const path = `/api/projects/${project.id}/buckets/reports/usage`;
    expect(await (await api(viewer, path)).json<BucketUsage>()).toMatchObject({ objects: 0, bytes: 0, complete: true });

    const s3 = await accountClient(project.accountId, "s3", project.region);
    expect((await s3.fetch(`${env.AWS_ENDPOINT}/${physical}/invoice.pdf`, { method: "PUT", body: "%PDF-1.7" })).status).toBe(200);
    const usage = await (await api(viewer, path)).json<BucketUsage>();
    expect(usage).toMatchObject({ objects: 1, bytes: 8, complete: true });
    expect(Date.parse(usage.at)).toBeGreaterThan(Date.now() - 60_000);

    const missing = await api(viewer, `/api/projects/${project.id}/buckets/nothing-here/usage`);
    expect(missing.status).toBe(404);
    expect((await missing.json<ErrorEnvelope>()).error.code).toBe("not_found");
    expect((await api(await login("stranger@example.com"), path)).status).toBe(404);
  });
});
