// Proves `npm run ops -- export` / `import` lose nothing (and that point-in-time recovery is asked of the room): two projects' registry records, members, links' metadata (never a ciphertext, id or proof) and activity, exported, wiped as if the deployment were new, imported and exported again, come back the same — but for links that were still waiting, which come back revoked because their payload is rightly not exported — and an import over existing projects is refused whole.
import { env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { CreatedKey, CreatedShare, ErrorEnvelope } from "../../core/contract";
import { SHARE_PROOF_HEADER } from "../../core/contract";
import { DeploymentExport, RESTORED_WITHOUT_PAYLOAD, type ProjectExport } from "../../core/project-export";
import { membersKey, snapshotKey } from "../../core/kv-documents";
import { stackName } from "../../core/naming";
import { api, login, ORIGIN, readyBucket, readyUser, registerProject } from "../../test/workers/harness";
import { migrateRoom } from "../../durable-objects/room-schema";
import { REGISTRY_NAME } from "../registry";

const ops = (path: string, init: RequestInit = {}) =>
  SELF.fetch(`${ORIGIN}/api/ops${path}`, { ...init, headers: { authorization: `Bearer ${env.OPS_TOKEN}`, "content-type": "application/json", ...init.headers } });
const b64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

async function exportOf(ids: readonly string[]): Promise<ProjectExport[]> {
  const res = await ops("/export");
  expect(res.status).toBe(200);
  return DeploymentExport.parse(await res.json()).projects.filter((p) => ids.includes(p.project.id)).sort((a, b) => a.project.id.localeCompare(b.project.id));
}

/** This deployment forgets the projects entirely, as a new one would not have them. */
async function wipe(ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    await runInDurableObject(env.PROJECT_ROOM.get(env.PROJECT_ROOM.idFromName(id)), async (_room, state) => {
      await state.storage.deleteAll();
      migrateRoom(state.storage);
    });
    await env.STACK_CACHE.delete(membersKey(id));
    await env.STACK_CACHE.delete(snapshotKey(id));
  }
  const registry = env.PROJECT_REGISTRY.get(env.PROJECT_REGISTRY.idFromName(REGISTRY_NAME));
  await runInDurableObject(registry, (_object, state) => {
    for (const id of ids) state.storage.sql.exec("DELETE FROM projects WHERE id = ?", id);
  });
  await registry.publish();
}

describe("export and import", () => {
  it("round-trips registry, members, link metadata and activity into an empty deployment", async () => {
    const one = await registerProject();
    const two = await registerProject({ members: [{ email: "solo@example.com", role: "owner" }] });
    const owner = await login("owner@example.com");
    await readyBucket(owner, one, "data");
    await readyUser(owner, one, { name: "partner", permissions: [{ bucket: "data", access: "read" }] }, stackName(one.id, "user", "partner"));
    expect((await api(owner, `/api/projects/${one.id}/members/dana%40example.com`, { method: "PUT", body: JSON.stringify({ role: "viewer" }) })).status).toBe(200);
    const key = await (await api(owner, `/api/projects/${one.id}/users/partner/keys`, { method: "POST", body: "{}" })).json<CreatedKey>();
    const link = async () => {
      const proof = b64url(crypto.getRandomValues(new Uint8Array(32)));
      const res = await api(owner, `/api/projects/${one.id}/shares`, { method: "POST", body: JSON.stringify({ user: "partner", accessKeyId: key.accessKeyId, ciphertext: "c2VjcmV0LWNpcGhlcnRleHQ", iv: "AAAAAAAAAAAAAAAA", proof }) });
      return { ...(await res.json<CreatedShare>()), proof };
    };
    const opened = await link();
    const waiting = await link();
    expect((await SELF.fetch(`${ORIGIN}/api/shares/${opened.id}`, { headers: { [SHARE_PROOF_HEADER]: opened.proof } })).status).toBe(200);

    const ids = [one.id, two.id];
    const before = await exportOf(ids);
    expect(before.map((p) => p.project.id)).toEqual([...ids].sort());
    const first = before.find((p) => p.project.id === one.id);
    expect(first?.members).toContainEqual({ email: "dana@example.com", role: "viewer" });
    expect(first?.links.map((l) => l.status).sort()).toEqual(["pending", "viewed"]);
    expect(first?.activity.frames.length).toBeGreaterThan(5);
    const text = JSON.stringify(before);
    for (const secret of [key.secretAccessKey, "c2VjcmV0LWNpcGhlcnRleHQ", opened.id, waiting.id, opened.proof, waiting.proof]) expect(text).not.toContain(secret);

    await wipe(ids);
    expect((await api(owner, `/api/projects/${one.id}`)).status).toBe(404);

    const imported = await ops("/import", { method: "PUT", body: JSON.stringify({ format: "stackroom-export", version: 1, exportedAt: new Date().toISOString(), projects: before }) });
    expect(imported.status).toBe(200);
    expect(await imported.json()).toEqual({ imported: before.map((p) => ({ project: p.project.id, members: p.members.length, links: p.links.length, frames: p.activity.frames.length })) });

    const after = await exportOf(ids);
    const revoked = (p: ProjectExport): ProjectExport => ({
      ...p,
      links: p.links.map((l) => (l.status === "pending" ? { ...l, status: "revoked", revokedBy: RESTORED_WITHOUT_PAYLOAD, revokedAt: expect.any(String) } : l)),
    });
    expect(after).toEqual(before.map(revoked));

    // The app sees the project, its members and its history again; links answer their recipients with why.
    const activity = await (await api(owner, `/api/projects/${one.id}/activity`)).json<{ entries: Array<{ message: string }> }>();
    expect(activity.entries.map((e) => e.message)).toContain("owner@example.com added dana@example.com as a viewer");
    const gone = async (id: string) => (await (await SELF.fetch(`${ORIGIN}/api/shares/${id}`, { headers: { [SHARE_PROOF_HEADER]: waiting.proof } })).json<ErrorEnvelope>()).error.fields?.reason;
    expect(await gone(opened.id)).toBe("used");
    expect(await gone(waiting.id)).toBe("revoked");

    // Over existing projects, nothing is imported.
    const again = await ops("/import", { method: "PUT", body: JSON.stringify({ format: "stackroom-export", version: 1, exportedAt: new Date().toISOString(), projects: before }) });
    expect(again.status).toBe(409);
    expect((await again.json<ErrorEnvelope>()).error.message).toMatch(/Already registered here: .*nothing was imported/);
    expect(await exportOf(ids)).toEqual(after);
  });

  it("refuses what is not an export, in the envelope", async () => {
    const res = await ops("/import", { method: "PUT", body: JSON.stringify({ format: "something-else", projects: [] }) });
    expect(res.status).toBe(400);
    expect((await res.json<ErrorEnvelope>()).error.code).toBe("invalid");
  });

  it("asks a room for point-in-time recovery, and says plainly where storage cannot (local runs) or the moment is out of range", async () => {
    const project = await registerProject();
    const local = await ops(`/projects/${project.id}/restore-to`, { method: "POST", body: JSON.stringify({ at: new Date(Date.now() - 60_000).toISOString() }) });
    expect(local.status).toBe(503);
    expect((await local.json<ErrorEnvelope>()).error.message).toMatch(/Point-in-time recovery is not possible here: .*does not implement point-in-time recovery/);
    const old = await ops(`/projects/${project.id}/restore-to`, { method: "POST", body: JSON.stringify({ at: "2020-01-01T00:00:00Z" }) });
    expect(old.status).toBe(400);
    expect((await ops(`/projects/${project.id}/restore-to`, { method: "POST", body: JSON.stringify({ at: "yesterday" }) })).status).toBe(400);
    expect((await ops("/projects/nosuch/restore-to", { method: "POST", body: JSON.stringify({ bookmark: "x" }) })).status).toBe(404);
  });
});
