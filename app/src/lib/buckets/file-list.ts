import type { ActivityEntry } from "$contract";

/**
 * A bucket's recent files as its page asks for them (`GET …/buckets/:name/files?prefix=&limit=`,
 * newest first, from the room): the query, "Show more" up to what the room keeps, and which live
 * activity lines mean the list has changed.
 */

/** Files shown at first and added by each "Show more". */
export const FILES_PAGE = 100;
/** The room keeps the last 1,000 events per bucket; the route answers at most that many. */
export const FILES_MAX = 1000;
/** A burst of uploads re-reads the list at most this often. */
export const REFRESH_GAP_MS = 2_000;
/** Typing in the prefix box asks once the typing pauses this long. */
export const PREFIX_PAUSE_MS = 300;

/** The route's path for `prefix` (left out when empty) and `limit`. */
export function filesPath(project: string, bucket: string, prefix: string, limit: number): string {
  const query = new URLSearchParams();
  if (prefix) query.set("prefix", prefix);
  query.set("limit", String(limit));
  return `/api/projects/${encodeURIComponent(project)}/buckets/${encodeURIComponent(bucket)}/files?${query}`;
}

/** The limit after one more "Show more": a page more, never past what the room keeps. */
export function nextLimit(limit: number): number {
  return Math.min(FILES_MAX, limit + FILES_PAGE);
}

/** Whether more may be there: the answer filled the limit and the limit can still grow. */
export function hasMore(shown: number, limit: number): boolean {
  return shown >= limit && limit < FILES_MAX;
}

/** How long to wait before the next read so that reads stay `gap` apart (0: read now). */
export function refreshDelay(lastReadMs: number | null, nowMs: number, gap = REFRESH_GAP_MS): number {
  return lastReadMs === null ? 0 : Math.max(0, lastReadMs + gap - nowMs);
}

/**
 * A file activity line about `bucket` (durable-objects/file-activity.ts): a bucket entry of no
 * stack operation whose message opens with who did it and "uploaded" or "deleted"
 * ("partner uploaded 3 files, 1.2 KB, to reports/incoming/ · 14:02 UTC").
 */
export function isFileLine(entry: ActivityEntry, bucket: string): boolean {
  if (entry.kind !== "bucket" || entry.name !== bucket || entry.operation !== undefined) return false;
  return entry.message.startsWith(`${entry.actor} uploaded `) || entry.message.startsWith(`${entry.actor} deleted `);
}

/** The seq of the newest file line about `bucket` in the feed, 0 when there is none: a new one means new files. */
export function newestFileLine(activity: readonly ActivityEntry[], bucket: string): number {
  let newest = 0;
  for (const entry of activity) if (entry.seq > newest && isFileLine(entry, bucket)) newest = entry.seq;
  return newest;
}
