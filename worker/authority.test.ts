// Proves that authority lives in the Durable Objects and KV is only a cache: a stale membership copy in KV grants no change to a removed or demoted member or a signed-out session, and garbage in every KV key leaves projects, the app's reads, changes, webhooks and links working from the rooms and the registry, which write the copies again.
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MembersDocument, membersKey, REGISTRY_CACHE_KEY, RegistryCache, Snapshot, snapshotKey } from "../core/kv-documents";
import { stackName } from "../core/naming";
import type { Me, Member, ProjectList, ProjectView } from "../core/contract";
import { forgetRegistryMemo } from "./registry";
import { api, deliver, eventually, iamCall, login, ORIGIN, readyBucket, readyUser, registerProject, stackEvent } from "../test/workers/harness";

type Refusal = { error: { code: string; message: string } };
const members = async (cookie: string, projectId: string) => (await (await api(cookie, `/api/projects/${projectId}/members`)).json<{ members: Member[] }>()).members;
const keyCount = async (accountId: string, user: string) => (await iamCall(accountId, { Action: "ListAccessKeys", UserName: user })).match(/<AccessKeyId>/g)?.length ?? 0;

describe("a stale KV copy decides no change", () => {
  it("a removed member whose old membership is still in KV can neither mint a key, nor change a resource, nor make themselves owner", async () => {
    const project = await registerProject({ members: [{ email: "owner@example.com", role: "owner" }, { email: "mallory@example.com", role: "editor" }] });
    const owner = await login("owner@example.com");
    const mallory = await login("mallory@example.com");
    await readyBucket(owner, project, "data");
    await readyUser(owner, project, { name: "partner", permissions: [{ bucket: "data", access: "read" }] }, stackName(project.id, "user", "partner"));
    const stale = await env.STACK_CACHE.get(membersKey(project.id));
    expect(MembersDocument.parse(JSON.parse(stale ?? "null")).members).toContainEqual({ email: "mallory@example.com", role: "editor" });

    expect((await api(owner, `/api/projects/${project.id}/members/mallory%40example.com`, { method: "DELETE" })).status).toBe(200);
    // Another location's KV, a minute behind: the copy still lists Mallory as an editor.
    await env.STACK_CACHE.put(membersKey(project.id), stale ?? "");
    forgetRegistryMemo();
    const keysBefore = await keyCount(project.accountId, "partner");

    const key = await api(mallory, `/api/projects/${project.id}/users/partner/keys`, { method: "POST", body: "{}" });
    expect(key.status).toBe(404);
    expect((await key.json<Refusal>()).error.message).toMatch(/that you are a member of/);
    const change = await api(mallory, `/api/projects/${project.id}/buckets/data`, { method: "PATCH", body: JSON.stringify({ versioning: false }) });
    expect(change.status).toBe(404);
    const create = await api(mallory, `/api/projects/${project.id}/buckets`, { method: "POST", body: JSON.stringify({ name: "exfil" }) });
    expect(create.status).toBe(404);
    const promote = await api(mallory, `/api/projects/${project.id}/members/mallory%40example.com`, { method: "PUT", body: JSON.stringify({ role: "owner" }) });
    expect(promote.status).toBe(404);

    expect(await keyCount(project.accountId, "partner")).toBe(keysBefore);
    expect(await members(owner, project.id)).toEqual([{ email: "owner@example.com", role: "owner" }]);
    const view = await eventually(() => api(owner, `/api/projects/${project.id}`).then((r) => r.json<ProjectView>()), (v) => v.buckets.length > 0);
    expect(view.buckets.map((b) => b.name)).toEqual(["data"]);
    expect(view.buckets[0]?.spec).toMatchObject({ versioning: true });
  });

  it("a demoted member's stale editor copy changes nothing (403 from the room), and a promotion counts before KV knows it", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    const editor = await login("editor@example.com");
    const viewer = await login("viewer@example.com");
    await readyBucket(owner, project, "data");
    const stale = await env.STACK_CACHE.get(membersKey(project.id));
    expect((await api(owner, `/api/projects/${project.id}/members/editor%40example.com`, { method: "PUT", body: JSON.stringify({ role: "viewer" }) })).status).toBe(200);
    expect((await api(owner, `/api/projects/${project.id}/members/viewer%40example.com`, { method: "PUT", body: JSON.stringify({ role: "editor" }) })).status).toBe(200);
    await env.STACK_CACHE.put(membersKey(project.id), stale ?? "");

    const demoted = await api(editor, `/api/projects/${project.id}/buckets/data`, { method: "PATCH", body: JSON.stringify({ versioning: false }) });
    expect(demoted.status).toBe(403);
    expect((await demoted.json<Refusal>()).error.message).toMatch(/role in .* is viewer/);
    // KV still says viewer; the room, asked before refusing, says editor.
    const promoted = await api(viewer, `/api/projects/${project.id}/buckets/data`, { method: "PATCH", body: JSON.stringify({ versioning: false, queue: false }) });
    expect(promoted.status).toBe(202);
  });

  it("an edit queued by someone removed before it starts is dropped when it comes to start, and says why", async () => {
    const project = await registerProject({ members: [{ email: "owner@example.com", role: "owner" }, { email: "mallory@example.com", role: "editor" }] });
    const owner = await login("owner@example.com");
    const mallory = await login("mallory@example.com");
    await readyBucket(owner, project, "data");
    const running = await api(owner, `/api/projects/${project.id}/buckets/data`, { method: "PATCH", body: JSON.stringify({ expireAfterDays: 30 }) });
    expect(running.status).toBe(202);
    const { operationId } = await running.json<{ operationId: string }>();
    const queued = await api(mallory, `/api/projects/${project.id}/buckets/data`, { method: "PATCH", body: JSON.stringify({ versioning: false }) });
    expect(queued.status).toBe(202);
    const queuedId = (await queued.json<{ operationId: string }>()).operationId;

    expect((await api(owner, `/api/projects/${project.id}/members/mallory%40example.com`, { method: "DELETE" })).status).toBe(200);
    await deliver([stackEvent(project, stackName(project.id, "bucket", "data"), "UPDATE_COMPLETE", { clientRequestToken: operationId })]);

    const log = await eventually(
      () => api(owner, `/api/projects/${project.id}/activity`).then((r) => r.json<{ entries: Array<{ message: string; operation?: { id: string; step: string } }> }>()),
      (page) => page.entries.some((e) => e.operation?.id === queuedId && e.operation.step === "cancelled"),
    );
    expect(log.entries.find((e) => e.operation?.id === queuedId && e.operation.step === "cancelled")?.message).toMatch(/dropped: mallory@example\.com may no longer change it/);
    expect(log.entries.some((e) => e.operation?.id === queuedId && e.operation.step === "started")).toBe(false);
    const view = await eventually(() => api(owner, `/api/projects/${project.id}`).then((r) => r.json<ProjectView>()), (v) => v.buckets[0]?.spec.expireAfterDays === 30);
    expect(view.buckets[0]).toMatchObject({ status: "ready", spec: { versioning: true } });
    expect(view.buckets[0]?.lock).toBeUndefined();
  });

  it("a signed-out sign-in is refused by the room even where KV has not heard of the sign-out", async () => {
    const project = await registerProject();
    const editor = await login("editor@example.com");
    const session = await eventually(() => api(editor, "/api/me").then((r) => r.json<Me>()), (me) => me.projects.some((p) => p.id === project.id));
    expect(session.email).toBe("editor@example.com");
    expect((await api(editor, "/api/logout", { method: "POST", body: "{}" })).status).toBe(200);
    // Forget the KV revocation, as a location that has not seen it yet would.
    for (const { name } of (await env.STACK_CACHE.list({ prefix: "revoked-session:" })).keys) await env.STACK_CACHE.delete(name);

    const create = await api(editor, `/api/projects/${project.id}/buckets`, { method: "POST", body: JSON.stringify({ name: "after-signout" }) });
    expect(create.status).toBe(401);
    expect((await create.json<Refusal>()).error.message).toMatch(/signed out/);
  });
});

describe("garbage in every KV key", () => {
  it("leaves projects, reads, changes, webhooks and links working from the authority, which writes the copies again", async () => {
    const project = await registerProject();
    const other = await registerProject();
    const owner = await login("owner@example.com");
    await readyBucket(owner, project, "data");
    await readyBucket(owner, other, "logs");
    await eventually(() => env.STACK_CACHE.get(snapshotKey(project.id)), (raw) => raw !== null && raw.includes("data"));

    const keys = (await env.STACK_CACHE.list()).keys.map((k) => k.name).filter((k) => !k.startsWith("revoked-session:"));
    expect(keys).toEqual(expect.arrayContaining([REGISTRY_CACHE_KEY, membersKey(project.id), snapshotKey(project.id), membersKey(other.id)]));
    await Promise.all(keys.map((k) => env.STACK_CACHE.put(k, "{not json")));
    forgetRegistryMemo();

    const list = await api(owner, "/api/projects");
    expect(list.status).toBe(200);
    expect((await list.json<ProjectList>()).projects.map((p) => p.id)).toEqual(expect.arrayContaining([project.id, other.id]));
    const view = await api(owner, `/api/projects/${project.id}`);
    expect(view.status).toBe(200);
    expect((await view.json<ProjectView>()).buckets.map((b) => b.name)).toEqual(["data"]);
    expect((await api(owner, `/api/projects/${project.id}/members`)).status).toBe(200);

    const patch = await api(owner, `/api/projects/${project.id}/buckets/data`, { method: "PATCH", body: JSON.stringify({ versioning: false }) });
    expect(patch.status).toBe(202);
    const { operationId } = await patch.json<{ operationId: string }>();
    const hook = await deliver([stackEvent(project, stackName(project.id, "bucket", "data"), "UPDATE_COMPLETE", { clientRequestToken: operationId })]);
    expect(hook.status).toBe(202);
    expect(await hook.json()).toMatchObject({ accepted: 1 });

    // The copies are written again by their authorities.
    const copy = (key: string) => env.STACK_CACHE.get(key).then((text) => { try { return JSON.parse(text ?? "null") as unknown; } catch { return null; } });
    const registry = await eventually(() => copy(REGISTRY_CACHE_KEY), (raw) => RegistryCache.safeParse(raw).success);
    expect(RegistryCache.parse(registry).projects.map((p) => p.id)).toEqual(expect.arrayContaining([project.id, other.id]));
    expect(MembersDocument.safeParse(await copy(membersKey(project.id))).success).toBe(true);
    const snapshot = await eventually(() => copy(snapshotKey(project.id)), (raw) => Snapshot.safeParse(raw).success && Snapshot.parse(raw).buckets[0]?.spec.versioning === false);
    expect(Snapshot.parse(snapshot).buckets[0]?.status).toBe("ready");
    const unauthenticated = await SELF.fetch(`${ORIGIN}/api/projects/${project.id}`);
    expect(unauthenticated.status).toBe(401);
  });
});
