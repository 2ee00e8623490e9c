import type * as z from "zod";
import { ActivityEntry, LiveFrame, ProjectRecord, StackEvent, type ActivityFilter, type ResourceKind } from "../core/contract";
import { insertLogRow, selectActivity } from "./activity-log";
import type { StoredResource } from "./kinds/kind";
import type { Quarantine } from "./quarantine";

const heardKey = (kind: ResourceKind, name: string) => `heard:${kind}:${name}`;

/** Log entries kept for `since` catch-up; older clients get a snapshot instead. */
export const LOG_KEEP = 1000;

/** Reads a stored resource of a kind (its module's schema; throws on a row that no longer parses). */
type ResourceParser = (kind: ResourceKind, raw: unknown) => StoredResource;

/**
 * The room's SQLite tables (schema: room-schema.ts). Every row read back is parsed with zod:
 * storage outlives code versions, so a row written by an older version must not be trusted
 * blindly; one that no longer parses is quarantined and the rest is served. The room gives it the
 * parser of its kinds' rows, so storage knows no kind.
 */
export class RoomStore {
  constructor(
    private readonly sql: SqlStorage,
    private readonly quarantine: Quarantine,
    private readonly parseResource: ResourceParser,
  ) {}

  getMeta(key: string): string | undefined {
    const row = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0];
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.sql.exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, value);
  }

  deleteMeta(key: string): void {
    this.sql.exec("DELETE FROM meta WHERE key = ?", key);
  }

  seq(): number {
    return Number(this.getMeta("seq") ?? 0);
  }

  /** The resource as stored, parsed by its kind's schema (undefined when the room has none). */
  get(kind: ResourceKind, name: string): StoredResource | undefined {
    return this.getAs(kind, name, { parse: (raw: unknown) => this.parseResource(kind, raw) });
  }

  /** The resource parsed with a kind's own schema: typed, for that kind's code (and its neighbours'). */
  getAs<S>(kind: ResourceKind, name: string, schema: Pick<z.ZodType<S>, "parse">): S | undefined {
    const row = this.sql.exec<{ json: string }>("SELECT json FROM resources WHERE kind = ? AND name = ?", kind, name).toArray()[0];
    return row ? this.readResource(kind, name, row.json, schema) : undefined;
  }

  list(kind: ResourceKind): StoredResource[] {
    return this.listAs(kind, { parse: (raw: unknown) => this.parseResource(kind, raw) });
  }

  listAs<S>(kind: ResourceKind, schema: Pick<z.ZodType<S>, "parse">): S[] {
    return this.sql
      .exec<{ name: string; json: string }>("SELECT name, json FROM resources WHERE kind = ? ORDER BY name", kind)
      .toArray()
      .flatMap((r) => {
        const read = this.readResource(kind, r.name, r.json, schema);
        return read === undefined ? [] : [read];
      });
  }

  private readResource<S>(kind: ResourceKind, name: string, json: string, schema: Pick<z.ZodType<S>, "parse">): S | undefined {
    return this.quarantine.read("resources", `${kind}/${name}`, json, (raw) => schema.parse(raw), () => this.sql.exec("DELETE FROM resources WHERE kind = ? AND name = ?", kind, name));
  }

  put(kind: ResourceKind, stored: StoredResource): void {
    this.sql.exec(
      "INSERT INTO resources (kind, name, json) VALUES (?, ?, ?) ON CONFLICT(kind, name) DO UPDATE SET json = excluded.json",
      kind,
      stored.resource.name,
      JSON.stringify(stored),
    );
  }

  /** Forgets a resource that is gone, with what the room kept about it (its stack's events, when it was last heard of). */
  remove(kind: ResourceKind, name: string, stackName: string): void {
    this.sql.exec("DELETE FROM resources WHERE kind = ? AND name = ?", kind, name);
    this.sql.exec("DELETE FROM stack_events WHERE stack_name = ?", stackName);
    this.sql.exec("DELETE FROM meta WHERE key = ?", heardKey(kind, name));
  }

  /** When anything was last heard of the resource's stack (events), for the stuck-lock check. */
  lastHeard(kind: ResourceKind, name: string): number {
    return Number(this.getMeta(heardKey(kind, name)) ?? 0);
  }

  heard(kind: ResourceKind, name: string, at: number): void {
    this.setMeta(heardKey(kind, name), String(at));
  }

  /** The project record the room last acted for (needed by alarm-driven work such as healing). */
  project(): ProjectRecord | undefined {
    const json = this.getMeta("project");
    return json === undefined ? undefined : this.quarantine.read("meta", "project", json, (raw) => ProjectRecord.parse(raw), () => this.deleteMeta("project"));
  }

  /** Inserts the event unless its EventId was seen before; true when it is new. */
  addStackEvent(event: StackEvent): boolean {
    const cursor = this.sql.exec(
      "INSERT INTO stack_events (event_id, stack_name, json) VALUES (?, ?, ?) ON CONFLICT(event_id) DO NOTHING",
      event.eventId,
      event.stackName,
      JSON.stringify(event),
    );
    return cursor.rowsWritten > 0;
  }

  /** Drops events that can no longer change their stack's state (see forgettableEvents). */
  forgetStackEvents(eventIds: readonly string[]): void {
    for (const id of eventIds) this.sql.exec("DELETE FROM stack_events WHERE event_id = ?", id);
  }

  stackEvents(stackName: string): StackEvent[] {
    return this.sql
      .exec<{ event_id: string; json: string }>("SELECT event_id, json FROM stack_events WHERE stack_name = ?", stackName)
      .toArray()
      .flatMap((r) => {
        const event = this.quarantine.read("stack_events", r.event_id, r.json, (raw) => StackEvent.parse(raw), () => this.sql.exec("DELETE FROM stack_events WHERE event_id = ?", r.event_id));
        return event ? [event] : [];
      });
  }

  /** Stores the frame built for the next sequence number, trims the log, returns the frame's JSON. */
  appendFrame(build: (seq: number) => object): string {
    const seq = this.seq() + 1;
    const frame = build(seq);
    const json = JSON.stringify(frame);
    insertLogRow(this.sql, seq, json, frame);
    this.sql.exec("DELETE FROM log WHERE seq <= ?", seq - LOG_KEEP);
    this.setMeta("seq", String(seq));
    return json;
  }

  /** Drops one frame from the log: a folded activity line superseded by a later frame that `replaces` it. */
  forgetFrame(seq: number): void {
    this.sql.exec("DELETE FROM log WHERE seq = ?", seq);
  }

  /** Frames (as stored JSON) with seq > since, oldest first; null when the gap is older than the log. */
  framesSince(since: number): string[] | null {
    const oldest = this.sql.exec<{ seq: number }>("SELECT MIN(seq) AS seq FROM log").toArray()[0]?.seq;
    if (oldest !== undefined && oldest !== null && since < oldest - 1) return null;
    return this.sql
      .exec<{ json: string }>("SELECT json FROM log WHERE seq > ? ORDER BY seq", since)
      .toArray()
      .map((r) => r.json);
  }

  private readFrame(seq: number, json: string): LiveFrame | undefined {
    return this.quarantine.read("log", String(seq), json, (raw) => LiveFrame.parse(raw), () => this.sql.exec("DELETE FROM log WHERE seq = ?", seq));
  }

  /** The whole kept log, oldest first, each frame parsed (an export); unreadable rows are quarantined. */
  logFrames(): LiveFrame[] {
    return this.sql
      .exec<{ seq: number; json: string }>("SELECT seq, json FROM log ORDER BY seq")
      .toArray()
      .flatMap((r) => {
        const frame = this.readFrame(r.seq, r.json);
        return frame ? [frame] : [];
      });
  }

  /** Puts an exported log back, and the seq it had reached (an import into an empty room). */
  restoreLog(frames: readonly LiveFrame[], seq: number): void {
    for (const frame of frames) if ("seq" in frame) insertLogRow(this.sql, frame.seq, JSON.stringify(frame), frame);
    this.setMeta("seq", String(seq));
  }

  /** Activity entries newest first with seq < before that pass the filter (activity-log.ts). */
  activityBefore(before: number, limit: number, filter: ActivityFilter = {}): ActivityEntry[] {
    return selectActivity(this.sql, filter, before, limit)
      .flatMap((r) => {
        const frame = this.readFrame(r.seq, r.json);
        return frame?.type === "change" ? [frame.activity] : [];
      });
  }
}
