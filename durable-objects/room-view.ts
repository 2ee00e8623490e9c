import type { LiveFrame, ResourceKind } from "../worker/domain/contract";
import { snapshotKey, type Snapshot } from "../worker/snapshot";
import type { RoomContext } from "./room-context";
import type { Stored } from "./room-store";
import { queueHeld } from "./room-queue";
import { availableActions } from "./room-actions";

/** KV allows one write per second per key: snapshot writes are coalesced to at most that. */
export const SNAPSHOT_INTERVAL_MS = 1_000;

/** The public view of a stored resource: plus its waiting edits, whether they are held, and the repairs on offer. */
export function publicView<S extends Stored>(room: RoomContext, kind: ResourceKind, stored: S): S["resource"] {
  const edits = room.queue.edits(kind, stored.resource.name);
  const held = edits.length ? queueHeld(stored) : undefined;
  const actions = availableActions(stored);
  return { ...stored.resource, queue: edits.length ? edits : undefined, queueHeld: held, actions: actions.length ? actions : undefined };
}

/** The whole state, as sent to clients whose gap is older than the kept log. */
export function snapshotFrame(room: RoomContext): Extract<LiveFrame, { type: "snapshot" }> {
  return {
    type: "snapshot",
    seq: room.store.seq(),
    buckets: room.store.list("bucket").map((s) => publicView(room, "bucket", s)),
    users: room.store.list("user").map((s) => publicView(room, "user", s)),
    members: room.members.list(),
  };
}

/** Writes the KV snapshot that every read is answered from; due again in a second if changes came meanwhile. */
export async function writeSnapshot(room: RoomContext, kv: KVNamespace, projectId: string, now: number): Promise<void> {
  const frame = snapshotFrame(room);
  const snapshot: Snapshot = { seq: frame.seq, buckets: frame.buckets, users: frame.users, members: frame.members, writtenAt: new Date(now).toISOString() };
  await kv.put(snapshotKey(projectId), JSON.stringify(snapshot));
  room.store.setMeta("snapshotAt", String(Date.now()));
  room.store.setMeta("snapshotDue", room.store.seq() > snapshot.seq ? String(Date.now() + SNAPSHOT_INTERVAL_MS) : "Infinity");
}
