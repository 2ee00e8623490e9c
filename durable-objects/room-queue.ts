import type { ProjectRecord, QueuedEdit, ResourceKind, Role } from "../worker/domain/contract";
import { ApiError, refusal, type RoomResult } from "../worker/errors";
import type { RoomContext } from "./room-context";
import { QueueEntry } from "./edit-queue";
import type { Stored } from "./room-store";
import { startOperation } from "./room-operations";
import { bucketOperation, userOperation, type BucketChangeRequest, type UserChangeRequest } from "./room-plans";

/** Stack states an operator must repair (ContinueUpdateRollback, empty and retry) before more edits may run. */
const HOLDING = new Set(["UPDATE_ROLLBACK_FAILED", "DELETE_FAILED", "ROLLBACK_FAILED"]);

/** Why the queue of this resource does not advance, if it does not. */
export function queueHeld(stored: Stored | undefined): string | undefined {
  if (!stored || stored.resource.lock || stored.resource.status !== "failed" || !stored.stackStatus || !HOLDING.has(stored.stackStatus)) return undefined;
  return `CloudFormation left the stack in ${stored.stackStatus}; queued edits wait until it is repaired, or cancel them.`;
}

/**
 * Must a new edit wait? Yes while an operation runs or older edits wait (FIFO) — except a create
 * for a name in use (refused at once with 409, unless that resource is being deleted) and a
 * delete of a resource whose queue is held (that delete is the repair the queue waits for).
 */
export function mustQueue(room: RoomContext, kind: ResourceKind, name: string, change: { action: string }): boolean {
  const current = room.store.get(kind, name);
  if (!current) return false;
  if (change.action === "create" && current.resource.lock?.action !== "delete") return false;
  if (change.action === "delete" && queueHeld(current) !== undefined) return false;
  return Boolean(current.resource.lock) || room.queue.list(kind, name).length > 0;
}

function summarize(request: QueueEntry["request"]): string {
  const { change } = request;
  if (change.action !== "update") return `${change.action} ${request.kind}`;
  if ("spec" in change) return "remove access (expiry)";
  if ("restore" in change) return `give back access to ${[...new Set(change.restore.map((p) => p.bucket))].join(", ")}`;
  const fields = Object.entries(change.body).filter(([key, value]) => key !== "queue" && value !== undefined);
  return `update ${fields.map(([key, value]) => `${key} → ${JSON.stringify(value)}`).join(", ")}`;
}

/** Accepts an edit behind the running one: stored (survives eviction), shown to everyone as queued. */
export function enqueue(room: RoomContext, project: ProjectRecord, actor: string, request: QueueEntry["request"], name: string): RoomResult<{ operationId: string }> {
  const current = room.store.get(request.kind, name);
  const edit: QueuedEdit = { operationId: crypto.randomUUID(), by: actor, since: new Date().toISOString(), action: request.change.action, summary: summarize(request) };
  room.queue.push(request.kind, name, { edit, project, request });
  const holder = current?.resource.lock?.by;
  const message = `${actor} queued: ${edit.summary} of ${request.kind} ${name}${holder ? ` (waits for ${holder}'s change)` : ""}`;
  if (current) room.record(request.kind, current, { actor, message, tone: "info" });
  else room.note(request.kind, name, { actor, message, tone: "info" });
  return { ok: true, operationId: edit.operationId };
}

/**
 * The run of queued edits that starts next, oldest first: the head, and the updates right behind
 * it when it is an update too (bodies only; later fields win), merged into one change with the
 * same end state. Pure: `rows` are the resource's queue in order.
 */
export function nextRun(rows: readonly QueueEntry[]): { head: QueueEntry; merged: QueueEntry[] } | null {
  const first = rows[0];
  if (!first) return null;
  const merged = [first];
  for (const entry of rows.slice(1)) {
    const a = first.request.change;
    const b = entry.request.change;
    if (a.action !== "update" || b.action !== "update" || !("body" in a) || !("body" in b)) break;
    merged.push(entry);
  }
  if (merged.length === 1) return { head: first, merged };
  const bodies = merged.map((e) => ("body" in e.request.change ? e.request.change.body : {}));
  const body = Object.assign({}, ...bodies.map((b) => Object.fromEntries(Object.entries(b).filter(([, v]) => v !== undefined))));
  // Re-read as a queue entry (no cast): a merged body the schema refuses is not merged.
  const head = QueueEntry.safeParse({ ...first, request: { ...first.request, change: { ...first.request.change, body } } });
  return head.success ? { head: head.data, merged } : { head: first, merged: [first] };
}

/** Takes the next run off the resource's queue; an unreadable head is dropped and reported. */
function takeRun(room: RoomContext, kind: ResourceKind, name: string): { head: QueueEntry; merged: QueueEntry[] } | { invalid: string } | null {
  const rows = room.queue.list(kind, name);
  const first = rows[0];
  if (!first) return null;
  if (!first.entry) {
    room.queue.remove(first.operationId);
    return { invalid: first.operationId };
  }
  const readable: QueueEntry[] = [];
  for (const row of rows) {
    if (!row.entry) break;
    readable.push(row.entry);
  }
  const run = nextRun(readable);
  for (const entry of run?.merged ?? []) room.queue.remove(entry.edit.operationId);
  return run;
}

/**
 * Starts queued edits of a resource while it is free: the oldest first (runs of updates merged
 * into one stack update), each with the operation id it was accepted with. An edit that can no
 * longer start (the resource changed under it) is reported and dropped; the next one follows.
 */
export async function drainQueue(room: RoomContext, kind: ResourceKind, name: string): Promise<void> {
  for (;;) {
    const current = room.store.get(kind, name);
    if (current?.resource.lock || queueHeld(current)) return;
    const run = takeRun(room, kind, name);
    if (!run) return;
    if ("invalid" in run) {
      room.note(kind, name, { actor: "Stackroom", message: `Queued edit ${run.invalid} of ${kind} ${name} could not be read any more and was dropped`, tone: "error" });
      continue;
    }
    const { head, merged } = run;
    if (merged.length > 1) {
      const who = merged.map((e) => `${e.edit.by} (${e.edit.operationId})`).join(", ");
      room.note(kind, name, { actor: "Stackroom", message: `Merged ${merged.length} queued updates of ${kind} ${name} into one stack update (same end state): ${who}`, tone: "info" });
    }
    const actor = head.edit.by;
    const result =
      head.request.kind === "bucket"
        ? await startOperation(room, { ...bucketOperation(room, { project: head.project, actor, change: head.request.change } satisfies BucketChangeRequest), operationId: head.edit.operationId })
        : await startOperation(room, { ...userOperation(room, { project: head.project, actor, change: head.request.change } satisfies UserChangeRequest), operationId: head.edit.operationId });
    if (result.ok) {
      if (room.store.get(kind, name)?.resource.lock) return;
      continue; // a no-op: the next edit may start at once
    }
    room.note(kind, name, { actor: "Stackroom", message: `The queued edit by ${actor} (${head.edit.operationId}) could not start: ${result.error.message}`, tone: "error" });
  }
}

/** Cancels an edit that has not started; its author or an owner may. */
export function cancelQueued(room: RoomContext, actor: string, role: Role, operationId: string): RoomResult<{ edit: QueuedEdit }> {
  const found = room.queue.find(operationId);
  if (!found) return refusal(new ApiError("not_found", "No queued edit with that id: it may have started already."));
  const by = found.entry?.edit.by;
  if (by && by !== actor && role !== "owner") return refusal(new ApiError("forbidden", `Only ${by} or an owner can cancel this queued edit.`));
  room.queue.remove(operationId);
  const edit = found.entry?.edit ?? { operationId, by: by ?? "unknown", since: new Date().toISOString(), action: "update" as const, summary: "edit" };
  const current = room.store.get(found.kind, found.name);
  const line = { actor, message: `${actor} cancelled the queued edit (${edit.summary}) of ${found.kind} ${found.name} by ${edit.by}`, tone: "info" as const };
  if (current) room.record(found.kind, current, line);
  else room.note(found.kind, found.name, line);
  return { ok: true, edit };
}
