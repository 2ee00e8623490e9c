// Proves GET /api/projects/:p/activity filters on the server by resource, person, kind and time, pages under a filter, answers 400 in the error envelope for bad filters, and that the room answers from indexed columns — also for frames logged before those columns existed.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ActivityEntry, ActivityPage } from "../../core/contract";
import { api, login, readyBucket, registerProject } from "../../test/workers/harness";
import { activitySelect } from "../../durable-objects/activity-log";
import { ROOM_MIGRATIONS } from "../../durable-objects/room-schema";
import { migrate } from "../../durable-objects/sqlite-migrations";

type Envelope = { error: { code: string; message: string; fields?: Record<string, string> } };

const page = async (cookie: string, projectId: string, query: string) => {
  const res = await api(cookie, `/api/projects/${projectId}/activity?${query}`);
  expect(res.status, query).toBe(200);
  return res.json<ActivityPage>();
};

/** Every entry the filter lets through, following nextBefore one page of `limit` at a time. */
async function allPages(cookie: string, projectId: string, filter: string, limit: number): Promise<{ entries: ActivityEntry[]; pages: number }> {
  const entries: ActivityEntry[] = [];
  let before: number | null = null;
  let pages = 0;
  do {
    const p: ActivityPage = await page(cookie, projectId, `${filter}&limit=${limit}${before === null ? "" : `&before=${before}`}`);
    entries.push(...p.entries);
    before = p.nextBefore;
    pages++;
  } while (before !== null && pages < 50);
  return { entries, pages };
}

const put = (cookie: string, projectId: string, email: string, role: string) =>
  api(cookie, `/api/projects/${projectId}/members/${encodeURIComponent(email)}`, { method: "PUT", body: JSON.stringify({ role }) });

describe("activity filters", () => {
  it("narrows by resource, person, kind and time on the server, and pages under a filter", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    const editor = await login("editor@example.com");
    await readyBucket(owner, project, "reports");
    await readyBucket(editor, project, "archive");
    await put(owner, project.id, "new.person@example.com", "viewer");
    const middle = new Date().toISOString();
    // The log's times have millisecond precision: what follows must not share `middle`'s millisecond.
    await new Promise((r) => setTimeout(r, 5));
    await readyBucket(editor, project, "later");
    for (const days of [1, 2, 3]) {
      expect((await api(owner, `/api/projects/${project.id}/buckets/reports`, { method: "PATCH", body: JSON.stringify({ expireAfterDays: days }) })).status).toBe(202);
    }

    const everything = (await page(owner, project.id, "limit=200")).entries;
    const reports = everything.filter((e) => e.kind === "bucket" && e.name === "reports");
    expect(reports.length).toBeGreaterThan(4);

    // Paging one entry at a time under the filter yields exactly the filter's entries, newest first.
    const paged = await allPages(owner, project.id, "resource=bucket:reports", 1);
    expect(paged.entries.map((e) => e.seq)).toEqual(reports.map((e) => e.seq));
    expect(paged.pages).toBe(reports.length);

    // A person is who acted or who asked (CloudFormation's lines for the editor's buckets count as the editor's), case-insensitively.
    const byEditor = (await page(owner, project.id, "person=Editor@Example.com&limit=200")).entries;
    expect(byEditor.length).toBeGreaterThan(0);
    expect(byEditor.every((e) => e.actor === "editor@example.com" || e.operation?.by === "editor@example.com")).toBe(true);
    expect(byEditor.some((e) => e.actor === "CloudFormation")).toBe(true);
    expect(new Set(byEditor.map((e) => e.name))).toEqual(new Set(["archive", "later"]));

    const members = (await page(owner, project.id, "kind=member")).entries;
    expect(members.map((e) => e.name)).toEqual(["new.person@example.com"]);
    expect((await page(owner, project.id, "kind=user")).entries).toEqual([]);

    const since = (await page(owner, project.id, `since=${encodeURIComponent(middle)}&limit=200`)).entries;
    expect(since.map((e) => e.seq)).toEqual(everything.filter((e) => e.at >= middle).map((e) => e.seq));
    const until = (await page(owner, project.id, `until=${encodeURIComponent(middle)}&limit=200`)).entries;
    expect(until.map((e) => e.seq)).toEqual(everything.filter((e) => e.at <= middle).map((e) => e.seq));
    // Offsets are times too: the same instant written in another zone.
    const shifted = new Date(Date.parse(middle) + 2 * 3600_000).toISOString().replace("Z", "+02:00");
    expect((await page(owner, project.id, `since=${encodeURIComponent(shifted)}&limit=200`)).entries.map((e) => e.seq)).toEqual(since.map((e) => e.seq));

    // All given conditions hold together.
    const both = (await page(owner, project.id, `person=editor@example.com&resource=bucket:later&since=${encodeURIComponent(middle)}`)).entries;
    expect(both.length).toBeGreaterThan(0);
    expect(both.every((e) => e.name === "later")).toBe(true);
    expect((await page(owner, project.id, "person=owner@example.com&resource=bucket:archive")).entries).toEqual([]);
  });

  it("refuses bad filters with 400 invalid in the error envelope, never a 500", async () => {
    const project = await registerProject();
    const viewer = await login("viewer@example.com");
    const bad = [
      "resource=reports",
      "resource=bucket:",
      "resource=robot:reports",
      `resource=bucket:${"x".repeat(300)}`,
      "kind=robot",
      // Names every object has are no kinds.
      "kind=toString",
      "kind=__proto__",
      "resource=constructor:x",
      "resource=__proto__:x",
      "person=not-an-email",
      "since=yesterday",
      "until=2026-13-01T00:00:00Z",
      "since=2026-12-02T00:00:00Z&until=2026-12-01T00:00:00Z",
      // Year 10000 once in UTC: as text it would sort before 2026.
      `since=${encodeURIComponent("9999-12-31T23:59:59-23:59")}&until=2026-12-01T00:00:00Z`,
      "limit=0",
      "before=-1",
    ];
    for (const query of bad) {
      const res = await api(viewer, `/api/projects/${project.id}/activity?${query}`);
      expect(res.status, query).toBe(400);
      const body = await res.json<Envelope>();
      expect(body.error.code, query).toBe("invalid");
      expect(body.error.message, query).toMatch(/activity query/);
    }
  });

  it("answers filters from indexes, including for frames logged before the columns existed", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    await readyBucket(owner, project, "old");
    const stub = env.PROJECT_ROOM.get(env.PROJECT_ROOM.idFromName(project.id));

    const plans = await runInDurableObject(stub, (_room, state) => {
      const sql = state.storage.sql;
      const plan = (filter: Parameters<typeof activitySelect>[0]) => {
        const { query, args } = activitySelect(filter, Number.MAX_SAFE_INTEGER, 51);
        return sql.exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${query}`, ...args).toArray().map((r) => r.detail).join("; ");
      };
      return {
        resource: plan({ resource: { kind: "bucket", name: "old" } }),
        kind: plan({ kind: "member" }),
        person: plan({ person: "owner@example.com" }),
        since: plan({ since: new Date(Date.now() - 60_000).toISOString() }),
      };
    });
    expect(plans.resource).toMatch(/USING (COVERING )?INDEX log_by_resource/);
    expect(plans.kind).toMatch(/USING (COVERING )?INDEX log_by_(kind|resource)/);
    expect(plans.person).toMatch(/log_by_actor/);
    expect(plans.person).toMatch(/log_by_requester/);
    // Time alone: the seq order (the primary key) is also time order; SQLite may walk either.
    expect(plans.since).toMatch(/log_by_time|USING INTEGER PRIMARY KEY/);

    // Back to schema 2: the log as it was, without the columns; the room migrates it on start.
    const before = await runInDurableObject(stub, (_room, state) => {
      const sql = state.storage.sql;
      sql.exec("CREATE TABLE log_v2 (seq INTEGER PRIMARY KEY, json TEXT NOT NULL)");
      sql.exec("INSERT INTO log_v2 (seq, json) SELECT seq, json FROM log");
      sql.exec("DROP TABLE log");
      sql.exec("ALTER TABLE log_v2 RENAME TO log");
      sql.exec("UPDATE schema_version SET version = 2");
      migrate(state.storage, ROOM_MIGRATIONS, "ProjectRoom");
      return sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM log WHERE kind = 'bucket' AND name = 'old' AND at_ms IS NOT NULL").one().n;
    });
    expect(before).toBeGreaterThan(0);
    const old = (await page(owner, project.id, "resource=bucket:old&person=owner@example.com")).entries;
    expect(old.length).toBeGreaterThan(0);
    expect(old.every((e) => e.name === "old")).toBe(true);
  });
});
