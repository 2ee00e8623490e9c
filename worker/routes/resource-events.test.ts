// Proves a resource's CloudFormation events reach the app through the room (newest first, the operation's token kept), only for members, and that an unknown kind is a 404, not a 500.
import { describe, expect, it } from "vitest";
import type { BucketAccepted, ErrorEnvelope, ResourceEvents } from "../../core/contract";
import { stackName } from "../../core/naming";
import { api, deliver, eventually, login, registerProject, stackEvent } from "../../test/workers/harness";

describe("GET /api/projects/:p/resources/:kind/:name/events", () => {
  it("lists the running operation's events newest first, to members only", async () => {
    const project = await registerProject();
    const viewer = await login("viewer@example.com");
    const owner = await login("owner@example.com");
    const created = await api(owner, `/api/projects/${project.id}/buckets`, { method: "POST", body: JSON.stringify({ name: "reports" }) });
    const { operationId } = await created.json<BucketAccepted>();
    const stack = stackName(project.id, "bucket", "reports");
    const token = { clientRequestToken: operationId };
    const first = new Date(Date.now() - 60_000).toISOString();
    const second = new Date(Date.now() - 58_000).toISOString();
    await deliver([
      stackEvent(project, stack, "CREATE_IN_PROGRESS", { ...token, timestamp: first }),
      stackEvent(project, stack, "CREATE_IN_PROGRESS", { ...token, timestamp: second, logicalResourceId: "Bucket", resourceType: "AWS::S3::Bucket", resourceStatusReason: "Resource creation Initiated" }),
    ]);

    const path = `/api/projects/${project.id}/resources/bucket/reports/events`;
    const page = await eventually(async () => (await api(viewer, path)).json<ResourceEvents>(), (p) => p.events.length === 2);
    expect(page.stackName).toBe(stack);
    expect(page.events[0]).toEqual({ at: second, logicalId: "Bucket", type: "AWS::S3::Bucket", status: "CREATE_IN_PROGRESS", reason: "Resource creation Initiated", operationId });
    expect(page.events[1]).toMatchObject({ logicalId: stack, status: "CREATE_IN_PROGRESS" });

    expect((await api(await login("stranger@example.com"), path)).status).toBe(404);
    const unknown = await api(viewer, `/api/projects/${project.id}/resources/table/reports/events`);
    expect(unknown.status).toBe(404);
    expect((await unknown.json<ErrorEnvelope>()).error.code).toBe("not_found");
    expect(await (await api(viewer, `/api/projects/${project.id}/resources/user/nobody/events`)).json()).toEqual({ stackName: stackName(project.id, "user", "nobody"), events: [] });
  });
});
