import * as z from "zod";
import { OUTSIDE_STACKROOM, type ObjectEvent } from "../core/contract";
import type { RoomStore } from "./room-store";
import type { RoomContext } from "./room-context";
import { FILES_KEPT_PER_BUCKET, type FileFold, type FileStore, type FiledEvent } from "./file-store";
import { UserIdentity } from "./kinds/user-identity";

/**
 * File activity: S3 object events taken into the room (deduplicated by eventId, bounded per
 * bucket) and told in the activity feed as folded lines. A burst is one line per (user, bucket,
 * created or removed): the line stays open while that user's events of that kind in that bucket
 * keep coming at most FOLD_GAP_MS apart (by the events' own times) and span at most FOLD_SPAN_MS;
 * each batch that extends it writes the line again under a new seq (live, `replaces` the old one)
 * and drops the old one from the log. A 10,000-event burst in batches of 500 is one line in the
 * log, not 10,000, and every batch writes at most one frame per open line.
 */

/** Events of one user, kind and bucket further apart than this start a new line. */
export const FOLD_GAP_MS = 5 * 60_000;
/** One line covers at most this long, however steady the trickle. */
export const FOLD_SPAN_MS = 60 * 60_000;

/** What file intake needs of the room. */
export type FileIntakeRoom = Pick<RoomContext, "announce" | "notify"> & { store: RoomStore; files: FileStore };

/** A user as file intake reads it: its name and the IAM ids the room learned of it (kinds/user-identity.ts). */
const PrincipalUser = z.object({ resource: z.object({ name: z.string() }), ...UserIdentity });

/** IAM id → Stackroom user name: each user's own id and its SFTP role's, as far as the room has learned them. */
export function principalNames(store: RoomStore): Map<string, string> {
  const names = new Map<string, string>();
  for (const user of store.listAs("user", PrincipalUser)) {
    if (user.iamUserId) names.set(user.iamUserId, user.resource.name);
    if (user.sftpRole?.id) names.set(user.sftpRole.id, user.resource.name);
  }
  return names;
}

/**
 * The IAM id in S3's principalId: `AWS:<UserId>` (an IAM user's key) or `AWS:<RoleId>:<session>`
 * (a role session, e.g. Transfer Family acting for an SFTP user: the role's id), or null for what
 * names no IAM principal (`anonymous`, a service, an empty one). AWS's ids start AIDA/AROA; moto's
 * user ids are random lowercase strings, so only the shape is checked.
 */
export function principalIdOf(principalId: string): string | null {
  if (!principalId.startsWith("AWS:")) return null;
  const id = principalId.slice(4).split(":")[0] ?? "";
  return /^[A-Za-z0-9]{8,128}$/.test(id) ? id : null;
}

/** Whom an event is told as: the Stackroom user its principal is, else OUTSIDE_STACKROOM. */
function byOf(principalId: string, names: ReadonlyMap<string, string>): string {
  const id = principalIdOf(principalId);
  return (id && names.get(id)) ?? OUTSIDE_STACKROOM;
}

/**
 * Takes a batch in: events of buckets the room does not hold (by physical name) are ignored, as
 * are events older than everything a full bucket keeps; the rest are kept unless their eventId is
 * already, then folded into the activity.
 */
export function takeInFiles(room: FileIntakeRoom, events: readonly ObjectEvent[], buckets: ReadonlyMap<string, string>, names: ReadonlyMap<string, string>): { accepted: number; duplicates: number; ignored: number } {
  const extents = new Map<string, { count: number; oldestMs: number }>();
  const accepted: FiledEvent[] = [];
  let ignored = 0;
  for (const event of events) {
    const bucket = buckets.get(event.bucket);
    if (bucket === undefined) {
      ignored++;
      continue;
    }
    const atMs = Date.parse(event.at);
    const extent = extents.get(bucket) ?? room.files.extent(bucket);
    extents.set(bucket, extent);
    if (extent.count >= FILES_KEPT_PER_BUCKET && atMs < extent.oldestMs) {
      ignored++;
      continue;
    }
    const filed: FiledEvent = { eventId: event.eventId, bucket, key: event.key, event: event.event, by: byOf(event.principalId, names), at: event.at, atMs, ...(event.size === undefined ? {} : { size: event.size }) };
    if (room.files.add(filed)) {
      accepted.push(filed);
      extent.count++;
    }
  }
  for (const bucket of extents.keys()) room.files.trim(bucket);
  fold(room, accepted);
  notifyFiles(room, accepted);
  return { accepted: accepted.length, duplicates: events.length - ignored - accepted.length, ignored };
}

/** Folds new events into their lines: one frame per line this batch opened or extended. */
function fold(room: FileIntakeRoom, events: readonly FiledEvent[]): void {
  const groups = new Map<string, FiledEvent[]>();
  for (const e of events) {
    const key = JSON.stringify([e.bucket, e.by, e.event]);
    const group = groups.get(key);
    if (group) group.push(e);
    else groups.set(key, [e]);
  }
  for (const group of groups.values()) {
    group.sort((a, b) => a.atMs - b.atMs);
    const first = group[0];
    if (!first) continue;
    let line = room.files.fold(first.bucket, first.by, first.event);
    let written = true;
    for (const e of group) {
      if (line && fits(line, e.atMs)) {
        line = { ...line, firstMs: Math.min(line.firstMs, e.atMs), lastMs: Math.max(line.lastMs, e.atMs), files: line.files + 1, bytes: line.bytes + (e.size ?? 0), place: sharedPrefix(line.place, e.key) };
      } else {
        if (line && !written) publish(room, line);
        line = { bucket: e.bucket, by: e.by, event: e.event, seq: 0, firstMs: e.atMs, lastMs: e.atMs, files: 1, bytes: e.size ?? 0, place: e.key };
      }
      written = false;
    }
    if (line && !written) publish(room, line);
  }
}

function fits(line: FileFold, atMs: number): boolean {
  const from = Math.min(line.firstMs, atMs);
  const until = Math.max(line.lastMs, atMs);
  return atMs <= line.lastMs + FOLD_GAP_MS && atMs >= line.firstMs - FOLD_GAP_MS && until - from <= FOLD_SPAN_MS;
}

/** Tells the project's notifications: one event per bucket, person and created/removed of the batch, with counts, bytes and the keys' common prefix. */
function notifyFiles(room: FileIntakeRoom, events: readonly FiledEvent[]): void {
  const groups = new Map<string, { bucket: string; by: string; event: FiledEvent["event"]; files: number; bytes: number; prefix: string; lastMs: number; at: string }>();
  for (const e of events) {
    const key = JSON.stringify([e.bucket, e.by, e.event]);
    const group = groups.get(key);
    if (!group) groups.set(key, { bucket: e.bucket, by: e.by, event: e.event, files: 1, bytes: e.size ?? 0, prefix: e.key, lastMs: e.atMs, at: e.at });
    else {
      group.files++;
      group.bytes += e.size ?? 0;
      group.prefix = sharedPrefix(group.prefix, e.key);
      if (e.atMs > group.lastMs) Object.assign(group, { lastMs: e.atMs, at: e.at });
    }
  }
  for (const g of groups.values()) {
    room.notify({ type: g.event === "created" ? "upload" : "delete", bucket: g.bucket, by: g.by, files: g.files, bytes: g.bytes, prefix: g.prefix, at: new Date(g.lastMs).toISOString() });
  }
}

/** Writes the line under the next seq (replacing the one it had), keeps it open. */
function publish(room: FileIntakeRoom, line: FileFold): void {
  room.announce("bucket", line.bucket, { actor: line.by, message: lineWords(line), tone: "info" }, line.seq > 0 ? { replaces: line.seq } : {});
  if (line.seq > 0) room.store.forgetFrame(line.seq);
  room.files.putFold({ ...line, seq: room.store.seq() });
}

function sharedPrefix(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.slice(0, i);
}

/** "1.2 GB": decimal units, as S3's console counts. */
export function sizeWords(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB", "PB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 || value >= 10 ? Math.round(value) : Number(value.toFixed(1))} ${units[unit]}`;
}

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 16);

/** "partner-acme uploaded 120 files, 1.2 GB, to acme-data/incoming/ · 14:02–14:05 UTC". */
export function lineWords(line: FileFold): string {
  const when = clock(line.firstMs) === clock(line.lastMs) ? `${clock(line.firstMs)} UTC` : `${clock(line.firstMs)}–${clock(line.lastMs)} UTC`;
  if (line.files === 1) {
    return line.event === "created"
      ? `${line.by} uploaded ${line.bucket}/${line.place} (${sizeWords(line.bytes)}) · ${when}`
      : `${line.by} deleted ${line.bucket}/${line.place} · ${when}`;
  }
  // The folder the files share: their common prefix up to its last "/".
  const folder = `${line.bucket}/${line.place.slice(0, line.place.lastIndexOf("/") + 1)}`;
  return line.event === "created"
    ? `${line.by} uploaded ${line.files} files, ${sizeWords(line.bytes)}, to ${folder} · ${when}`
    : `${line.by} deleted ${line.files} files from ${folder} · ${when}`;
}
