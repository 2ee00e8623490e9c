import type { KeyLastUse, KeyRotation, ProjectRecord, RotatedKey } from "../core/contract";
import { AwsError } from "../core/aws/errors";
import { errorText, logEvent } from "../core/log";
import { RoomError } from "./room-error";
import type { RoomContext } from "./room-context";
import { StoredUser } from "./kinds/user";
import { keyError, MAX_KEYS, usableUser } from "./room-keys";
import { clockOffset, roomNow } from "./room-clock";
import type { ReviewStore } from "./access-review";

const DAY_MS = 86_400_000;
/** How often, while a rotation waits, the room asks IAM whether the new key was used. */
export const ROTATION_CHECK_MS = 15 * 60_000;
/** Rotations looked at per alarm run (one GetAccessKeyLastUsed each, and an UpdateAccessKey when one ends); the rest go next run. */
const ROTATIONS_PER_RUN = 20;

/** A key id as the activity shows it: enough to tell two keys apart, not the whole id. */
export const shortKey = (id: string) => `${id.slice(0, 4)}…${id.slice(-4)}`;
const when = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;

/**
 * When a rotation is next looked at, on the room's clock: its next check or its grace end,
 * whichever is first; once a look at or after the grace end failed, its next check.
 */
function lookAt(rotation: KeyRotation): number {
  const checked = Date.parse(rotation.checkedAt ?? rotation.startedAt);
  const graceEnds = Date.parse(rotation.graceEndsAt);
  return checked >= graceEnds ? checked + ROTATION_CHECK_MS : Math.min(checked + ROTATION_CHECK_MS, graceEnds);
}

const pending = (room: RoomContext) =>
  room.store.listAs("user", StoredUser).flatMap((u) => (u.rotation && u.resource.status !== "deleted" ? [{ user: u, rotation: u.rotation }] : []));

/**
 * Starts a rotation: a second key now, and the first key deactivated when the second is first
 * used or when `graceDays` have passed, whichever comes first (the alarm's `runRotations`). Refused
 * (409) while a rotation is under way, when the user has two keys already (AWS's limit, kept), or
 * no active key to replace. The answer carries the new key's secret, as a created key does.
 */
export async function startRotation(room: RoomContext, project: ProjectRecord, actor: string, name: string, graceDays: number): Promise<RotatedKey> {
  const stored = usableUser(room, name);
  if (stored.rotation) {
    const { newKeyId, graceEndsAt } = stored.rotation;
    throw new RoomError("conflict", `A rotation of ${name}'s key is already under way (new key ${shortKey(newKeyId)}; the old one stops by ${when(Date.parse(graceEndsAt))}). Wait for it to finish, or delete one of the keys to end it.`);
  }
  if (stored.resource.keys.length >= MAX_KEYS) {
    throw new RoomError("conflict", `User “${name}” already has ${MAX_KEYS} access keys (AWS's limit). Delete the one it no longer uses, then rotate.`);
  }
  const old = stored.resource.keys.find((k) => k.status === "Active");
  if (!old) throw new RoomError("conflict", `User “${name}” has no active access key to rotate. Create a key instead.`);
  if (stored.resource.spec.expiresAt && Date.parse(stored.resource.spec.expiresAt) <= Date.now()) {
    throw new RoomError("conflict", `User “${name}” has expired; extend its expiry before rotating its key.`);
  }
  let key: { accessKeyId: string; secretAccessKey: string; createdAt: string };
  try {
    key = await room.gateway(project).keys.create(name);
  } catch (err) {
    throw keyError(err, name);
  }
  const now = roomNow(room.store);
  const rotation: KeyRotation = {
    oldKeyId: old.accessKeyId,
    newKeyId: key.accessKeyId,
    startedAt: new Date(now).toISOString(),
    graceEndsAt: new Date(now + graceDays * DAY_MS).toISOString(),
    startedBy: actor,
    checkedAt: null,
  };
  const fresh = room.store.getAs("user", name, StoredUser) ?? stored;
  // A read from IAM while CreateAccessKey was answering (the access review's) may have added it already.
  const others = fresh.resource.keys.filter((k) => k.accessKeyId !== key.accessKeyId);
  const keys = [...others, { accessKeyId: key.accessKeyId, status: "Active" as const, createdAt: key.createdAt }];
  const next: StoredUser = { ...fresh, rotation, resource: { ...fresh.resource, keys, updatedAt: new Date().toISOString() } };
  room.record("user", next, {
    actor,
    message: `${actor} started rotating ${name}'s key: new key ${shortKey(key.accessKeyId)}, the old one stops on ${when(Date.parse(rotation.graceEndsAt))} or when the new one is first used`,
    tone: "info",
  });
  return { ...key, user: name, region: project.region, rotation };
}

/** When the alarm must next look at a rotation (wall-clock ms): its next check or the end of its grace, or null when none waits. */
export function rotationDue(room: RoomContext): number | null {
  const offset = clockOffset(room.store);
  let next = Infinity;
  for (const { rotation } of pending(room)) next = Math.min(next, lookAt(rotation) - offset);
  return Number.isFinite(next) ? next : null;
}

/** The rotation is over: the user without it, its old key as IAM now has it, and a line saying why. */
function finish(room: RoomContext, name: string, oldKeyId: string, deactivated: boolean, message: string): void {
  const fresh = room.store.getAs("user", name, StoredUser);
  if (!fresh) return;
  const keys = fresh.resource.keys.map((k) => (deactivated && k.accessKeyId === oldKeyId ? { ...k, status: "Inactive" as const } : k));
  const next: StoredUser = { ...fresh, rotation: undefined, resource: { ...fresh.resource, keys, updatedAt: new Date().toISOString() } };
  room.record("user", next, { actor: "Stackroom", message, tone: "info" });
}

/** The rotation goes on: when it was looked at is kept (no activity line: nothing changed). */
function checked(room: RoomContext, name: string, user: StoredUser, rotation: KeyRotation, now: number): void {
  const fresh = room.store.getAs("user", name, StoredUser) ?? user;
  const next: StoredUser = { ...fresh, rotation: { ...rotation, checkedAt: new Date(now).toISOString() } };
  room.store.put("user", next);
}

/**
 * The alarm's part: each rotation whose check or grace end is due, at most ROTATIONS_PER_RUN. At
 * the grace end the old key is deactivated (UpdateAccessKey Inactive); before it, IAM is asked
 * whether the new key was used (GetAccessKeyLastUsed) and, if it was, the old key is deactivated
 * then. A key that is gone ends the rotation; an IAM failure is logged and tried again at the
 * next check (the AWS client already retried throttling with backoff).
 */
export async function runRotations(room: RoomContext, reviews: ReviewStore, project: ProjectRecord): Promise<void> {
  const now = roomNow(room.store);
  const due = pending(room)
    .filter(({ rotation }) => lookAt(rotation) <= now)
    .slice(0, ROTATIONS_PER_RUN);
  const gateway = room.gateway(project);
  for (const { user, rotation } of due) {
    const name = user.resource.name;
    const prefix = `Rotation of ${name}'s key`;
    const old = user.resource.keys.find((k) => k.accessKeyId === rotation.oldKeyId);
    const fresh = user.resource.keys.find((k) => k.accessKeyId === rotation.newKeyId);
    if (!old || !fresh) {
      finish(room, name, rotation.oldKeyId, false, `${prefix} ended: ${old ? "the new" : "the old"} key is gone`);
      continue;
    }
    // A manager stopped the new key: the old one must keep working, so the rotation ends here.
    if (fresh.status === "Inactive") {
      finish(room, name, rotation.oldKeyId, false, `${prefix} ended: the new key ${shortKey(rotation.newKeyId)} was deactivated, so the old one stays active`);
      continue;
    }
    try {
      const graceOver = Date.parse(rotation.graceEndsAt) <= now;
      let used: KeyLastUse | null = null;
      if (!graceOver) {
        used = await gateway.keys.lastUse(rotation.newKeyId);
        reviews.putKey(name, rotation.newKeyId, used);
      }
      if (!graceOver && !used) {
        checked(room, name, user, rotation, now);
        continue;
      }
      if (old.status === "Active") await gateway.keys.setStatus(name, rotation.oldKeyId, "Inactive");
      const why = used ? `: the new key was used on ${when(Date.parse(used.at))}` : " at the end of the grace period";
      finish(room, name, rotation.oldKeyId, true, `${prefix}: old key ${shortKey(rotation.oldKeyId)} deactivated${why}`);
    } catch (err) {
      if (err instanceof AwsError && err.kind === "NoSuchEntity") {
        finish(room, name, rotation.oldKeyId, false, `${prefix} ended: IAM no longer has its keys`);
        continue;
      }
      logEvent("warn", "key_rotation_check_failed", { project: project.id, user: name, error: errorText(err) });
      checked(room, name, user, rotation, now);
    }
  }
}
