// Proves one-time links: only ciphertext is stored, the link opens once (then 410), revoked and expired links are 410, and the room logs "viewed" live.
import { env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { CreatedKey, OpenedShare, Share } from "../domain/contract";
import { stackName } from "../domain/naming";
import { api, login, ORIGIN, readyUser, registerProject } from "../../test/workers/harness";
import type { ProjectRecord } from "../domain/contract";

const b64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** Encrypts like the app does: AES-GCM with a fresh key that stays with the caller (the #fragment). */
async function encrypt(payload: unknown): Promise<{ ciphertext: string; iv: string }> {
  const key = (await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt"])) as CryptoKey;
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, new TextEncoder().encode(JSON.stringify(payload)));
  return { ciphertext: b64url(new Uint8Array(data)), iv: b64url(iv) };
}

async function setup(): Promise<{ project: ProjectRecord; cookie: string; key: CreatedKey; share: (days?: number) => Promise<Share> }> {
  const project = await registerProject();
  const cookie = await login("owner@example.com");
  await readyUser(cookie, project, { name: "recipient" }, stackName(project.id, "user", "recipient"));
  const key = await (await api(cookie, `/api/projects/${project.id}/users/recipient/keys`, { method: "POST", body: "{}" })).json<CreatedKey>();
  const share = async (expiresInDays = 7) => {
    const sealed = await encrypt({ accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey });
    const res = await api(cookie, `/api/projects/${project.id}/shares`, { method: "POST", body: JSON.stringify({ user: "recipient", accessKeyId: key.accessKeyId, expiresInDays, ...sealed }) });
    expect(res.status).toBe(201);
    return (await res.json<{ share: Share }>()).share;
  };
  return { project, cookie, key, share };
}

const open = (id: string) => SELF.fetch(`${ORIGIN}/api/shares/${id}`);

describe("one-time share links", () => {
  it("opens exactly once without a session, then answers 410; the room logs the view", async () => {
    const { project, cookie, share } = await setup();
    const created = await share();
    expect(created).toMatchObject({ status: "pending", user: "recipient" });

    const first = await open(created.id);
    expect(first.status).toBe(200);
    expect(first.headers.get("cache-control")).toBe("no-store");
    const opened = await first.json<OpenedShare>();
    expect(opened.project).toEqual({ name: project.name, region: project.region });

    const second = await open(created.id);
    expect(second.status).toBe(410);
    expect((await second.json<{ error: { message: string; fields: { reason: string } } }>()).error).toMatchObject({ message: expect.stringMatching(/already used/), fields: { reason: "used" } });

    const listed = await (await api(cookie, `/api/projects/${project.id}/shares`)).json<{ shares: Share[] }>();
    expect(listed.shares[0]).toMatchObject({ id: created.id, status: "viewed" });
    const activity = await (await api(cookie, `/api/projects/${project.id}/activity`)).json<{ entries: Array<{ message: string }> }>();
    expect(activity.entries[0]?.message).toMatch(/viewed by the recipient/);
  });

  it("stores ciphertext only: no secret anywhere in the room's storage or the KV snapshot", async () => {
    const { project, key, share } = await setup();
    await share();
    const stub = env.PROJECT_ROOM.get(env.PROJECT_ROOM.idFromName(project.id));
    const dump = await runInDurableObject(stub, (_room, state) => {
      const tables = state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'sqlite_%'").toArray();
      return tables.map((t) => JSON.stringify(state.storage.sql.exec(`SELECT * FROM "${t.name}"`).toArray())).join("\n");
    });
    expect(dump).toContain(key.accessKeyId);
    expect(dump).not.toContain(key.secretAccessKey);
    const snapshot = (await env.STACK_CACHE.get(`project:${project.id}:snapshot`)) ?? "";
    expect(snapshot).not.toContain(key.secretAccessKey);
  });

  it("answers 410 for revoked and expired links and 404 for unknown ones", async () => {
    const { project, cookie, share } = await setup();
    const revoked = await share();
    expect((await api(cookie, `/api/projects/${project.id}/shares/${revoked.id}`, { method: "DELETE" })).status).toBe(200);
    expect((await open(revoked.id)).status).toBe(410);

    const expiring = await share(1);
    const stub = env.PROJECT_ROOM.get(env.PROJECT_ROOM.idFromName(project.id));
    await runInDurableObject(stub, (room) => {
      const stored = room.shares.get(expiring.id);
      if (stored) room.shares.put({ ...stored, expiresAt: new Date(Date.now() - 1000).toISOString() });
    });
    const res = await open(expiring.id);
    expect(res.status).toBe(410);
    expect((await res.json<{ error: { message: string } }>()).error.message).toMatch(/expired/);

    expect((await open(`${project.id}.AAAAAAAAAAAAAAAAAAAAAA`)).status).toBe(404);
    expect((await open("not-a-share")).status).toBe(404);
  });

  it("refuses links for keys the user does not have and out-of-range expiries", async () => {
    const { project, cookie } = await setup();
    const sealed = await encrypt({ x: 1 });
    const unknown = await api(cookie, `/api/projects/${project.id}/shares`, { method: "POST", body: JSON.stringify({ user: "recipient", accessKeyId: "AKIAUNKNOWN000000000", ...sealed }) });
    expect(unknown.status).toBe(409);
    const tooLong = await api(cookie, `/api/projects/${project.id}/shares`, { method: "POST", body: JSON.stringify({ user: "recipient", accessKeyId: "AKIAUNKNOWN000000000", expiresInDays: 31, ...sealed }) });
    expect(tooLong.status).toBe(400);
  });
});
