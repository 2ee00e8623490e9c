// Proves healing from CloudFormation: a missed completion event and a stack made outside Stackroom both end up right in the room and KV.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ProjectView } from "../core/contract";
import { bucketStackInput } from "../core/bucket-template";
import { physicalBucketName } from "../core/naming";
import { api, createStackroomStack, eventually, login, ORIGIN, registerProject } from "../test/workers/harness";

describe("refresh from CloudFormation", () => {
  it("releases the lock of an operation whose events never came and adopts foreign stacks", async () => {
    const project = await registerProject();
    const cookie = await login("editor@example.com");
    expect((await api(cookie, `/api/projects/${project.id}/buckets`, { method: "POST", body: JSON.stringify({ name: "missed" }) })).status).toBe(202);

    // A bucket stack created straight in CloudFormation (e.g. by a room that lost its state).
    const spec = { versioning: false, encryption: "s3" as const, expireAfterDays: 9 };
    const physicalName = physicalBucketName(project.id, project.accountId, project.region, "adopted");
    await createStackroomStack(project, bucketStackInput(project, "adopted", spec));

    const res = await api(cookie, `/api/projects/${project.id}/refresh`, { method: "POST", body: "{}" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ changed: 2 });
    const view = await eventually(async () => (await api(cookie, `/api/projects/${project.id}`)).json<ProjectView>(), (v) => v.buckets.length === 2);
    const byName = Object.fromEntries(view.buckets.map((b) => [b.name, b]));
    expect(byName.missed).toMatchObject({ status: "ready" });
    expect(byName.missed?.lock).toBeUndefined();
    expect(byName.adopted).toMatchObject({ status: "ready", spec, physicalName });

    // Nothing left to heal: a second refresh changes nothing.
    expect(await (await api(cookie, `/api/projects/${project.id}/refresh`, { method: "POST", body: "{}" })).json()).toEqual({ changed: 0 });
  });

  it("lets only editors refresh", async () => {
    const project = await registerProject();
    const viewer = await login("viewer@example.com");
    expect((await api(viewer, `/api/projects/${project.id}/refresh`, { method: "POST", body: "{}" })).status).toBe(403);
    expect((await SELF.fetch(`${ORIGIN}/api/projects/${project.id}/refresh`, { method: "POST", headers: { "content-type": "application/json", origin: ORIGIN } })).status).toBe(401);
  });
});
