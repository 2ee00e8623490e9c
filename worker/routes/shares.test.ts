// Proves one-time links: only ciphertext and hashes are stored (never the link's id), managers see handles that open nothing, the link opens once to whoever proves the whole link (then 410), wrong proofs are counted and the fifth burns it, viewers cannot list links, and at most 200 wait per project.
import { env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { PENDING_SHARES_MAX, SHARE_PROOF_HEADER, ShareState, type CreatedKey, type CreatedShare, type OpenedShare, type Share } from "../../core/contract";
import { stackName } from "../../core/naming";
import { api, login, ORIGIN, readyUser, registerProject } from "../../test/workers/harness";
import type { ProjectRecord } from "../../core/contract";

const b64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const randomProof = () => b64url(crypto.getRandomValues(new Uint8Array(32)));

/** Encrypts like the app does: AES-GCM with a fresh key that stays with the caller (the #fragment), plus the open proof. */
async function seal(payload: unknown): Promise<{ ciphertext: string; iv: string; proof: string }> {
  const key = (await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt"])) as CryptoKey;
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, new TextEncoder().encode(JSON.stringify(payload)));
  return { ciphertext: b64url(new Uint8Array(data)), iv: b64url(iv), proof: randomProof() };
}

type Made = CreatedShare & { proof: string };

async function setup(): Promise<{ project: ProjectRecord; cookie: string; key: CreatedKey; share: (options?: { days?: number; passphrase?: boolean }) => Promise<Made> }> {
  const project = await registerProject();
  const cookie = await login("owner@example.com");
  await readyUser(cookie, project, { name: "recipient" }, stackName(project.id, "user", "recipient"));
  const key = await (await api(cookie, `/api/projects/${project.id}/users/recipient/keys`, { method: "POST", body: "{}" })).json<CreatedKey>();
  const share = async ({ days = 7, passphrase = false } = {}) => {
    const sealed = await seal({ accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey });
    const res = await api(cookie, `/api/projects/${project.id}/shares`, { method: "POST", body: JSON.stringify({ user: "recipient", accessKeyId: key.accessKeyId, expiresInDays: days, passphrase, ...sealed }) });
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    return { ...(await res.json<CreatedShare>()), proof: sealed.proof };
  };
  return { project, cookie, key, share };
}

/** From an address of its own: the status shares the open's rate limit (30 a minute per address). */
const status = (id: string, from = "192.0.2.7") => SELF.fetch(`${ORIGIN}/api/shares/${id}/status`, { headers: { "CF-Connecting-IP": from } });
const open = (id: string, proof?: string) => SELF.fetch(`${ORIGIN}/api/shares/${id}`, { headers: proof === undefined ? {} : { [SHARE_PROOF_HEADER]: proof } });
type Refusal = { error: { code: string; message: string; fields?: Record<string, string> } };
const messages = async (cookie: string, project: ProjectRecord) => (await (await api(cookie, `/api/projects/${project.id}/activity`)).json<{ entries: Array<{ message: string }> }>()).entries.map((e) => e.message);

describe("one-time share links", () => {
  it("opens exactly once for the whole link (id and proof), then answers 410; the activity says who made it and when it opened", async () => {
    const { project, cookie, share } = await setup();
    const created = await share();
    expect(created.share).toMatchObject({ status: "pending", user: "recipient", passphrase: false, failedProofs: 0 });
    expect(created.id).toMatch(new RegExp(`^${project.id}\\.`));
    expect(created.share).not.toHaveProperty("id");

    const withoutProof = await open(created.id);
    expect(withoutProof.status).toBe(400);
    expect((await withoutProof.json<Refusal>()).error.fields?.reason).toBe("proof_missing");

    const first = await open(created.id, created.proof);
    expect(first.status).toBe(200);
    expect(first.headers.get("cache-control")).toBe("no-store");
    const opened = await first.json<OpenedShare>();
    expect(opened.project).toEqual({ name: project.name, region: project.region });

    const second = await open(created.id, created.proof);
    expect(second.status).toBe(410);
    const gone = (await second.json<Refusal>()).error;
    expect(gone).toMatchObject({ message: expect.stringMatching(/already opened on/), fields: { reason: "used", at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) } });

    const listed = await (await api(cookie, `/api/projects/${project.id}/shares`)).json<{ shares: Share[] }>();
    expect(listed.shares[0]).toMatchObject({ handle: created.share.handle, status: "viewed" });
    const log = await messages(cookie, project);
    expect(log[0]).toMatch(/link for access key .* of user recipient was opened at/);
    expect(log[1]).toMatch(/^owner@example\.com created the one-time link/);
    expect(log.join("\n")).not.toContain(created.id);
  });

  it("stores no secret, no link id and no proof: only ciphertext and hashes, in the room and in KV", async () => {
    const { project, key, share } = await setup();
    const created = await share();
    const stub = env.PROJECT_ROOM.get(env.PROJECT_ROOM.idFromName(project.id));
    const dump = await runInDurableObject(stub, (_room, state) => {
      const tables = state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'sqlite_%'").toArray();
      return tables.map((t) => JSON.stringify(state.storage.sql.exec(`SELECT * FROM "${t.name}"`).toArray())).join("\n");
    });
    expect(dump).toContain(key.accessKeyId);
    expect(dump).toContain(created.share.handle);
    for (const secret of [key.secretAccessKey, created.id, created.id.split(".")[1] ?? "", created.proof]) expect(dump).not.toContain(secret);
    const snapshot = (await env.STACK_CACHE.get(`project:${project.id}:snapshot`)) ?? "";
    expect(snapshot).not.toContain(key.secretAccessKey);
  });

  it("counts wrong proofs, and the fifth burns the link: the right proof then gets 410 and the creator sees why", async () => {
    const { project, cookie, share } = await setup();
    const created = await share({ passphrase: true });
    for (let left = 4; left >= 1; left--) {
      const res = await open(created.id, randomProof());
      expect(res.status).toBe(403);
      const { error } = await res.json<Refusal>();
      expect(error.fields).toEqual({ reason: "wrong_passphrase", attemptsLeft: String(left) });
      expect(error.message).toMatch(/passphrase does not open this link/);
    }
    const fifth = await open(created.id, randomProof());
    expect(fifth.status).toBe(410);
    expect((await fifth.json<Refusal>()).error.fields?.reason).toBe("burned");
    const right = await open(created.id, created.proof);
    expect(right.status).toBe(410);
    expect((await right.json<Refusal>()).error.fields?.reason).toBe("burned");

    const listed = await (await api(cookie, `/api/projects/${project.id}/shares`)).json<{ shares: Share[] }>();
    expect(listed.shares[0]).toMatchObject({ status: "burned", failedProofs: 5, burnedBecause: "5 wrong passphrases", passphrase: true });
    expect((await messages(cookie, project))[0]).toMatch(/was burned after 5 wrong passphrases/);
  });

  it("a wrong proof on a link without passphrase means its key is missing, and counts the same", async () => {
    const { share } = await setup();
    const created = await share();
    const res = await open(created.id, randomProof());
    expect(res.status).toBe(403);
    expect((await res.json<Refusal>()).error.fields).toEqual({ reason: "wrong_key", attemptsLeft: "4" });
    expect((await open(created.id, "short")).status).toBe(400);
    expect((await open(created.id, created.proof)).status).toBe(200);
  });

  it("says whether a link can still be opened, and since when not, without a proof and without using anything up", async () => {
    const { project, cookie, share } = await setup();
    const created = await share();
    for (let i = 0; i < 3; i++) {
      const pending = await status(created.id);
      expect(pending.status).toBe(200);
      expect(pending.headers.get("cache-control")).toBe("no-store");
      expect(await pending.json()).toEqual({ status: "pending" });
    }
    const [listed] = (await (await api(cookie, `/api/projects/${project.id}/shares`)).json<{ shares: Share[] }>()).shares;
    expect(listed).toMatchObject({ status: "pending", failedProofs: 0 });

    const before = Date.now();
    expect((await open(created.id, created.proof)).status).toBe(200);
    const used = ShareState.parse(await (await status(created.id)).json());
    expect(used.status).toBe("viewed");
    expect(Date.parse(used.at ?? "")).toBeGreaterThanOrEqual(before - 1000);
    // Only the status and its time: nothing that names the user, the key or the project.
    expect(Object.keys(used).sort()).toEqual(["at", "status"]);
    const gone = (await (await open(created.id, created.proof)).json<Refusal>()).error;
    expect(gone.fields?.at).toBe(used.at);

    const revokedLink = await share();
    await api(cookie, `/api/projects/${project.id}/shares/${revokedLink.share.handle}`, { method: "DELETE" });
    expect(ShareState.parse(await (await status(revokedLink.id)).json())).toMatchObject({ status: "revoked", at: expect.any(String) });

    // Unknown ids get exactly the open's answers.
    for (const id of [`${project.id}.AAAAAAAAAAAAAAAAAAAAAA`, "nosuchproject.AAAAAAAAAAAAAAAAAAAAAA", "not-a-share", `${project.id}.${created.share.handle}`]) {
      const [a, b] = await Promise.all([status(id), SELF.fetch(`${ORIGIN}/api/shares/${id}`, { headers: { [SHARE_PROOF_HEADER]: randomProof(), "CF-Connecting-IP": "192.0.2.8" } })]);
      expect(a.status).toBe(404);
      expect(await a.json()).toEqual(await b.json());
    }
  });

  it("lists links to editors and owners only, by handles that cannot open them; revoking is by handle", async () => {
    const { project, cookie, share } = await setup();
    const created = await share();
    const viewer = await login("viewer@example.com");
    const viewerList = await api(viewer, `/api/projects/${project.id}/shares`);
    expect(viewerList.status).toBe(403);
    const editor = await login("editor@example.com");
    const listed = await (await api(editor, `/api/projects/${project.id}/shares`)).json<{ shares: Share[] }>();
    expect(listed.shares.map((s) => s.handle)).toEqual([created.share.handle]);
    expect((await open(`${project.id}.${created.share.handle}`, created.proof)).status).toBe(404);

    expect((await api(viewer, `/api/projects/${project.id}/shares/${created.share.handle}`, { method: "DELETE" })).status).toBe(403);
    const revoked = await api(editor, `/api/projects/${project.id}/shares/${created.share.handle}`, { method: "DELETE" });
    expect(revoked.status).toBe(200);
    expect((await revoked.json<{ share: Share }>()).share).toMatchObject({ status: "revoked", revokedBy: "editor@example.com" });
    expect((await open(created.id, created.proof)).status).toBe(410);
    expect((await messages(cookie, project))[0]).toMatch(/^editor@example\.com revoked the one-time link/);
  });

  it("answers 410 for expired links and 404 for unknown ones", async () => {
    const { project, share } = await setup();
    const expiring = await share({ days: 1 });
    const stub = env.PROJECT_ROOM.get(env.PROJECT_ROOM.idFromName(project.id));
    await runInDurableObject(stub, (room) => {
      const stored = room.shares.byHandle(expiring.share.handle);
      if (stored) room.shares.put({ ...stored, expiresAt: new Date(Date.now() - 1000).toISOString() });
    });
    const res = await open(expiring.id, expiring.proof);
    expect(res.status).toBe(410);
    expect((await res.json<Refusal>()).error.message).toMatch(/expired/);

    expect((await open(`${project.id}.AAAAAAAAAAAAAAAAAAAAAA`, randomProof())).status).toBe(404);
    expect((await open("not-a-share")).status).toBe(404);
  });

  it("refuses links for keys the user does not have, out-of-range expiries, and a 201st waiting link", async () => {
    const { project, cookie, key, share } = await setup();
    const sealed = await seal({ x: 1 });
    const unknown = await api(cookie, `/api/projects/${project.id}/shares`, { method: "POST", body: JSON.stringify({ user: "recipient", accessKeyId: "AKIAUNKNOWN000000000", ...sealed }) });
    expect(unknown.status).toBe(409);
    const tooLong = await api(cookie, `/api/projects/${project.id}/shares`, { method: "POST", body: JSON.stringify({ user: "recipient", accessKeyId: key.accessKeyId, expiresInDays: 31, ...sealed }) });
    expect(tooLong.status).toBe(400);
    const noProof = await api(cookie, `/api/projects/${project.id}/shares`, { method: "POST", body: JSON.stringify({ user: "recipient", accessKeyId: key.accessKeyId, ciphertext: sealed.ciphertext, iv: sealed.iv }) });
    expect(noProof.status).toBe(400);

    const first = await share();
    // 199 more waiting links, stored as the room stores them (making each over HTTP only costs time).
    const stub = env.PROJECT_ROOM.get(env.PROJECT_ROOM.idFromName(project.id));
    await runInDurableObject(stub, (room) => {
      const stored = room.shares.byHandle(first.share.handle);
      if (!stored) throw new Error("the first link is not stored");
      for (let i = 1; i < PENDING_SHARES_MAX; i++) room.shares.add(`${project.id}.filler${String(i).padStart(16, "0")}`, { ...stored, handle: `filler${String(i).padStart(10, "0")}` });
    });
    const over = await api(cookie, `/api/projects/${project.id}/shares`, { method: "POST", body: JSON.stringify({ user: "recipient", accessKeyId: key.accessKeyId, ...(await seal({ x: 2 })) }) });
    expect(over.status).toBe(409);
    expect((await over.json<Refusal>()).error.message).toMatch(/already has 200 one-time links waiting/);
    // An opened link no longer waits: there is room for one more.
    expect((await open(first.id, first.proof)).status).toBe(200);
    await share();
  });
});
