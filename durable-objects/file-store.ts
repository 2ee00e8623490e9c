import * as z from "zod";
import { FileEntry } from "../core/contract";
import type { Quarantine } from "./quarantine";

/** A bucket's recent files kept by the room: the newest this many, older ones go. */
export const FILES_KEPT_PER_BUCKET = 1000;

/** A file event as the room keeps it: the contract's entry, under its bucket's (Stackroom) name. */
export interface FiledEvent extends FileEntry {
  eventId: string;
  bucket: string;
  atMs: number;
}

/**
 * One folded activity line: who did what in which bucket, from when to when, how many files and
 * bytes, the longest prefix their keys share, and the seq of the line in the log.
 */
const FileFold = z.object({
  bucket: z.string(),
  by: z.string(),
  event: z.enum(["created", "removed"]),
  seq: z.number().int().nonnegative(),
  firstMs: z.number(),
  lastMs: z.number(),
  files: z.number().int().positive(),
  bytes: z.number().int().nonnegative(),
  place: z.string(),
});
export type FileFold = z.infer<typeof FileFold>;

const SQL_ORDER = "ORDER BY at_ms DESC, rowid DESC";

/**
 * The room's file events per bucket (SQLite `file_events`, room-schema.ts), deduplicated by
 * eventId, at most FILES_KEPT_PER_BUCKET per bucket, newest first; and the open folded activity
 * line per (bucket, user, event) (`file_folds`). Rows read back are parsed; one that no longer
 * parses is quarantined.
 */
export class FileStore {
  constructor(
    private readonly sql: SqlStorage,
    private readonly quarantine: Quarantine,
  ) {}

  /** Inserts the event unless its eventId is kept already; true when it is new. */
  add(e: FiledEvent): boolean {
    const cursor = this.sql.exec(
      "INSERT INTO file_events (event_id, bucket, key, event, size, by_name, at, at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(event_id) DO NOTHING",
      e.eventId, e.bucket, e.key, e.event, e.size ?? null, e.by, e.at, e.atMs,
    );
    return cursor.rowsWritten > 0;
  }

  /** How many events the bucket keeps, and the time of its oldest kept one. */
  extent(bucket: string): { count: number; oldestMs: number } {
    const row = this.sql.exec<{ count: number; oldest: number | null }>("SELECT COUNT(*) AS count, MIN(at_ms) AS oldest FROM file_events WHERE bucket = ?", bucket).toArray()[0];
    return { count: row?.count ?? 0, oldestMs: row?.oldest ?? -Infinity };
  }

  /** Keeps the bucket's newest FILES_KEPT_PER_BUCKET events. */
  trim(bucket: string): void {
    this.sql.exec(
      `DELETE FROM file_events WHERE bucket = ? AND event_id NOT IN (SELECT event_id FROM file_events WHERE bucket = ? ${SQL_ORDER} LIMIT ?)`,
      bucket, bucket, FILES_KEPT_PER_BUCKET,
    );
  }

  /** The bucket's kept events whose key starts with `prefix`, newest first. */
  list(bucket: string, prefix: string, limit: number): FileEntry[] {
    // instr(key, prefix) = 1: starts with, case-sensitive, with no LIKE wildcards to escape.
    return this.sql
      .exec<{ event_id: string; key: string; event: string; size: number | null; by_name: string; at: string }>(
        `SELECT event_id, key, event, size, by_name, at FROM file_events WHERE bucket = ? AND instr(key, ?) = 1 ${SQL_ORDER} LIMIT ?`,
        bucket, prefix, limit,
      )
      .toArray()
      .flatMap((r) => {
        const row = { key: r.key, event: r.event, by: r.by_name, at: r.at, ...(r.size === null ? {} : { size: r.size }) };
        const entry = this.quarantine.read("file_events", r.event_id, JSON.stringify(row), (raw) => FileEntry.parse(raw), () => this.sql.exec("DELETE FROM file_events WHERE event_id = ?", r.event_id));
        return entry ? [entry] : [];
      });
  }

  /** The open folded line of (bucket, by, event), if any. */
  fold(bucket: string, by: string, event: FileFold["event"]): FileFold | undefined {
    const row = this.sql
      .exec<{ seq: number; first_ms: number; last_ms: number; files: number; bytes: number; place: string }>(
        "SELECT seq, first_ms, last_ms, files, bytes, place FROM file_folds WHERE bucket = ? AND by_name = ? AND event = ?",
        bucket, by, event,
      )
      .toArray()[0];
    if (!row) return undefined;
    const json = JSON.stringify({ bucket, by, event, seq: row.seq, firstMs: row.first_ms, lastMs: row.last_ms, files: row.files, bytes: row.bytes, place: row.place });
    return this.quarantine.read("file_folds", `${bucket}/${by}/${event}`, json, (raw) => FileFold.parse(raw), () => this.sql.exec("DELETE FROM file_folds WHERE bucket = ? AND by_name = ? AND event = ?", bucket, by, event));
  }

  putFold(f: FileFold): void {
    this.sql.exec(
      `INSERT INTO file_folds (bucket, by_name, event, seq, first_ms, last_ms, files, bytes, place) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(bucket, by_name, event) DO UPDATE SET seq = excluded.seq, first_ms = excluded.first_ms, last_ms = excluded.last_ms, files = excluded.files, bytes = excluded.bytes, place = excluded.place`,
      f.bucket, f.by, f.event, f.seq, f.firstMs, f.lastMs, f.files, f.bytes, f.place,
    );
  }

  /** Forgets a bucket that is gone: its files and its open lines. */
  forgetBucket(bucket: string): void {
    this.sql.exec("DELETE FROM file_events WHERE bucket = ?", bucket);
    this.sql.exec("DELETE FROM file_folds WHERE bucket = ?", bucket);
  }
}

/** The schema step that adds the two tables (room-schema.ts). */
export function addFileTables(sql: SqlStorage): void {
  sql.exec(`
    CREATE TABLE IF NOT EXISTS file_events (
      event_id TEXT PRIMARY KEY, bucket TEXT NOT NULL, key TEXT NOT NULL, event TEXT NOT NULL,
      size INTEGER, by_name TEXT NOT NULL, at TEXT NOT NULL, at_ms INTEGER NOT NULL);
    CREATE INDEX IF NOT EXISTS file_events_by_bucket ON file_events (bucket, at_ms);
    CREATE TABLE IF NOT EXISTS file_folds (
      bucket TEXT NOT NULL, by_name TEXT NOT NULL, event TEXT NOT NULL, seq INTEGER NOT NULL,
      first_ms INTEGER NOT NULL, last_ms INTEGER NOT NULL, files INTEGER NOT NULL, bytes INTEGER NOT NULL,
      place TEXT NOT NULL, PRIMARY KEY (bucket, by_name, event));
  `);
}
