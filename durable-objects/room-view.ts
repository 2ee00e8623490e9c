import * as z from "zod";
import { SnapshotFrame, type ResourceKind } from "../core/contract";
import { KIND_KEYS, kindFacts } from "../core/kinds";
import { KV_VALUE_LIMIT_BYTES, snapshotKey, snapshotVersion, type Snapshot, type SnapshotMetadata } from "../core/kv-documents";
import { logEvent } from "../core/log";
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

/**
 * The whole state, as sent to clients whose gap is older than the kept log: every kind's list
 * under its list key, checked against the contract; the list of a kind registered at run time
 * against its own view (its row of the kind table).
 */
export function snapshotFrame(room: RoomContext): SnapshotFrame {
  const lists = kindList().map((k) => ({ kind: k.kind, key: k.listKey, list: room.store.list(k.kind).map((s) => publicView(room, k.kind, s)) }));
  const frame = SnapshotFrame.parse({ type: "snapshot", seq: room.store.seq(), ...Object.fromEntries(lists.map((l) => [l.key, l.list])), members: room.members.list() });
  const registered = lists.filter((l) => !KIND_KEYS.includes(l.kind)).map((l) => [l.key, z.array(kindFacts(l.kind)?.view ?? z.never()).parse(l.list)]);
  return { ...frame, ...Object.fromEntries(registered) };
}

/**
 * How big the one-value snapshot may grow. Measured (npm run bench, the big project): 1,000
 * buckets and 1,000 users with 1–5 grants each make 509 KiB (260 B per resource), 50× under
 * KV's 25 MiB: about 100,000 resources of that size would fit. Past SNAPSHOT_WARN_BYTES
 * the room logs `snapshot_large` with its size, so the growth is seen long before the limit.
 * Past the limit KV would refuse the write and the last copy would go stale, so the room removes
 * the copy and reads are answered by the room itself (right, one round trip slower), logged as
 * `snapshot_too_large`. The plan then: one KV value per kind (`project:<id>:snapshot:<kind>`,
 * each with the same version in its metadata, read in one bulk get and joined by the Worker),
 * so that each kind has the whole limit to itself.
 */
export const SNAPSHOT_WARN_BYTES = KV_VALUE_LIMIT_BYTES / 4;

/** Writes the KV snapshot that every read is answered from; due again in a second if changes came meanwhile. */
export async function writeSnapshot(room: RoomContext, kv: KVNamespace, projectId: string, now: number, limitBytes = KV_VALUE_LIMIT_BYTES): Promise<void> {
  const { type: _frame, ...state } = snapshotFrame(room);
  const snapshot: Snapshot = { ...state, writtenAt: new Date(now).toISOString() };
  const text = JSON.stringify(snapshot);
  // A UTF-8 byte is at most three per UTF-16 unit: the exact count only when it could matter.
  const bytes = text.length * 3 > Math.min(limitBytes, SNAPSHOT_WARN_BYTES) ? new TextEncoder().encode(text).byteLength : text.length;
  const size = () => ({ project: projectId, bytes, limit: limitBytes, resources: kindList().reduce((n, k) => n + room.store.list(k.kind).length, 0) });
  if (bytes > limitBytes) {
    logEvent("error", "snapshot_too_large", size());
    await kv.delete(snapshotKey(projectId));
  } else {
    if (bytes > SNAPSHOT_WARN_BYTES) logEvent("warn", "snapshot_large", size());
    await kv.put(snapshotKey(projectId), text, { metadata: { version: snapshotVersion(snapshot), length: text.length } satisfies SnapshotMetadata });
  }
  room.store.setMeta("snapshotAt", String(Date.now()));
  room.store.setMeta("snapshotDue", room.store.seq() > snapshot.seq ? String(Date.now() + SNAPSHOT_INTERVAL_MS) : "Infinity");
}
