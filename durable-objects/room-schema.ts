import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { migrate, type Migration } from "./sqlite-migrations";
import { QUARANTINE_TABLE } from "./quarantine";
import { addActivityColumns } from "./activity-log";
import { addFileTables } from "./file-store";
import { addNotificationTables } from "./notification-store";
import { addSeenStacksTable } from "./seen-stacks";

/**
 * The project room's SQLite schema, one step per version (sqlite-migrations.ts). Add a step at
 * the end; never edit a released one: rooms in production already ran it.
 */
export const ROOM_MIGRATIONS: readonly Migration[] = [
  {
    name: "the first schema: state, events, log, links, members, queue",
    up(sql) {
      sql.exec(`
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS resources (kind TEXT NOT NULL, name TEXT NOT NULL, json TEXT NOT NULL, PRIMARY KEY (kind, name));
        CREATE TABLE IF NOT EXISTS stack_events (event_id TEXT PRIMARY KEY, stack_name TEXT NOT NULL, json TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS stack_events_by_stack ON stack_events (stack_name);
        CREATE TABLE IF NOT EXISTS log (seq INTEGER PRIMARY KEY, json TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS shares (id TEXT PRIMARY KEY, user TEXT NOT NULL, json TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS members (email TEXT PRIMARY KEY, role TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS edit_queue (
          position INTEGER PRIMARY KEY AUTOINCREMENT, operation_id TEXT NOT NULL UNIQUE,
          kind TEXT NOT NULL, name TEXT NOT NULL, json TEXT NOT NULL);
      `);
    },
  },
  {
    name: "links by the hash of their id and an opaque handle; ended sign-ins; quarantined rows",
    up(sql) {
      // A link's id opens it, so the room keeps only its SHA-256; managers name it by a handle.
      sql.exec(`
        CREATE TABLE links (handle TEXT PRIMARY KEY, id_hash TEXT NOT NULL UNIQUE, user TEXT NOT NULL, json TEXT NOT NULL);
        CREATE TABLE ended_sessions (session_id TEXT PRIMARY KEY, until INTEGER NOT NULL);
      `);
      sql.exec(QUARANTINE_TABLE);
      for (const row of sql.exec<{ id: string; user: string; json: string }>("SELECT id, user, json FROM shares").toArray()) {
        const handle = randomHandle();
        // Links made before this version carry no open proof: they open as they always did.
        let json = row.json;
        try {
          const old: unknown = JSON.parse(row.json);
          if (old && typeof old === "object" && !Array.isArray(old)) {
            const { id: _id, ...rest } = old as Record<string, unknown>;
            json = JSON.stringify({ ...rest, handle, proofHash: null, passphrase: false, failedProofs: 0 });
          }
        } catch {
          // Left as it is: the link store quarantines a row it cannot read, with its reason.
        }
        sql.exec("INSERT INTO links (handle, id_hash, user, json) VALUES (?, ?, ?, ?)", handle, linkIdHash(row.id), row.user, json);
      }
      sql.exec("DROP TABLE shares");
    },
  },
  {
    name: "the log's activity in indexed columns (kind, name, actor, requester, time) for filtered pages",
    up: addActivityColumns,
  },
  {
    name: "file activity: each bucket's recent object events and the open folded lines",
    up: addFileTables,
  },
  {
    name: "notifications: the settings and signing secret, the outbox of waiting messages, the delivery log",
    up: addNotificationTables,
  },
  {
    name: "what the last heal saw of each stack, one row per stack (was one meta value for all)",
    up: addSeenStacksTable,
  },
];

/** The schema version of a room's storage under this code. */
export const ROOM_SCHEMA_VERSION = ROOM_MIGRATIONS.length;

/** Brings the room's storage to ROOM_SCHEMA_VERSION (from the room's constructor). */
export function migrateRoom(storage: DurableObjectStorage): void {
  migrate(storage, ROOM_MIGRATIONS, "ProjectRoom");
}

/** SHA-256 of a link id, hex: what the room keeps instead of the id itself. */
export function linkIdHash(id: string): string {
  return bytesToHex(sha256(new TextEncoder().encode(id)));
}

/** 96 random bits, base64url: names a link for managers without opening it. */
export function randomHandle(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_");
}
