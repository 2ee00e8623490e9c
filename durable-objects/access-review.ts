import * as z from "zod";
import { AccessKeySummary, IsoTime, KeyLastUse, type AccessReview, type KeyRotation, type ProjectRecord } from "../core/contract";
import { buildAccessReview, type ReviewRead } from "../core/access-review";
import { AwsError } from "../core/aws/errors";
import { backoffDelay } from "../core/backoff";
import { errorText, logEvent } from "../core/log";
import type { RoomContext } from "./room-context";
import type { Quarantine } from "./quarantine";
import { StoredUser } from "./kinds/user";
import { MAX_KEYS, withKeys } from "./room-keys";
import { roomNow } from "./room-clock";

/** How often the room's alarm reads every user's keys and their last use from IAM again. */
export const REVIEW_INTERVAL_MS = 6 * 3_600_000;
/**
 * IAM calls one run may make (ListAccessKeys, then GetAccessKeyLastUsed per key): a run is bounded
 * whatever the project's size; the users it did not reach are read by the next run, soon after.
 */
export const REVIEW_CALLS_PER_RUN = 60;
/** How soon a pass that ran out of calls goes on. */
const NEXT_BATCH_MS = 30_000;
/** An on-demand refresh re-reads only users read longer ago than this (a refresh button pressed twice reads nothing twice). */
const FRESH_ENOUGH_MS = 60_000;
/** After a failed read (throttling that outlasted the client's own retries, AccessDenied, …): full-jitter backoff. */
const FAILURE_BACKOFF = { baseMs: 60_000, capMs: 3_600_000 };

/** Meta keys: when the next run is due (ms), the start of the pass under way, the last failure and how many in a row. */
const NEXT_KEY = "review:nextAt";
const PASS_KEY = "review:passFrom";
const STALE_KEY = "review:stale";
const FAILURES_KEY = "review:failures";

const Stale = z.object({ at: IsoTime, message: z.string() });
const StoredRead = z.object({ keys: z.array(z.object({ accessKeyId: z.string(), lastUse: KeyLastUse.nullable() })) });

/** Meta rows, one per user (`review:user:<name>`): what IAM last said about its keys' use, and when. */
const ROW_PREFIX = "review:user:";
const StoredRow = StoredRead.extend({ checkedAt: IsoTime });

/**
 * The room's last read of each user's key use, in the room's `meta` table (one small row per
 * user, so no schema step); a row that no longer parses is quarantined.
 */
export class ReviewStore {
  constructor(
    private readonly sql: SqlStorage,
    private readonly quarantine: Quarantine,
  ) {}

  all(): Map<string, ReviewRead> {
    const reads = new Map<string, ReviewRead>();
    // Every key with the prefix, by range: ';' follows ':' in ASCII.
    const rows = this.sql.exec<{ key: string; value: string }>("SELECT key, value FROM meta WHERE key >= ? AND key < ?", ROW_PREFIX, `${ROW_PREFIX.slice(0, -1)};`).toArray();
    for (const row of rows) {
      const user = row.key.slice(ROW_PREFIX.length);
      const read = this.quarantine.read("meta", row.key, row.value, (raw) => StoredRow.parse(raw), () => this.forget(user));
      if (read) reads.set(user, { checkedAt: read.checkedAt, lastUse: new Map(read.keys.map((k) => [k.accessKeyId, k.lastUse])) });
    }
    return reads;
  }

  put(user: string, checkedAt: string, keys: Array<{ accessKeyId: string; lastUse: KeyLastUse | null }>): void {
    const json = JSON.stringify({ checkedAt, keys } satisfies z.infer<typeof StoredRow>);
    this.sql.exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", `${ROW_PREFIX}${user}`, json);
  }

  /** One key's last use, as a rotation learns it (the rest of the row kept). */
  putKey(user: string, accessKeyId: string, lastUse: KeyLastUse | null): void {
    const read = this.all().get(user);
    if (!read) return;
    const keys = [...read.lastUse].map(([id, use]) => ({ accessKeyId: id, lastUse: id === accessKeyId ? lastUse : use }));
    this.put(user, read.checkedAt, keys);
  }

  forget(user: string): void {
    this.sql.exec("DELETE FROM meta WHERE key = ?", `${ROW_PREFIX}${user}`);
  }
}

const users = (room: RoomContext) => room.store.listAs("user", StoredUser).filter((u) => u.resource.status !== "deleted");

function staleOf(room: RoomContext): AccessReview["stale"] {
  const json = room.store.getMeta(STALE_KEY);
  if (json === undefined) return null;
  try {
    return Stale.parse(JSON.parse(json));
  } catch {
    room.store.deleteMeta(STALE_KEY);
    return null;
  }
}

/** The review as the room holds it now: no AWS call. */
export function accessReview(room: RoomContext, reviews: ReviewStore): AccessReview {
  const stored = users(room);
  const rotations = new Map(stored.flatMap((u): Array<[string, KeyRotation]> => (u.rotation ? [[u.resource.name, u.rotation]] : [])));
  return buildAccessReview(stored.map((u) => u.resource), reviews.all(), rotations, staleOf(room), roomNow(room.store));
}

/** When the room's alarm must next read IAM for the review (ms), or null when it was never asked for. */
export function reviewDue(room: RoomContext): number | null {
  const next = Number(room.store.getMeta(NEXT_KEY) ?? Number.NaN);
  return Number.isFinite(next) ? next : null;
}

/** Starts the schedule if nothing is scheduled yet: the first look at the review reads IAM soon after. */
export function armReview(room: RoomContext, now = Date.now()): boolean {
  if (reviewDue(room) !== null) return false;
  room.store.setMeta(NEXT_KEY, String(now));
  return true;
}

/** Whether IAM's keys differ from the room's copy (in any order: IAM lists them in its own). */
function keysDiffer(iam: AccessKeySummary[], room: AccessKeySummary[]): boolean {
  const plain = (keys: AccessKeySummary[]) => JSON.stringify(keys.map(({ accessKeyId, status, createdAt }) => ({ accessKeyId, status, createdAt })).sort((a, b) => a.accessKeyId.localeCompare(b.accessKeyId)));
  return plain(iam) !== plain(room);
}

/**
 * One bounded run: reads, for the users not read since the pass began (never-read first, then
 * the longest ago), their keys (ListAccessKeys; the room's copy is corrected if it drifted) and
 * each key's last use (GetAccessKeyLastUsed), at most REVIEW_CALLS_PER_RUN calls. A failure ends
 * the run: it is logged, the review shows its data as stale, and the next run waits a full-jitter
 * backoff. `passFrom` (ms) starts a new pass; without it the pass under way goes on.
 */
export async function runReview(room: RoomContext, reviews: ReviewStore, project: ProjectRecord, passFrom?: number): Promise<void> {
  const now = Date.now();
  if (passFrom !== undefined) room.store.setMeta(PASS_KEY, String(passFrom));
  const from = Number(room.store.getMeta(PASS_KEY) ?? now);
  room.store.setMeta(PASS_KEY, String(from));
  const reads = reviews.all();
  const present = users(room);
  for (const name of reads.keys()) if (!present.some((u) => u.resource.name === name)) reviews.forget(name);
  const due = present
    .filter((u) => u.appliedSpec !== null && u.resource.status !== "deleting" && !(Date.parse(reads.get(u.resource.name)?.checkedAt ?? "") >= from))
    .sort((a, b) => (reads.get(a.resource.name)?.checkedAt ?? "").localeCompare(reads.get(b.resource.name)?.checkedAt ?? ""));
  const gateway = room.gateway(project);
  let calls = 0;
  let left = due.length;
  for (const user of due) {
    const name = user.resource.name;
    // ListAccessKeys and one GetAccessKeyLastUsed per key (IAM allows two): stop before the budget would be overrun.
    if (calls + 1 + MAX_KEYS > REVIEW_CALLS_PER_RUN) break;
    try {
      calls++;
      let listed: Awaited<ReturnType<typeof gateway.keys.list>>;
      try {
        listed = await gateway.keys.list(name);
      } catch (err) {
        // The user is not in IAM (deleted outside Stackroom, or not made yet): nothing to read.
        if (!(err instanceof AwsError && err.kind === "NoSuchEntity")) throw err;
        listed = [];
      }
      const keys = [];
      for (const key of listed) {
        calls++;
        keys.push({ accessKeyId: key.accessKeyId, lastUse: await gateway.keys.lastUse(key.accessKeyId) });
      }
      reviews.put(name, new Date().toISOString(), keys);
      const fresh = room.store.getAs("user", name, StoredUser);
      const plain = listed.map(({ accessKeyId, status, createdAt }) => AccessKeySummary.parse({ accessKeyId, status, createdAt }));
      if (fresh && keysDiffer(plain, fresh.resource.keys)) withKeys(room, fresh, plain, "Stackroom", `Access keys of user ${name} refreshed from IAM`);
      left--;
    } catch (err) {
      const failures = Number(room.store.getMeta(FAILURES_KEY) ?? 0) + 1;
      const message = err instanceof AwsError ? `IAM answered ${err.code}: ${err.message}`.slice(0, 300) : "IAM could not be reached.";
      logEvent("warn", "access_review_read_failed", { project: project.id, user: name, failures, error: errorText(err) });
      room.store.setMeta(STALE_KEY, JSON.stringify({ at: new Date().toISOString(), message } satisfies z.infer<typeof Stale>));
      room.store.setMeta(FAILURES_KEY, String(failures));
      room.store.setMeta(NEXT_KEY, String(now + Math.max(5_000, backoffDelay(failures - 1, FAILURE_BACKOFF))));
      return;
    }
  }
  room.store.deleteMeta(STALE_KEY);
  room.store.deleteMeta(FAILURES_KEY);
  if (left > 0) {
    room.store.setMeta(NEXT_KEY, String(now + NEXT_BATCH_MS));
    return;
  }
  room.store.deleteMeta(PASS_KEY);
  room.store.setMeta(NEXT_KEY, String(now + REVIEW_INTERVAL_MS));
  logEvent("info", "access_review_read", { project: project.id, users: due.length, calls });
}

/** The alarm's part: a run when one is due. */
export async function runDueReview(room: RoomContext, reviews: ReviewStore, project: ProjectRecord, now: number): Promise<void> {
  const due = reviewDue(room);
  if (due === null || due > now) return;
  await runReview(room, reviews, project);
}

/** An editor's refresh: a new pass over users not read in the last minute, its first run now. */
export async function refreshReview(room: RoomContext, reviews: ReviewStore, project: ProjectRecord): Promise<void> {
  await runReview(room, reviews, project, Date.now() - FRESH_ENOUGH_MS);
}
