// Proves IAM users through the real Worker, room and moto: grants validated, one stack per user, keys via IAM (at most two, secret once), deletes stop keys first, and bucket deletes respect grants.
import { describe, expect, it } from "vitest";
import type { CreatedKey, ProjectView, UserAccepted } from "../../core/contract";
import { stackName } from "../../core/naming";
import { api, deliver, eventually, iamCall, login, readyBucket, readyUser, registerProject, stackEvent } from "../../test/workers/harness";

interface Envelope { error: { code: string; message: string; fields?: Record<string, string> } }

describe("user routes", () => {
  it("creates an IAM user stack with its grants, refuses grants on missing buckets, validates prefixes", async () => {
    const project = await registerProject();
    const cookie = await login("editor@example.com");
    await readyBucket(cookie, project, "inbox");

    const missing = await api(cookie, `/api/projects/${project.id}/users`, { method: "POST", body: JSON.stringify({ name: "partner", permissions: [{ bucket: "nope", access: "read" }] }) });
    expect(missing.status).toBe(409);
    expect((await missing.json<Envelope>()).error.fields?.["permissions.0.bucket"]).toMatch(/no bucket/i);

    const badPrefix = await api(cookie, `/api/projects/${project.id}/users`, { method: "POST", body: JSON.stringify({ name: "partner", permissions: [{ bucket: "inbox", access: "read", prefix: "in/*" }] }) });
    expect(badPrefix.status).toBe(400);
    expect((await badPrefix.json<Envelope>()).error.fields?.["permissions.0.prefix"]).toBeTruthy();

    const res = await api(cookie, `/api/projects/${project.id}/users`, {
      method: "POST",
      body: JSON.stringify({ name: "partner", description: "ACME uploads", permissions: [{ bucket: "inbox", access: "readwrite", prefix: "acme/" }] }),
    });
    expect(res.status).toBe(202);
    const { user, operationId } = await res.json<UserAccepted>();
    expect(user).toMatchObject({ name: "partner", status: "creating", path: `/stackroom/${project.id}/`, lock: { action: "create", operationId } });
    expect(await iamCall(project.accountId, { Action: "GetUser", UserName: "partner" })).toContain(`/stackroom/${project.id}/`);

    await deliver([stackEvent(project, stackName(project.id, "user", "partner"), "CREATE_COMPLETE", { clientRequestToken: operationId })]);
    const view = await eventually(async () => (await api(cookie, `/api/projects/${project.id}`)).json<ProjectView>(), (v) => v.users[0]?.status === "ready");
    expect(view.users[0]).toMatchObject({ name: "partner", status: "ready", spec: { permissions: [{ bucket: "inbox", access: "readwrite", prefix: "acme/" }] } });
  });

  it("creates at most two keys, returns the secret once, lists, deactivates and deletes them through IAM", async () => {
    const project = await registerProject();
    const cookie = await login("owner@example.com");
    await readyUser(cookie, project, { name: "keyed" }, stackName(project.id, "user", "keyed"));
    const keysPath = `/api/projects/${project.id}/users/keyed/keys`;

    const first = await api(cookie, keysPath, { method: "POST", body: "{}" });
    expect(first.status).toBe(201);
    expect(first.headers.get("cache-control")).toBe("no-store");
    const key = await first.json<CreatedKey>();
    expect(key).toMatchObject({ user: "keyed", region: project.region });
    expect(key.secretAccessKey.length).toBeGreaterThan(20);
    expect((await api(cookie, keysPath, { method: "POST", body: "{}" })).status).toBe(201);
    const third = await api(cookie, keysPath, { method: "POST", body: "{}" });
    expect(third.status).toBe(409);
    expect((await third.json<Envelope>()).error.message).toMatch(/2 access keys/);

    const listed = await (await api(cookie, keysPath)).json<{ keys: Array<{ accessKeyId: string; status: string; lastUsedAt: string | null }> }>();
    expect(listed.keys).toHaveLength(2);
    expect(JSON.stringify(listed)).not.toContain(key.secretAccessKey);

    expect((await api(cookie, `${keysPath}/${key.accessKeyId}`, { method: "PATCH", body: JSON.stringify({ status: "Inactive" }) })).status).toBe(200);
    expect(await iamCall(project.accountId, { Action: "ListAccessKeys", UserName: "keyed" })).toMatch(new RegExp(`${key.accessKeyId}</AccessKeyId>\\s*<Status>Inactive`));
    expect((await api(cookie, `${keysPath}/${key.accessKeyId}`, { method: "DELETE" })).status).toBe(204);
    expect(await iamCall(project.accountId, { Action: "ListAccessKeys", UserName: "keyed" })).not.toContain(key.accessKeyId);

    // Deleting the user stops its remaining key at once; CloudFormation deletes it with the user.
    expect((await api(cookie, `/api/projects/${project.id}/users/keyed`, { method: "DELETE" })).status).toBe(202);
    expect(await iamCall(project.accountId, { Action: "GetUser", UserName: "keyed" })).toMatch(/NoSuchEntity/);
  });

  it("refuses to delete a bucket that users are granted, naming them, unless the manager confirms", async () => {
    const project = await registerProject();
    const cookie = await login("owner@example.com");
    await readyBucket(cookie, project, "shared");
    await readyUser(cookie, project, { name: "reader", permissions: [{ bucket: "shared", access: "read" }] }, stackName(project.id, "user", "reader"));

    const refused = await api(cookie, `/api/projects/${project.id}/buckets/shared`, { method: "DELETE" });
    expect(refused.status).toBe(409);
    expect((await refused.json<Envelope>()).error.message).toMatch(/granted to reader/);

    const confirmed = await api(cookie, `/api/projects/${project.id}/buckets/shared?removeGrants=true`, { method: "DELETE" });
    expect(confirmed.status).toBe(202);
    const view = await eventually(async () => (await api(cookie, `/api/projects/${project.id}`)).json<ProjectView>(), (v) => v.users[0]?.spec.permissions.length === 0);
    expect(view.users[0]).toMatchObject({ name: "reader", status: "updating", spec: { permissions: [] } });
    expect(view.buckets[0]).toMatchObject({ name: "shared", status: "deleting" });
  });

  it("lets viewers read keys but not create them", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    await readyUser(owner, project, { name: "viewed" }, stackName(project.id, "user", "viewed"));
    const viewer = await login("viewer@example.com");
    expect((await api(viewer, `/api/projects/${project.id}/users/viewed/keys`)).status).toBe(200);
    expect((await api(viewer, `/api/projects/${project.id}/users/viewed/keys`, { method: "POST", body: "{}" })).status).toBe(403);
  });
});
