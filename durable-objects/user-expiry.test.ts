// Proves user expiry: at expiresAt the room's alarm deactivates the user's keys in IAM and removes its grants through a stack update — also after the room was reset.
import { abortAllDurableObjects } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { CreatedKey, ProjectView } from "../core/contract";
import { stackName } from "../core/naming";
import { api, deliver, eventually, iamCall, login, readyBucket, readyUser, registerProject, stackEvent } from "../test/workers/harness";

describe("expiring users", () => {
  it("stops access at expiresAt, driven by the alarm, surviving a reset of the room", async () => {
    const project = await registerProject();
    const cookie = await login("owner@example.com");
    await readyBucket(cookie, project, "drop");
    await readyUser(cookie, project, { name: "temp", permissions: [{ bucket: "drop", access: "write" }] }, stackName(project.id, "user", "temp"));
    const key = await (await api(cookie, `/api/projects/${project.id}/users/temp/keys`, { method: "POST", body: "{}" })).json<CreatedKey>();
    expect(await iamCall(project.accountId, { Action: "ListAccessKeys", UserName: "temp" })).toMatch(/<Status>Active/);
    // Set the expiry only now, so slow set-up (a cold moto) cannot make the user expire early.
    const expiresAt = new Date(Date.now() + 3_000).toISOString();
    const patched = await (await api(cookie, `/api/projects/${project.id}/users/temp`, { method: "PATCH", body: JSON.stringify({ expiresAt }) })).json<{ operationId: string }>();
    await deliver([stackEvent(project, stackName(project.id, "user", "temp"), "UPDATE_COMPLETE", { clientRequestToken: patched.operationId })]);

    await abortAllDurableObjects();

    const keys = await eventually(() => iamCall(project.accountId, { Action: "ListAccessKeys", UserName: "temp" }), (xml) => xml.includes("<Status>Inactive"), 15_000);
    expect(keys).toMatch(new RegExp(`${key.accessKeyId}</AccessKeyId>\\s*<Status>Inactive`));
    const view = await eventually(async () => (await api(cookie, `/api/projects/${project.id}`)).json<ProjectView>(), (v) => v.users[0]?.spec.permissions.length === 0, 10_000);
    expect(view.users[0]).toMatchObject({ name: "temp", spec: { permissions: [], expiresAt }, keys: [{ accessKeyId: key.accessKeyId, status: "Inactive" }] });
    expect(view.users[0]?.lock).toMatchObject({ by: "Stackroom (expiry)", action: "update" });
    const activity = await (await api(cookie, `/api/projects/${project.id}/activity`)).json<{ entries: Array<{ message: string }> }>();
    expect(activity.entries.map((e) => e.message).join("\n")).toMatch(/expired: its access keys were deactivated/);
  });

  it("refuses an expiry in the past", async () => {
    const project = await registerProject();
    const cookie = await login("owner@example.com");
    const res = await api(cookie, `/api/projects/${project.id}/users`, { method: "POST", body: JSON.stringify({ name: "late", expiresAt: "2020-01-01T00:00:00Z" }) });
    expect(res.status).toBe(400);
    expect((await res.json<{ error: { fields: Record<string, string> } }>()).error.fields.expiresAt).toMatch(/future/);
  });
});
