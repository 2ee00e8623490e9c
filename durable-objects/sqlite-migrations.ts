/**
 * Versioned schema migrations for a Durable Object's SQLite storage. Storage outlives code: an
 * object written by any earlier version is brought forward step by step before anything reads it.
 *
 * The version is one row of `schema_version`: Durable Objects refuse `PRAGMA user_version`
 * (SQLITE_AUTH), so it cannot live in SQLite's header. A database without that table predates
 * versioning and is at version 0, whose tables are then exactly what migration 1 creates (with
 * IF NOT EXISTS). Each step runs in one synchronous transaction together with its version bump,
 * so an object is never left half-migrated.
 */
import { logEvent } from "../core/log";

export interface Migration {
  /** What the step changes, for the log line. */
  name: string;
  up(sql: SqlStorage): void;
}

export function schemaVersion(sql: SqlStorage): number {
  const table = sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").toArray();
  if (table.length === 0) return 0;
  return Number(sql.exec<{ version: number }>("SELECT version FROM schema_version").toArray()[0]?.version ?? 0);
}

/**
 * Runs the steps `migrations[from..]` (from = the stored version). Called from the object's
 * constructor: a Durable Object's constructor completes before its first request or alarm.
 * Steps are only ever appended; a released step is never edited (objects already ran it).
 */
export function migrate(storage: DurableObjectStorage, migrations: readonly Migration[], what: string): void {
  const sql = storage.sql;
  const from = schemaVersion(sql);
  if (from > migrations.length) {
    // Older code on newer storage (a rollback past a migration): reading on could lose data.
    throw new Error(`${what} storage is at schema ${from}, newer than this code's ${migrations.length}: deploy the newer Worker (see the runbook in README.md).`);
  }
  for (let version = from; version < migrations.length; version++) {
    const step = migrations[version];
    if (!step) break;
    storage.transactionSync(() => {
      step.up(sql);
      sql.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
      sql.exec("DELETE FROM schema_version");
      sql.exec("INSERT INTO schema_version (version) VALUES (?)", version + 1);
    });
    // A fresh object runs every step at its first start: only upgrades are news.
    if (from > 0) logEvent("info", "storage_migrated", { object: what, from, to: version + 1, step: step.name });
  }
}
