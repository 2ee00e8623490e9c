// Proves the room's storage is versioned: a room written by the previous schema is migrated when it starts (links keyed by the hash of their id, with handles; old links still open once), a row that no longer parses is quarantined, logged and listed for ops while the room serves everything else, and storage newer than the code is refused rather than misread.
import { env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { OpenedShare, ProjectView, Share } from "../core/contract";
import { api, eventually, login, ORIGIN, readyBucket, registerProject } from "../test/workers/harness";
import { ProjectRoom } from "./project-room";
import { linkIdHash, ROOM_MIGRATIONS, ROOM_SCHEMA_VERSION } from "./room-schema";
import { migrate, schemaVersion } from "./sqlite-migrations";
import { SeenStackStore } from "./seen-stacks";
import type { QuarantinedRow } from "./quarantine";

const ops = (path: string) => SELF.fetch(`${ORIGIN}/api/ops${path}`, { headers: { authorization: `Bearer ${env.OPS_TOKEN}` } });
const tables = (sql: SqlStorage) => sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'sqlite_%' ORDER BY name").toArray().map((t) => t.name);

describe("room storage", () => {
  it("migrates a room written by the previous schema when it starts, and its old links still open once", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    await readyBucket(owner, project, "kept");
    const stub = env.PROJECT_ROOM.get(env.PROJECT_ROOM.idFromName(project.id));
    const oldId = `${project.id}.OLDLINKxxxxxxxxxxxxxxx`;
    const now = Date.now();
    const oldShare = {
      id: oldId, user: "partner", accessKeyId: "AKIAOLD0000000000001", createdBy: "owner@example.com",
      createdAt: new Date(now).toISOString(), expiresAt: new Date(now + 86_400_000).toISOString(), status: "pending", ciphertext: "b2xkLWNpcGhlcnRleHQ", iv: "AAAAAAAAAAAAAAAA",
    };

    const migrated = await runInDurableObject(stub, (_room, state) => {
      const sql = state.storage.sql;
      // Back to the schema before versioning: exactly migration 1's tables, and an old link row.
      for (const table of tables(sql).filter((t) => !["meta", "resources", "stack_events", "log", "members", "edit_queue"].includes(t))) sql.exec(`DROP TABLE "${table}"`);
      expect(schemaVersion(sql)).toBe(0);
      ROOM_MIGRATIONS[0]?.up(sql);
      sql.exec("INSERT INTO shares (id, user, json) VALUES (?, ?, ?)", oldId, "partner", JSON.stringify(oldShare));
      // A room starting on that storage (what a deploy of this code meets).
      new ProjectRoom(state, env);
      const links = sql.exec<{ handle: string; id_hash: string; json: string }>("SELECT handle, id_hash, json FROM links").toArray();
      return { version: schemaVersion(sql), tables: tables(sql), links };
    });
    expect(migrated.version).toBe(ROOM_SCHEMA_VERSION);
    expect(migrated.tables).toEqual(expect.arrayContaining(["links", "ended_sessions", "quarantine", "schema_version"]));
    expect(migrated.tables).not.toContain("shares");
    expect(migrated.links).toHaveLength(1);
    expect(migrated.links[0]?.id_hash).toBe(linkIdHash(oldId));
    expect(migrated.links[0]?.handle).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(migrated.links[0]?.json).not.toContain(oldId);

    // The same room, on migrated storage, through the real Worker.
    const listed = await (await api(owner, `/api/projects/${project.id}/shares`)).json<{ shares: Share[] }>();
    expect(listed.shares).toEqual([expect.objectContaining({ handle: migrated.links[0]?.handle, status: "pending", passphrase: false, failedProofs: 0 })]);
    const opened = await SELF.fetch(`${ORIGIN}/api/shares/${oldId}`);
    expect(opened.status).toBe(200);
    expect((await opened.json<OpenedShare>()).ciphertext).toBe(oldShare.ciphertext);
    expect((await SELF.fetch(`${ORIGIN}/api/shares/${oldId}`)).status).toBe(410);
    const view = await eventually(() => api(owner, `/api/projects/${project.id}`).then((r) => r.json<ProjectView>()), (v) => v.buckets.length > 0);
    expect(view.buckets.map((b) => b.name)).toEqual(["kept"]);

    // Migrating again changes nothing.
    await runInDurableObject(stub, (_room, state) => {
      migrate(state.storage, ROOM_MIGRATIONS, "ProjectRoom");
      expect(schemaVersion(state.storage.sql)).toBe(ROOM_SCHEMA_VERSION);
    });
  });

  it("moves what the last heal saw into one row per stack, and a heal writes only the rows that changed", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    await readyBucket(owner, project, "seen-a");
    await readyBucket(owner, project, "seen-b");
    const stub = env.PROJECT_ROOM.get(env.PROJECT_ROOM.idFromName(project.id));
    const refresh = async () => expect((await api(owner, `/api/projects/${project.id}/refresh`, { method: "POST", body: "{}" })).status).toBe(200);
    await refresh();
    const rows = () => runInDurableObject(stub, (_room, state) => state.storage.sql.exec<{ stack_name: string; json: string }>("SELECT stack_name, json FROM seen_stacks ORDER BY stack_name").toArray());
    const seen = await rows();
    expect(seen.map((r) => r.stack_name)).toEqual([`stackroom-${project.id}-bucket-seen-a`, `stackroom-${project.id}-bucket-seen-b`]);

    // Storage of the previous schema: the whole map in one meta value, no table.
    await runInDurableObject(stub, (_room, state) => {
      const sql = state.storage.sql;
      const legacy = Object.fromEntries(seen.map((r) => [r.stack_name, JSON.parse(r.json) as unknown]));
      sql.exec("DROP TABLE seen_stacks");
      sql.exec("INSERT INTO meta (key, value) VALUES ('heal_seen_stacks', ?)", JSON.stringify(legacy));
      sql.exec("UPDATE schema_version SET version = ?", ROOM_SCHEMA_VERSION - 1);
      new ProjectRoom(state, env);
      expect(schemaVersion(sql)).toBe(ROOM_SCHEMA_VERSION);
      expect(sql.exec("SELECT value FROM meta WHERE key = 'heal_seen_stacks'").toArray()).toEqual([]);
    });
    expect(await rows()).toEqual(seen);

    // The rows moved are used: an unchanged heal reads no template.
    const res = await SELF.fetch(`${ORIGIN}/api/ops/projects/${project.id}/resync`, { method: "POST", headers: { authorization: `Bearer ${env.OPS_TOKEN}`, "content-type": "application/json" }, body: "{}" });
    expect(((await res.json()) as { calls: { getTemplate: number; reused: number } }).calls).toMatchObject({ getTemplate: 0, reused: 2 });

    // A save writes only what changed: nothing for an unchanged map, one row for one changed stack, one delete for a gone one.
    const written = await runInDurableObject(stub, (_room, state) => {
      let rows = 0;
      const counting = { exec: (query: string, ...args: SqlStorageValue[]) => {
        const cursor = state.storage.sql.exec(query, ...args);
        const all = cursor.toArray();
        rows += cursor.rowsWritten;
        return all;
      } } as unknown as SqlStorage;
      const store = new SeenStackStore(counting);
      const counted = (work: () => void) => {
        rows = 0;
        work();
        return rows;
      };
      const map = store.load();
      const unchanged = counted(() => store.save(map));
      const [first, second] = [...map.keys()];
      const entry = map.get(first ?? "");
      if (entry) map.set(first ?? "", { ...entry, status: "UPDATE_COMPLETE" });
      const oneChanged = counted(() => store.save(map));
      map.delete(second ?? "");
      const oneGone = counted(() => store.save(map));
      return { unchanged, oneChanged, oneGone, left: store.load().size };
    });
    expect(written).toEqual({ unchanged: 0, oneChanged: 1, oneGone: 1, left: 1 });
  });

  it("quarantines a row that no longer parses, lists it for ops, and keeps serving the rest", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    await readyBucket(owner, project, "good");
    const stub = env.PROJECT_ROOM.get(env.PROJECT_ROOM.idFromName(project.id));
    await runInDurableObject(stub, (_room, state) => {
      state.storage.sql.exec("INSERT INTO resources (kind, name, json) VALUES ('bucket', 'broken', ?)", JSON.stringify({ resource: { name: "broken", status: "sideways" } }));
      state.storage.sql.exec("INSERT INTO log (seq, json) VALUES (?, ?)", 900_000, "{not json");
    });

    const activity = await api(owner, `/api/projects/${project.id}/activity`);
    expect(activity.status).toBe(200);
    const patched = await api(owner, `/api/projects/${project.id}/buckets/good`, { method: "PATCH", body: JSON.stringify({ versioning: false }) });
    expect(patched.status).toBe(202);
    const refresh = await api(owner, `/api/projects/${project.id}/buckets/broken`, { method: "PATCH", body: JSON.stringify({ versioning: false }) });
    expect(refresh.status).toBe(404);

    const quarantine = await (await ops("/quarantine")).json<{ projects: Array<{ project: string; rows: QuarantinedRow[] }> }>();
    const rows = quarantine.projects.find((p) => p.project === project.id)?.rows ?? [];
    expect(rows.map((r) => `${r.source}:${r.key}`).sort()).toEqual(["log:900000", "resources:bucket/broken"]);
    expect(rows.find((r) => r.source === "resources")?.reason).toMatch(/status/);
    expect(rows.find((r) => r.source === "log")?.json).toBe("{not json");
    const left = await runInDurableObject(stub, (_room, state) => state.storage.sql.exec("SELECT COUNT(*) AS n FROM resources WHERE name = 'broken'").one().n);
    expect(left).toBe(0);
  });

  it("refuses storage newer than the code instead of misreading it", async () => {
    const stub = env.PROJECT_ROOM.get(env.PROJECT_ROOM.idFromName(`newer-${crypto.randomUUID()}`));
    await runInDurableObject(stub, (_room, state) => {
      state.storage.sql.exec("UPDATE schema_version SET version = ?", ROOM_SCHEMA_VERSION + 1);
      expect(() => new ProjectRoom(state, env)).toThrow(/newer than this code/);
      state.storage.sql.exec("UPDATE schema_version SET version = ?", ROOM_SCHEMA_VERSION);
    });
  });
});
