import * as z from "zod";
import { ProjectRecord, QueuedEdit, type ResourceKind, type Role } from "../core/contract";
import type { RoomContext } from "./room-context";
import { OPS_ACTOR, ROOM_ACTOR } from "./kinds/kit";
import { RoomError, refusal, type RoomResult } from "./room-error";
import { startOperation, startingState } from "./stack-operation";
import type { Quarantine } from "./quarantine";
import { isKnownKind, kindList, moduleOf } from "./kinds";
import type { Operation, StoredResource } from "./kinds/kind";
import { logEvent } from "../core/log";

/** A kind the room has a module for (built in or registered at run time). */
const KnownKind = z.custom<ResourceKind>(isKnownKind, { error: "Not a kind this room knows." });

/**
 * A 202'd edit waiting for its resource's lock; its operation id becomes the ClientRequestToken.
 * The change is the kind's own (kinds/*.ts), checked by the kind when the edit starts.
 */
export const QueueEntry = z.object({
  edit: QueuedEdit,
  project: ProjectRecord,
  request: z.object({ kind: KnownKind, change: z.unknown() }),
  /**
   * Set while the edit, next in line on a free resource, cannot start because other resources are
   * changing: the operations it waits for (they may be what refuses it), and why it was refused.
   */
  waiting: z.object({ operations: z.array(z.string()), reason: z.string() }).optional(),
});
export type QueueEntry = z.infer<typeof QueueEntry>;

/**
 * Per-resource FIFO queues in the room's SQLite, so that nothing accepted with 202 is lost when
 * the room is evicted or restarted. Rows that no longer parse come back as `entry: null` so the
 * room can report them; the row itself goes to the quarantine, for ops.
 */
export class EditQueue {
  constructor(
    private readonly sql: SqlStorage,
    private readonly quarantine: Quarantine,
  ) {}

  #entry(operationId: string, json: string): QueueEntry | null {
    return this.quarantine.read("edit_queue", operationId, json, (raw) => QueueEntry.parse(raw), () => this.remove(operationId)) ?? null;
  }

  push(kind: ResourceKind, name: string, entry: QueueEntry): void {
    this.sql.exec("INSERT INTO edit_queue (operation_id, kind, name, json) VALUES (?, ?, ?, ?)", entry.edit.operationId, kind, name, JSON.stringify(entry));
  }

  /** Oldest first. */
  list(kind: ResourceKind, name: string): Array<{ operationId: string; entry: QueueEntry | null }> {
    return this.sql
      .exec<{ operation_id: string; json: string }>("SELECT operation_id, json FROM edit_queue WHERE kind = ? AND name = ? ORDER BY position", kind, name)
      .toArray()
      .map((r) => ({ operationId: r.operation_id, entry: this.#entry(r.operation_id, r.json) }));
  }

  edits(kind: ResourceKind, name: string): QueuedEdit[] {
    return this.list(kind, name).flatMap((r) => (r.entry ? [r.entry.edit] : []));
  }

  find(operationId: string): { kind: ResourceKind; name: string; entry: QueueEntry | null } | undefined {
    const row = this.sql.exec<{ kind: string; name: string; json: string }>("SELECT kind, name, json FROM edit_queue WHERE operation_id = ?", operationId).toArray()[0];
    if (!row || !isKnownKind(row.kind)) return undefined;
    return { kind: row.kind, name: row.name, entry: this.#entry(operationId, row.json) };
  }

  /** Rewrites a waiting edit's entry in place (its position in the queue is kept). */
  update(entry: QueueEntry): void {
    this.sql.exec("UPDATE edit_queue SET json = ? WHERE operation_id = ?", JSON.stringify(entry), entry.edit.operationId);
  }

  remove(operationId: string): void {
    this.sql.exec("DELETE FROM edit_queue WHERE operation_id = ?", operationId);
  }

  /** Every resource that has waiting edits (to resume after a restart). */
  resources(): Array<{ kind: ResourceKind; name: string }> {
    return this.sql
      .exec<{ kind: string; name: string }>("SELECT DISTINCT kind, name FROM edit_queue")
      .toArray()
      .flatMap((r) => (isKnownKind(r.kind) ? [{ kind: r.kind, name: r.name }] : []));
  }
}

/** Stack states an operator must repair (ContinueUpdateRollback, empty and retry) before more edits may run. */
const HOLDING = new Set(["UPDATE_ROLLBACK_FAILED", "DELETE_FAILED", "ROLLBACK_FAILED"]);

/** Why the queue of this resource does not advance, if it does not. */
export function queueHeld(stored: StoredResource | undefined): string | undefined {
  if (!stored || stored.resource.lock || stored.resource.status !== "failed" || !stored.stackStatus || !HOLDING.has(stored.stackStatus)) return undefined;
  return `CloudFormation left the stack in ${stored.stackStatus}; queued edits wait until it is repaired, or cancel them.`;
}

/**
 * Must a new edit wait? Yes while an operation runs or older edits wait (FIFO) — except a create
 * for a name in use (refused at once, unless that resource is being deleted) and a delete of a
 * resource whose queue is held (that delete is the repair the queue waits for).
 */
export function mustQueue(room: RoomContext, kind: ResourceKind, name: string, action: string): boolean {
  const current = room.store.get(kind, name);
  if (!current) return false;
  if (action === "create" && current.resource.lock?.action !== "delete") return false;
  if (action === "delete" && queueHeld(current) !== undefined) return false;
  return Boolean(current.resource.lock) || room.queue.list(kind, name).length > 0;
}

/** The operations running on resources other than this one, by operation id, with the resource they change. */
function otherOperations(room: RoomContext, kind: ResourceKind, name: string): Map<string, string> {
  const running = new Map<string, string>();
  for (const k of kindList()) {
    for (const s of room.store.list(k.kind)) {
      const lock = s.resource.lock;
      if (lock && !(k.kind === kind && s.resource.name === name)) running.set(lock.operationId, `${k.noun} ${s.resource.name}`);
    }
  }
  return running;
}

/**
 * Can the room tell now the state a new queued edit will start from? Only when it is next in
 * line (no edits waiting before it, whose outcome would decide) and the resource's own operation
 * is the only one running (no other resource, e.g. a granted user or the SFTP server, can change
 * before it starts). Otherwise it is checked when it starts: refused then while other resources
 * change, it waits for them (drainQueue). The room's own edits (a bucket delete's give-back) are
 * always accepted: they are checked at start.
 */
function knowsStartingState(room: RoomContext, kind: ResourceKind, name: string, actor: string): boolean {
  if (actor === ROOM_ACTOR || actor === OPS_ACTOR || room.queue.list(kind, name).length > 0) return false;
  return otherOperations(room, kind, name).size === 0;
}

/** Accepts an edit behind the running one: stored (survives eviction), shown to everyone as queued. */
export function enqueue(room: RoomContext, project: ProjectRecord, actor: string, kind: ResourceKind, change: { action: QueuedEdit["action"] }, name: string): RoomResult<{ operationId: string }> {
  const module = moduleOf(kind);
  const current = room.store.get(kind, name);
  const edit: QueuedEdit = { operationId: crypto.randomUUID(), by: actor, since: new Date().toISOString(), action: change.action, summary: module.summarize(change) };
  // Refused now with the words it would be refused with at start, rather than accepted and dropped later.
  if (knowsStartingState(room, kind, name, actor)) {
    try {
      module.operation(room, { project, actor, change }).plan(edit.operationId, edit.since, { current: startingState(current) });
    } catch (err) {
      if (err instanceof RoomError) return refusal(err);
      throw err;
    }
  }
  room.queue.push(kind, name, { edit, project, request: { kind, change } });
  const holder = current?.resource.lock?.by;
  const message = `${actor} queued: ${edit.summary} of ${module.noun} ${name}${holder ? ` (waits for ${holder}'s change)` : ""}`;
  const line = { actor, message, tone: "info" as const, operation: { id: edit.operationId, action: edit.action, step: "queued" as const, by: actor, detail: edit.summary } };
  if (current) room.record(kind, current, line);
  else room.note(kind, name, line);
  return { ok: true, operationId: edit.operationId };
}

/**
 * The run of queued edits that starts next, oldest first: the head, and the edits right behind it
 * that its kind merges into one change with the same end state (a run of updates). Pure: `rows`
 * are the resource's queue in order.
 */
export function nextRun(rows: readonly QueueEntry[]): { head: QueueEntry; merged: QueueEntry[] } | null {
  const first = rows[0];
  if (!first) return null;
  const module = moduleOf(first.request.kind);
  let change = first.request.change;
  const merged = [first];
  for (const entry of rows.slice(1)) {
    const next = module.merge(change, entry.request.change);
    if (next === null) break;
    change = next;
    merged.push(entry);
  }
  return { head: { ...first, request: { ...first.request, change } }, merged };
}

/** Whether a queued edit's author may still make it: a member with the kind's role, the room itself, or ops. */
function mayStart(room: RoomContext, kind: ResourceKind, entry: QueueEntry): boolean {
  return entry.edit.by === ROOM_ACTOR || entry.edit.by === OPS_ACTOR || room.members.allows(entry.edit.by, moduleOf(kind).changeRole);
}

/**
 * The next run of the resource's queue, not yet taken off it; an unreadable head is dropped and
 * reported, and so is an edit whose author may no longer make it.
 */
function nextRunOf(room: RoomContext, kind: ResourceKind, name: string): { head: QueueEntry; merged: QueueEntry[] } | { invalid: string } | { unauthorised: QueueEntry } | null {
  const rows = room.queue.list(kind, name);
  const first = rows[0];
  if (!first) return null;
  if (!first.entry || !moduleOf(kind).parseChange(first.entry.request.change).ok) {
    room.queue.remove(first.operationId);
    return { invalid: first.operationId };
  }
  // The room decides at start, not only when the edit was queued: a removed or demoted author's edits never run.
  if (!mayStart(room, kind, first.entry)) {
    room.queue.remove(first.operationId);
    return { unauthorised: first.entry };
  }
  const readable: QueueEntry[] = [];
  for (const row of rows) {
    if (!row.entry || !moduleOf(kind).parseChange(row.entry.request.change).ok || !mayStart(room, kind, row.entry)) break;
    readable.push(row.entry);
  }
  return nextRun(readable);
}

/** Why the operation would be refused if it started now (its plan, which changes nothing); null: it may start. */
function refusedNow(operation: Operation, operationId: string): RoomError | null {
  try {
    operation.plan(operationId, new Date().toISOString());
    return null;
  } catch (err) {
    if (err instanceof RoomError) return err;
    throw err;
  }
}

/** At most this many resources are named in a waiting edit's line; the rest are counted. */
const NAMED_IN_WAIT = 3;

function namedList(labels: string[]): string {
  const named = labels.slice(0, NAMED_IN_WAIT).join(", ");
  return labels.length > NAMED_IN_WAIT ? `${named} and ${labels.length - NAMED_IN_WAIT} more` : named;
}

const sentence = (text: string): string => (/[.!?]$/.test(text) ? text : `${text}.`);

/**
 * A run refused at start on a free resource waits while operations on other resources that were
 * running when it was first refused still run: one of them may be what refuses it (a granted
 * bucket being deleted, a granted user changing, the SFTP server being turned on), and its end
 * may let the edit start. Answers whether it waits; the first time, it is said in the activity
 * (the edit stays in the queue every page shows). Operations started later are not waited for,
 * so an edit that cannot start is never held for ever by a busy project: once what it waited for
 * has ended, a refusal is final.
 */
function waitsForOthers(room: RoomContext, kind: ResourceKind, name: string, entry: QueueEntry, error: RoomError): boolean {
  const running = otherOperations(room, kind, name);
  const operations = (entry.waiting?.operations ?? [...running.keys()]).filter((id) => running.has(id));
  const project = entry.project.id;
  const { edit } = entry;
  if (operations.length === 0) {
    if (entry.waiting) logEvent("info", "queued_edit_wait_over", { project, kind, name, operationId: edit.operationId, error: error.message });
    return false;
  }
  const waiting = { operations, reason: error.message };
  if (JSON.stringify(entry.waiting) !== JSON.stringify(waiting)) room.queue.update({ ...entry, waiting });
  if (entry.waiting) return true;
  logEvent("info", "queued_edit_waits", { project, kind, name, operationId: edit.operationId, waitsFor: operations.length, firstWaitedFor: operations.slice(0, 5).join(","), error: error.message });
  const module = moduleOf(kind);
  const labels = [...new Set(operations.map((id) => running.get(id) ?? id))];
  room.note(kind, name, {
    actor: ROOM_ACTOR,
    message: `The queued edit by ${edit.by} (${edit.summary}) of ${module.noun} ${name} cannot start yet: ${sentence(error.message)} It waits for the change${labels.length === 1 ? "" : "s"} running on ${namedList(labels)}, and starts when ${labels.length === 1 ? "it ends" : "they end"} if it can.`,
    // A line of its own (no operation): the feed shows an operation's line by its step, and this one's words are the point.
    tone: "info",
  });
  return true;
}

/**
 * Starts queued edits of a resource while it is free: the oldest first (runs merged), each with
 * the operation id it was accepted with. An edit refused at start while other resources change
 * waits for them, first in line (waitsForOthers); the room tries again when it drains queues
 * next (a lock of this resource ending, the alarm, which every recorded change arms within
 * SNAPSHOT_INTERVAL_MS). An edit that still cannot start is reported and dropped, failed in the
 * activity with the reason; the next one follows.
 */
export async function drainQueue(room: RoomContext, kind: ResourceKind, name: string): Promise<void> {
  const module = moduleOf(kind);
  for (;;) {
    const current = room.store.get(kind, name);
    if (current?.resource.lock || queueHeld(current)) return;
    const run = nextRunOf(room, kind, name);
    if (!run) return;
    if ("invalid" in run) {
      room.note(kind, name, { actor: "Stackroom", message: `A queued edit of ${module.noun} ${name} could not be read any more and was dropped (operation ${run.invalid}, for ops)`, tone: "error" });
      continue;
    }
    if ("unauthorised" in run) {
      const { edit } = run.unauthorised;
      room.note(kind, name, {
        actor: "Stackroom",
        message: `The queued edit by ${edit.by} (${edit.summary}) of ${module.noun} ${name} was dropped: ${edit.by} may no longer change it`,
        tone: "error",
        operation: { id: edit.operationId, action: edit.action, step: "cancelled", by: edit.by },
      });
      continue;
    }
    const { head, merged } = run;
    const actor = head.edit.by;
    const operation = module.operation(room, { project: head.project, actor, change: head.request.change });
    // Planned and started in the same turn of the room (no await between): nothing changes in between.
    const refusal = refusedNow(operation, head.edit.operationId);
    const first = merged[0];
    if (refusal && first && waitsForOthers(room, kind, name, first, refusal)) return;
    for (const entry of merged) room.queue.remove(entry.edit.operationId);
    if (refusal) {
      logEvent("info", "queued_edit_dropped", { project: head.project.id, kind, name, operationId: head.edit.operationId, error: refusal.message });
      for (const entry of merged) dropped(room, kind, name, entry, refusal.message);
      continue;
    }
    if (merged.length > 1) {
      const who = merged.map((e) => `${e.edit.by} (${e.edit.summary})`).join(", ");
      room.note(kind, name, {
        actor: "Stackroom",
        message: `Merged ${merged.length} queued updates of ${module.noun} ${name} into one stack update (same end state): ${who}`,
        tone: "info",
        operation: { id: head.edit.operationId, action: head.edit.action, step: "queued", by: head.edit.by, merged: merged.map((e) => e.edit.operationId).filter((id) => id !== head.edit.operationId) },
      });
    }
    const result = await startOperation(room, { ...operation, operationId: head.edit.operationId });
    if (result.ok) {
      if (room.store.get(kind, name)?.resource.lock) return;
      continue; // a no-op: the next edit may start at once
    }
    // Every edit of the run is told: each has its own operation id, and an edit merged behind the head must not vanish.
    for (const entry of merged) dropped(room, kind, name, entry, result.error.message);
  }
}

/** A queued edit that could not start, failed in the activity with the reason (the frame carries the resource without it). */
function dropped(room: RoomContext, kind: ResourceKind, name: string, head: QueueEntry, reason: string): void {
  const { edit } = head;
  room.note(kind, name, {
    actor: "Stackroom",
    message: `The queued edit by ${edit.by} (${edit.summary}) of ${moduleOf(kind).noun} ${name} could not start and was dropped: ${reason}`,
    tone: "error",
    operation: { id: edit.operationId, action: edit.action, step: "failed", by: edit.by },
  });
}

/** Cancels an edit that has not started; its author or an owner may. */
export function cancelQueued(room: RoomContext, actor: string, role: Role, operationId: string): RoomResult<{ edit: QueuedEdit }> {
  const found = room.queue.find(operationId);
  if (!found) return refusal(new RoomError("not_found", "No queued edit with that id: it may have started already."));
  const by = found.entry?.edit.by;
  if (by && by !== actor && role !== "owner") return refusal(new RoomError("forbidden", `Only ${by} or an owner can cancel this queued edit.`));
  room.queue.remove(operationId);
  const edit = found.entry?.edit ?? { operationId, by: by ?? "unknown", since: new Date().toISOString(), action: "update" as const, summary: "edit" };
  const current = room.store.get(found.kind, found.name);
  const line = {
    actor,
    message: `${actor} cancelled the queued edit (${edit.summary}) of ${moduleOf(found.kind).noun} ${found.name} by ${edit.by}`,
    tone: "info" as const,
    operation: { id: edit.operationId, action: edit.action, step: "cancelled" as const, by: edit.by },
  };
  if (current) room.record(found.kind, current, line);
  else room.note(found.kind, found.name, line);
  return { ok: true, edit };
}
