// Proves a bucket's page gets what the bucket holds from S3 through the project's role: any member may read it, an unknown bucket is 404, and nothing but the one list call happens. The answer is kept briefly by the room (AWS_READ_CACHE_SECONDS, 1 s in tests), and each person may ask AWS-backed reads 30 times a minute per project.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { BucketUsage, ErrorEnvelope, ProjectView } from "../../core/contract";
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
    const usage = await eventually(async () => (await api(viewer, path)).json<BucketUsage>(), (u) => u.objects === 1);
    expect(usage).toMatchObject({ objects: 1, bytes: 8, complete: true });
    expect(Date.parse(usage.at)).toBeGreaterThan(Date.now() - 60_000);

    const missing = await api(viewer, `/api/projects/${project.id}/buckets/nothing-here/usage`);
    expect(missing.status).toBe(404);
    expect((await missing.json<ErrorEnvelope>()).error.code).toBe("not_found");
    expect((await api(await login("stranger@example.com"), path)).status).toBe(404);
  });

  it("limits each person to 30 AWS-backed reads a minute per project (429 with Retry-After); others are unaffected", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    await readyBucket(owner, project, "busy");
    await eventually(async () => (await api(owner, `/api/projects/${project.id}`)).json<ProjectView>(), (v) => v.buckets[0]?.status === "ready");
    const viewer = await login("viewer@example.com");
    const path = `/api/projects/${project.id}/buckets/busy/usage`;
    for (let i = 1; i <= 30; i++) expect((await api(viewer, path)).status, `read ${i}`).toBe(200);
    const limited = await api(viewer, path);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("Retry-After")).toBe("60");
    expect((await limited.json<ErrorEnvelope>()).error.message).toMatch(/Too many reads from AWS/);
    expect((await api(await login("editor@example.com"), path)).status).toBe(200);
  });
});
