import * as z from "zod";
import { DEFAULT_NOTIFICATION_SETTINGS, IsoTime, NotificationDelivery, NotificationSettings, type NotifyEvent } from "../core/contract";
import type { Quarantine } from "./quarantine";
import type { DigestEntry } from "./notification-payloads";

/** Messages waiting at most; beyond, the oldest waiting one is dropped (a dead webhook must not grow storage). */
export const OUTBOX_MAX = 100;
/** Deliveries the log keeps (newest). */
export const DELIVERIES_KEPT = 50;

/** NotifyEvent read back from storage. */
const StoredNotifyEvent: z.ZodType<NotifyEvent> = z.union([
  z.object({ type: z.enum(["upload", "delete"]), bucket: z.string(), by: z.string(), files: z.number(), bytes: z.number(), prefix: z.string(), at: IsoTime }),
  z.object({ type: z.literal("failure"), kind: z.string(), name: z.string(), message: z.string(), at: IsoTime }),
  z.object({ type: z.literal("link-opened"), user: z.string(), at: IsoTime }),
  z.object({ type: z.literal("access-expiring"), user: z.string(), expiresAt: z.string(), daysLeft: z.number(), at: IsoTime }),
]);

/** A waiting message: its lines, and how many events did not fit. */
const OutboxBody = z.object({
  entries: z.array(z.object({ event: StoredNotifyEvent, firstAt: IsoTime, count: z.number().int().positive() })),
  dropped: z.number().int().nonnegative(),
});
type OutboxBody = z.infer<typeof OutboxBody>;

/** One waiting message of the outbox: the digest of one group (a bucket, a user, a resource) in one window. */
export interface OutboxRow extends OutboxBody {
  id: number;
  group: string;
  /** When it is (next) sent: the window's end, or the next retry. */
  dueMs: number;
  /** Tries made so far (0: still gathering, or not yet sent). */
  attempt: number;
}

/**
 * The room's notification state in SQLite (room-schema.ts): the settings and the json format's
 * signing secret (one row), the outbox of waiting messages, and the delivery log. Rows read back
 * are parsed; one that no longer parses is quarantined.
 */
export class NotificationStore {
  constructor(
    private readonly sql: SqlStorage,
    private readonly quarantine: Quarantine,
  ) {}

  settings(): NotificationSettings {
    const row = this.sql.exec<{ json: string }>("SELECT json FROM notification_settings WHERE id = 1").toArray()[0];
    if (!row) return DEFAULT_NOTIFICATION_SETTINGS;
    return this.quarantine.read("notification_settings", "1", row.json, (raw) => NotificationSettings.parse(raw), () => this.sql.exec("UPDATE notification_settings SET json = ? WHERE id = 1", JSON.stringify(DEFAULT_NOTIFICATION_SETTINGS))) ?? DEFAULT_NOTIFICATION_SETTINGS;
  }

  secret(): string | null {
    return this.sql.exec<{ secret: string | null }>("SELECT secret FROM notification_settings WHERE id = 1").toArray()[0]?.secret ?? null;
  }

  /** Stores the settings; `secret` replaces the signing secret when given. */
  put(settings: NotificationSettings, secret?: string): void {
    this.sql.exec(
      "INSERT INTO notification_settings (id, json, secret) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json, secret = COALESCE(?, secret)",
      JSON.stringify(settings), secret ?? null, secret ?? null,
    );
  }

  /** The group's message still gathering events at `now` (its window not yet over), if any. */
  gathering(group: string, now: number): OutboxRow | undefined {
    const row = this.sql.exec<{ id: number; group_key: string; due_ms: number; attempt: number; json: string }>(
      "SELECT id, group_key, due_ms, attempt, json FROM notification_outbox WHERE group_key = ? AND attempt = 0 AND due_ms > ? ORDER BY id DESC LIMIT 1", group, now,
    ).toArray()[0];
    return row && this.parse(row);
  }

  /** Adds a message; the oldest waiting ones go when the outbox is full (answers how many went). */
  add(group: string, dueMs: number, entries: DigestEntry[], dropped: number): number {
    this.sql.exec("INSERT INTO notification_outbox (group_key, due_ms, attempt, json) VALUES (?, ?, 0, ?)", group, dueMs, JSON.stringify({ entries, dropped } satisfies OutboxBody));
    const over = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM notification_outbox").one().n - OUTBOX_MAX;
    if (over > 0) this.sql.exec("DELETE FROM notification_outbox WHERE id IN (SELECT id FROM notification_outbox ORDER BY id LIMIT ?)", over);
    return Math.max(0, over);
  }

  /** Rewrites a gathering message's lines. */
  update(id: number, entries: DigestEntry[], dropped: number): void {
    this.sql.exec("UPDATE notification_outbox SET json = ? WHERE id = ?", JSON.stringify({ entries, dropped } satisfies OutboxBody), id);
  }

  /** Messages due by `now`, oldest first, at most `limit`. */
  due(now: number, limit: number): OutboxRow[] {
    return this.sql
      .exec<{ id: number; group_key: string; due_ms: number; attempt: number; json: string }>("SELECT id, group_key, due_ms, attempt, json FROM notification_outbox WHERE due_ms <= ? ORDER BY due_ms, id LIMIT ?", now, limit)
      .toArray()
      .flatMap((row) => {
        const parsed = this.parse(row);
        return parsed ? [parsed] : [];
      });
  }

  /** When the next waiting message is due (Infinity: none). */
  nextDue(): number {
    return this.sql.exec<{ due: number | null }>("SELECT MIN(due_ms) AS due FROM notification_outbox").one().due ?? Infinity;
  }

  /** A failed try: tried again at `dueMs`. */
  retryAt(id: number, attempt: number, dueMs: number): void {
    this.sql.exec("UPDATE notification_outbox SET attempt = ?, due_ms = ? WHERE id = ?", attempt, dueMs, id);
  }

  remove(id: number): void {
    this.sql.exec("DELETE FROM notification_outbox WHERE id = ?", id);
  }

  /** Forgets every waiting message (there is nowhere to send them any more). */
  clearOutbox(): void {
    this.sql.exec("DELETE FROM notification_outbox");
  }

  /** Logs a delivery; the log keeps the newest DELIVERIES_KEPT. */
  logDelivery(delivery: NotificationDelivery): void {
    this.sql.exec("INSERT INTO notification_deliveries (json) VALUES (?)", JSON.stringify(delivery));
    this.sql.exec("DELETE FROM notification_deliveries WHERE id NOT IN (SELECT id FROM notification_deliveries ORDER BY id DESC LIMIT ?)", DELIVERIES_KEPT);
  }

  /** The delivery log, newest first. */
  deliveries(): NotificationDelivery[] {
    return this.sql
      .exec<{ id: number; json: string }>("SELECT id, json FROM notification_deliveries ORDER BY id DESC")
      .toArray()
      .flatMap((row) => {
        const parsed = this.quarantine.read("notification_deliveries", String(row.id), row.json, (raw) => NotificationDelivery.parse(raw), () => this.sql.exec("DELETE FROM notification_deliveries WHERE id = ?", row.id));
        return parsed ? [parsed] : [];
      });
  }

  private parse(row: { id: number; group_key: string; due_ms: number; attempt: number; json: string }): OutboxRow | undefined {
    const body = this.quarantine.read("notification_outbox", String(row.id), row.json, (raw) => OutboxBody.parse(raw), () => this.remove(row.id));
    return body && { ...body, id: row.id, group: row.group_key, dueMs: row.due_ms, attempt: row.attempt };
  }
}

/** The schema step that adds the notification tables (room-schema.ts). */
export function addNotificationTables(sql: SqlStorage): void {
  sql.exec(`
    CREATE TABLE IF NOT EXISTS notification_settings (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL, secret TEXT);
    CREATE TABLE IF NOT EXISTS notification_outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT, group_key TEXT NOT NULL, due_ms INTEGER NOT NULL,
      attempt INTEGER NOT NULL DEFAULT 0, json TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS notification_outbox_by_due ON notification_outbox (due_ms);
    CREATE INDEX IF NOT EXISTS notification_outbox_by_group ON notification_outbox (group_key, attempt);
    CREATE TABLE IF NOT EXISTS notification_deliveries (id INTEGER PRIMARY KEY AUTOINCREMENT, json TEXT NOT NULL);
  `);
}
