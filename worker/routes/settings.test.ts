// Proves project settings: every member reads them, only owners change them (the room decides), bad input is refused and stores nothing, a change is in the activity and in the export; a user created without expiresAt gets the project's default, and one created with expiresAt null gets none.
import { describe, expect, it } from "vitest";
import type { ActivityPage, ProjectSettingsAnswer, UserAccepted } from "../../core/contract";
import { DAY_MS } from "../../core/user-expiry";
import { stackName } from "../../core/naming";
import { projectRoom } from "../room";
import { env } from "cloudflare:test";
import { accountClient, api, login, registerProject } from "../../test/workers/harness";

const put = (cookie: string, id: string, body: unknown) => api(cookie, `/api/projects/${id}/settings`, { method: "PUT", body: JSON.stringify(body) });
const read = async (cookie: string, id: string) => (await (await api(cookie, `/api/projects/${id}/settings`)).json<ProjectSettingsAnswer>()).settings;
const messages = async (cookie: string, id: string) => (await (await api(cookie, `/api/projects/${id}/activity`)).json<ActivityPage>()).entries.map((e) => e.message);

async function stackTags(accountId: string, region: string, name: string): Promise<string> {
  const cfn = await accountClient(accountId, "cloudformation", region);
  const body = new URLSearchParams({ Action: "DescribeStacks", Version: "2010-05-15", StackName: name }).toString();
  return (await cfn.fetch(env.AWS_ENDPOINT, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded" } })).text();
}

describe("project settings", () => {
  it("lets members read and owners change them; bad input changes nothing", async () => {
    const project = await registerProject();
    const [owner, editor, viewer] = [await login("owner@example.com"), await login("editor@example.com"), await login("viewer@example.com")];
    expect(await read(viewer, project.id)).toEqual({ defaultUserExpiryDays: null });

    for (const cookie of [viewer, editor]) expect((await put(cookie, project.id, { defaultUserExpiryDays: 90 })).status).toBe(403);
    for (const body of [{ defaultUserExpiryDays: 0 }, { defaultUserExpiryDays: 3651 }, { defaultUserExpiryDays: 1.5 }, { defaultUserExpiryDays: "90" }, {}, { defaultUserExpiryDays: 90, extra: true }]) {
      const res = await put(owner, project.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await res.json<{ error: { code: string } }>()).error.code).toBe("invalid");
    }
    const bad = await put(owner, project.id, { defaultUserExpiryDays: 0 });
    expect((await bad.json<{ error: { fields: Record<string, string> } }>()).error.fields.defaultUserExpiryDays).toMatch(/at least 1 day/);
    expect(await read(owner, project.id)).toEqual({ defaultUserExpiryDays: null });
    expect((await messages(owner, project.id)).join("\n")).not.toMatch(/default expiry/);

    const saved = await put(owner, project.id, { defaultUserExpiryDays: 90 });
    expect(saved.status).toBe(200);
    expect((await saved.json<ProjectSettingsAnswer>()).settings).toEqual({ defaultUserExpiryDays: 90 });
    expect(await read(viewer, project.id)).toEqual({ defaultUserExpiryDays: 90 });
    expect((await put(owner, project.id, { defaultUserExpiryDays: 30 })).status).toBe(200);
    expect((await put(owner, project.id, { defaultUserExpiryDays: null })).status).toBe(200);
    const lines = await messages(owner, project.id);
    expect(lines.slice(0, 3)).toEqual([
      "owner@example.com removed the default expiry for new users (was 30 days): new users keep access until someone sets a date",
      "owner@example.com set the default expiry for new users to 30 days (was 90 days)",
      "owner@example.com set the default expiry for new users to 90 days",
    ]);
    // Saving the same settings again says nothing.
    expect((await put(owner, project.id, { defaultUserExpiryDays: null })).status).toBe(200);
    expect(await messages(owner, project.id)).toHaveLength(lines.length);
  });

  it("is refused by the room itself to a member below owner, whatever the Worker read", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    const caller = { email: "editor@example.com", sessionId: "s", sessionExpiresAt: Math.floor(Date.now() / 1000) + 600 };
    const refused = await projectRoom(env, project.id).putSettings(project, caller, { defaultUserExpiryDays: 5 });
    expect(refused.ok ? null : refused.error.code).toBe("forbidden");
    expect(await read(owner, project.id)).toEqual({ defaultUserExpiryDays: null });
  });

  it("gives a user created without expiresAt the project's default, and none to one created with null", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    expect((await put(owner, project.id, { defaultUserExpiryDays: 30 })).status).toBe(200);
    const create = async (body: Record<string, unknown>) => {
      const res = await api(owner, `/api/projects/${project.id}/users`, { method: "POST", body: JSON.stringify(body) });
      expect(res.status, await res.clone().text()).toBe(202);
      return (await res.json<UserAccepted>()).user;
    };
    const before = Date.now();
    const byDefault = await create({ name: "by-default" });
    const expiresAt = Date.parse(byDefault.spec.expiresAt ?? "");
    expect(expiresAt).toBeGreaterThanOrEqual(before + 30 * DAY_MS);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 30 * DAY_MS);
    expect((await create({ name: "no-expiry", expiresAt: null })).spec.expiresAt).toBeNull();
    const chosen = new Date(Date.now() + 5 * DAY_MS).toISOString();
    expect((await create({ name: "chosen", expiresAt: chosen })).spec.expiresAt).toBe(chosen);

    // The default is in the stack CloudFormation made (its tags carry the spec), not only in the room.
    expect(await stackTags(project.accountId, project.region, stackName(project.id, "user", "by-default"))).toContain(`expiresAt=${byDefault.spec.expiresAt}`);
    expect(await stackTags(project.accountId, project.region, stackName(project.id, "user", "no-expiry"))).toContain("expiresAt=none");
    expect((await messages(owner, project.id)).join("\n")).toMatch(/started creating user by-default \(no bucket access, expires \S+ \(the project's default\)\)/);
  });

  it("comes along in the project's export and back with its import", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    expect((await put(owner, project.id, { defaultUserExpiryDays: 45 })).status).toBe(200);
    const exported = await projectRoom(env, project.id).exportState();
    expect(exported.settings).toEqual({ defaultUserExpiryDays: 45 });
    const fresh = projectRoom(env, `${project.id}x`);
    const restored = await fresh.importState({ ...exported, project: { ...project, id: `${project.id}x` } });
    expect(restored.ok).toBe(true);
    expect(await fresh.settings()).toEqual({ defaultUserExpiryDays: 45 });
  });
});
