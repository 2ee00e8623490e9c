import type { Access, BucketSpec, ResourceKind, ResourceStatus } from "$contract";
import { kindFacts } from "$core/kinds";
import { isSingle } from "./kinds";

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto", style: "short" });
const absolute = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "medium" });

/** "just now", "3 min. ago", "yesterday" ... relative to `now`. */
export function relativeTime(iso: string, now: number): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 10) return "just now";
  if (abs < 60) return relative.format(seconds, "second");
  if (abs < 3_600) return relative.format(Math.round(seconds / 60), "minute");
  if (abs < 86_400) return relative.format(Math.round(seconds / 3_600), "hour");
  return relative.format(Math.round(seconds / 86_400), "day");
}

/** Full local date and time, for `title` tooltips next to relative times. */
export function absoluteTime(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : absolute.format(ms);
}

export const encryptionLabel = { s3: "SSE-S3", kms: "SSE-KMS" } satisfies Record<BucketSpec["encryption"], string>;

export function expiryLabel(days: number | null): string {
  if (days === null) return "Kept until deleted";
  return days === 1 ? "Objects expire after 1 day" : `Objects expire after ${days} days`;
}

export const statusLabel = {
  queued: "Queued",
  creating: "Creating",
  updating: "Updating",
  deleting: "Deleting",
  ready: "Ready",
  failed: "Failed",
  deleted: "Deleted",
} satisfies Record<ResourceStatus, string>;

/** Statuses during which a stack operation is running or waiting. */
export function isBusy(status: ResourceStatus): boolean {
  return status === "queued" || status === "creating" || status === "updating" || status === "deleting";
}

/** Bytes as people read them: "0 bytes", "1008 bytes", "3.2 MB" (powers of 1,000, as S3's console shows). */
export function bytesLabel(bytes: number): string {
  if (bytes < 1_000) return bytes === 1 ? "1 byte" : `${bytes} bytes`;
  const units = ["KB", "MB", "GB", "TB", "PB"];
  let value = bytes / 1_000;
  let unit = 0;
  while (value >= 1_000 && unit < units.length - 1) {
    value /= 1_000;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** One resource in a sentence: bucket reports, user acme, the SFTP server (a project has one). */
export function resourceLabel(kind: string, name: string): string {
  const facts = kindFacts(kind);
  // A kind the table does not have (a hand-edited link) is named as it came, never a crash.
  if (!facts) return `${kind} ${name}`;
  return isSingle(kind) ? facts.definite : `${facts.singular} ${name}`;
}

/**
 * How each kind is removed, in the failure panel's words: the button, the button after a failed
 * removal, the hint after one, and the way out when nothing can be repaired in place.
 */
export const removeWords = {
  bucket: { button: "Delete bucket", again: "Delete again", hint: "delete again", redo: "delete the bucket and create it again" },
  user: { button: "Delete user", again: "Delete again", hint: "delete again", redo: "delete the user and create it again" },
  sftp: { button: "Turn SFTP off", again: "Turn off again", hint: "turn it off again", redo: "turn SFTP off, then on again" },
} satisfies Record<ResourceKind, { button: string; again: string; hint: string; redo: string }>;

export const roleLabel = { owner: "Owner", editor: "Editor", viewer: "Viewer" } as const;

export const accessLabel = { read: "Read", write: "Write", readwrite: "Read-write" } satisfies Record<Access, string>;

/** What each level lets the holder do, in S3 terms (the policy generator's contract). */
export const accessHint = {
  read: "List and download objects",
  write: "List, upload and delete objects (no downloads)",
  readwrite: "List, download, upload and delete objects",
} satisfies Record<Access, string>;

/** "Expires in 3 days", "Expired 2 hours ago", "Never expires". */
export function userExpiryLabel(expiresAt: string | null, now: number): string {
  if (expiresAt === null) return "Never expires";
  const when = relativeTime(expiresAt, now);
  return Date.parse(expiresAt) <= now ? `Expired ${when}` : `Expires ${when}`;
}

/** The value of an `<input type="datetime-local">` (local wall time, minutes) for an ISO time. */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** ISO time for a datetime-local value, or null when the box is empty or not a date. */
export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

const dateOnly = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short" });

/** "Jul 9, 2026, 14:30" for deadlines, where seconds only add noise. */
export function shortDateTime(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : dateOnly.format(ms);
}

const ISO_TIME = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})(?=\W|$)/g;
const clockTime = new Intl.DateTimeFormat("en", { timeStyle: "short" });

/** "14:30, 3 min. ago" within the last day, else "Jul 9, 2026, 14:30": a time as people say it. */
export function timeInWords(iso: string, now: number): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  if (Math.abs(now - ms) >= 86_400_000) return shortDateTime(iso);
  return `${clockTime.format(ms)}, ${relativeTime(iso, now)}`;
}

/**
 * Server messages name times in ISO 8601 ("… is being changed by bob (since 2026-11-30T23:06:49.591Z)");
 * show them as people read them, like every other time in the app.
 */
export function humanizeTimes(text: string, now = Date.now()): string {
  return text.replace(ISO_TIME, (iso) => timeInWords(iso, now));
}

/** "23 sec.", "4 min.", "2 hr.", "3 days": how long something has lasted. */
export function durationWords(fromIso: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(fromIso)) / 1000));
  if (Number.isNaN(seconds)) return "";
  if (seconds < 60) return `${seconds} sec.`;
  if (seconds < 3_600) return `${Math.floor(seconds / 60)} min.`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3_600)} hr.`;
  const days = Math.floor(seconds / 86_400);
  return days === 1 ? "1 day" : `${days} days`;
}

const SAID = " CloudFormation said: ";

/**
 * A failure as the room words it (stack-status.ts): the explanation for a manager, then
 * " CloudFormation said: " and CloudFormation's own text, which the app shows folded away.
 */
export function splitSaid(message: string): { text: string; said?: string } {
  const at = message.indexOf(SAID);
  return at < 0 ? { text: message } : { text: message.slice(0, at), said: message.slice(at + SAID.length) };
}
