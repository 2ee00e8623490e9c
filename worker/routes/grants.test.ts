// Proves grants mean what they show: a folder prefix is stored with its slash (so `incoming` never covers `incoming-private/`), and writes exist only on versioned buckets: a write grant on an unversioned bucket is a 400, and versioning cannot be turned off under a writer (409). Nothing changes on a refusal.
import { describe, expect, it } from "vitest";
import type { ProjectView, UserAccepted } from "../../core/contract";
import { stackName } from "../../core/naming";
import { api, deliver, eventually, login, readyBucket, registerProject, stackEvent } from "../../test/workers/harness";

type Envelope = { error: { code: string; message: string; fields?: Record<string, string> } };

describe("grants", () => {
  it("stores a prefix as a folder, with its trailing slash", async () => {
    const project = await registerProject();
    const cookie = await login("editor@example.com");
    await readyBucket(cookie, project, "inbox");
    const res = await api(cookie, `/api/projects/${project.id}/users`, { method: "POST", body: JSON.stringify({ name: "folderly", permissions: [{ bucket: "inbox", access: "read", prefix: "incoming" }] }) });
    expect(res.status).toBe(202);
    expect((await res.json<UserAccepted>()).user.spec.permissions).toEqual([{ bucket: "inbox", access: "read", prefix: "incoming/" }]);
  });

  it("refuses a write grant on a bucket that keeps no versions (400), and allows read", async () => {
    const project = await registerProject();
    const cookie = await login("editor@example.com");
    const created = await (await api(cookie, `/api/projects/${project.id}/buckets`, { method: "POST", body: JSON.stringify({ name: "scratch", versioning: false }) })).json<{ operationId: string }>();
    await deliver([stackEvent(project, stackName(project.id, "bucket", "scratch"), "CREATE_COMPLETE", { clientRequestToken: created.operationId })]);
    for (const access of ["write", "readwrite"]) {
      const res = await api(cookie, `/api/projects/${project.id}/users`, { method: "POST", body: JSON.stringify({ name: `w-${access}`, permissions: [{ bucket: "scratch", access }] }) });
      expect(res.status, access).toBe(400);
      expect((await res.json<Envelope>()).error.fields?.["permissions.0.access"]).toMatch(/keeps no versions/);
    }
    const read = await api(cookie, `/api/projects/${project.id}/users`, { method: "POST", body: JSON.stringify({ name: "reader", permissions: [{ bucket: "scratch", access: "read" }] }) });
    expect(read.status).toBe(202);
  });

  it("refuses to turn versioning off while a user can write (409 naming them), and allows it once they only read", async () => {
    const project = await registerProject();
    const cookie = await login("owner@example.com");
    await readyBucket(cookie, project, "shared");
    const user = await (await api(cookie, `/api/projects/${project.id}/users`, { method: "POST", body: JSON.stringify({ name: "writer", permissions: [{ bucket: "shared", access: "write" }] }) })).json<UserAccepted>();
    await deliver([stackEvent(project, stackName(project.id, "user", "writer"), "CREATE_COMPLETE", { clientRequestToken: user.operationId })]);

    const off = await api(cookie, `/api/projects/${project.id}/buckets/shared`, { method: "PATCH", body: JSON.stringify({ versioning: false }) });
    expect(off.status).toBe(409);
    expect((await off.json<Envelope>()).error.message).toMatch(/writer can write to bucket “shared”/);
    const view = await eventually(async () => (await api(cookie, `/api/projects/${project.id}`)).json<ProjectView>(), (v) => v.users[0]?.status === "ready");
    expect(view.buckets[0]).toMatchObject({ spec: { versioning: true } });
    expect(view.buckets[0]?.lock).toBeUndefined();

    const readOnly = await (await api(cookie, `/api/projects/${project.id}/users/writer`, { method: "PATCH", body: JSON.stringify({ permissions: [{ bucket: "shared", access: "read" }] }) })).json<UserAccepted>();
    await deliver([stackEvent(project, stackName(project.id, "user", "writer"), "UPDATE_COMPLETE", { clientRequestToken: readOnly.operationId })]);
    expect((await api(cookie, `/api/projects/${project.id}/buckets/shared`, { method: "PATCH", body: JSON.stringify({ versioning: false }) })).status).toBe(202);
  });
});
