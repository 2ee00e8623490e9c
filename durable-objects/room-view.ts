import { SnapshotFrame, type ResourceKind } from "../core/contract";
import { snapshotKey, type Snapshot } from "../core/kv-documents";
import type { RoomContext } from "./room-context";
import { queueHeld } from "./edit-queue";
import { availableActions } from "./stack-operation";
import { kindList } from "./kinds";
import type { ResourceView, StoredResource } from "./kinds/kind";

/** KV allows one write per second per key: snapshot writes are coalesced to at most that. */
export const SNAPSHOT_INTERVAL_MS = 1_000;

/** Stack statuses of a create that failed: the stack never held a working resource. */
const FAILED_CREATE = new Set(["ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED"]);

/**
 * Was it never made? Its create failed (CloudFormation's status says so) and nothing was ever
 * applied. A resource healing adopted in a failed update or delete also has no applied spec, but
 * it exists (a user with live keys): it is not "never made".
 */
function neverMade(stored: StoredResource): boolean {
  return stored.appliedSpec === null && stored.resource.status === "failed" && !stored.resource.lock && FAILED_CREATE.has(stored.stackStatus ?? "");
}

/** The public view of a stored resource (any kind): plus its waiting edits, whether they are held, and the repairs on offer. */
export function publicView(room: RoomContext, kind: ResourceKind, stored: StoredResource): ResourceView {
  const edits = room.queue.edits(kind, stored.resource.name);
  const held = edits.length ? queueHeld(stored) : undefined;
  const actions = availableActions(stored);
  const neverCreated = neverMade(stored) ? (true as const) : undefined;
  return { ...stored.resource, queue: edits.length ? edits : undefined, queueHeld: held, actions: actions.length ? actions : undefined, neverCreated };
}

/** The whole state, as sent to clients whose gap is older than the kept log: every kind's list, checked against the contract. */
export function snapshotFrame(room: RoomContext): SnapshotFrame {
  const lists = Object.fromEntries(kindList.map((k) => [k.listKey, room.store.list(k.kind).map((s) => publicView(room, k.kind, s))]));
  return SnapshotFrame.parse({ type: "snapshot", seq: room.store.seq(), ...lists, members: room.members.list() });
}

/** Writes the KV snapshot that every read is answered from; due again in a second if changes came meanwhile. */
export async function writeSnapshot(room: RoomContext, kv: KVNamespace, projectId: string, now: number): Promise<void> {
  const { type: _frame, ...state } = snapshotFrame(room);
  const snapshot: Snapshot = { ...state, writtenAt: new Date(now).toISOString() };
  await kv.put(snapshotKey(projectId), JSON.stringify(snapshot));
  room.store.setMeta("snapshotAt", String(Date.now()));
  room.store.setMeta("snapshotDue", room.store.seq() > snapshot.seq ? String(Date.now() + SNAPSHOT_INTERVAL_MS) : "Infinity");
}
