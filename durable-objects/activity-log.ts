import * as z from "zod";
import type { ActivityFilter } from "../core/contract";

/**
 * The activity part of the room's `log` table: each change frame's activity is also kept in
 * indexed columns (kind, name, actor, requester, at_ms; migration 3 in room-schema.ts), so a
 * filtered page is an indexed query, not a scan of every frame's JSON.
 */

/** Just what the columns need from a stored frame; the frame itself is still parsed in full when read. */
const FrameActivity = z.object({
  activity: z.object({
    kind: z.string(),
    name: z.string(),
    actor: z.string(),
    at: z.string(),
    operation: z.object({ by: z.string() }).optional(),
  }),
});

interface ActivityColumns {
  kind: string | null;
  name: string | null;
  actor: string | null;
  requester: string | null;
  atMs: number | null;
}

const NONE: ActivityColumns = { kind: null, name: null, actor: null, requester: null, atMs: null };

/** The indexed columns of a frame (all null for one without an activity line: it never matches a filter). */
function activityColumns(frame: unknown): ActivityColumns {
  const parsed = FrameActivity.safeParse(frame);
  if (!parsed.success) return NONE;
  const { kind, name, actor, at, operation } = parsed.data.activity;
  const atMs = Date.parse(at);
  // People are matched case-insensitively, as emails are (members are stored lower-cased).
  return { kind, name, actor: actor.toLowerCase(), requester: operation?.by.toLowerCase() ?? null, atMs: Number.isFinite(atMs) ? atMs : null };
}

/** Same, from a row's stored JSON (the migration's backfill). */
function activityColumnsOfJson(json: string): ActivityColumns {
  try {
    return activityColumns(JSON.parse(json));
  } catch {
    return NONE;
  }
}

/** The seq of the folded line a frame supersedes (`replaces`), if it names one. */
const Replaces = z.object({ replaces: z.number().int().positive() });

/** The kind column of a superseded line: no filter matches it and no page selects it (a row without columns still is, and quarantined if unreadable). */
const SUPERSEDED = "";

/**
 * Inserts a frame with its activity columns. A frame that `replaces` an earlier folded line takes
 * that line out of the activity (SUPERSEDED) while its frame stays in the log, for the state it
 * carries to a client catching up (a big heal's folded lines: found, refreshed, gone; heal.ts).
 */
export function insertLogRow(sql: SqlStorage, seq: number, json: string, frame: unknown): void {
  const c = activityColumns(frame);
  sql.exec("INSERT INTO log (seq, json, kind, name, actor, requester, at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)", seq, json, c.kind, c.name, c.actor, c.requester, c.atMs);
  const replaced = Replaces.safeParse(frame);
  if (replaced.success) sql.exec("UPDATE log SET kind = ?, name = NULL, actor = NULL, requester = NULL, at_ms = NULL WHERE seq = ?", SUPERSEDED, replaced.data.replaces);
}

/**
 * The query for rows with seq < before that pass the filter, newest first. Each condition is on
 * an indexed column; ORDER BY seq DESC with LIMIT stops at the page. A superseded line is left out.
 */
export function activitySelect(filter: ActivityFilter, before: number, limit: number): { query: string; args: (string | number)[] } {
  const where = ["seq < ?", "kind IS NOT ?"];
  const args: (string | number)[] = [before, SUPERSEDED];
  if (filter.resource) {
    where.push("kind = ? AND name = ?");
    args.push(filter.resource.kind, filter.resource.name);
  }
  if (filter.kind) {
    where.push("kind = ?");
    args.push(filter.kind);
  }
  if (filter.person) {
    where.push("(actor = ? OR requester = ?)");
    args.push(filter.person.toLowerCase(), filter.person.toLowerCase());
  }
  if (filter.since) {
    where.push("at_ms >= ?");
    args.push(Date.parse(filter.since));
  }
  if (filter.until) {
    where.push("at_ms <= ?");
    args.push(Date.parse(filter.until));
  }
  return { query: `SELECT seq, json FROM log WHERE ${where.join(" AND ")} ORDER BY seq DESC LIMIT ?`, args: [...args, limit] };
}

export function selectActivity(sql: SqlStorage, filter: ActivityFilter, before: number, limit: number): { seq: number; json: string }[] {
  const { query, args } = activitySelect(filter, before, limit);
  return sql.exec<{ seq: number; json: string }>(query, ...args).toArray();
}

/** The schema step that adds the columns, fills them for the frames already kept, and indexes them. */
export function addActivityColumns(sql: SqlStorage): void {
  // A room from before versioning (version 0) may still carry them: add only what is missing.
  const present = new Set(sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('log')").toArray().map((c) => c.name));
  for (const [column, type] of [["kind", "TEXT"], ["name", "TEXT"], ["actor", "TEXT"], ["requester", "TEXT"], ["at_ms", "INTEGER"]] as const) {
    if (!present.has(column)) sql.exec(`ALTER TABLE log ADD COLUMN ${column} ${type}`);
  }
  // At most LOG_KEEP (1000) rows: read in JS, where the frame is parsed as everywhere else.
  for (const row of sql.exec<{ seq: number; json: string }>("SELECT seq, json FROM log").toArray()) {
    const c = activityColumnsOfJson(row.json);
    sql.exec("UPDATE log SET kind = ?, name = ?, actor = ?, requester = ?, at_ms = ? WHERE seq = ?", c.kind, c.name, c.actor, c.requester, c.atMs, row.seq);
  }
  sql.exec(`
    CREATE INDEX IF NOT EXISTS log_by_resource ON log (kind, name, seq);
    CREATE INDEX IF NOT EXISTS log_by_kind ON log (kind, seq);
    CREATE INDEX IF NOT EXISTS log_by_actor ON log (actor, seq);
    CREATE INDEX IF NOT EXISTS log_by_requester ON log (requester, seq);
    CREATE INDEX IF NOT EXISTS log_by_time ON log (at_ms);
  `);
}
