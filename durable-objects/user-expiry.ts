import type { StoredUser } from "./room-store";

/** How soon to look again at an expired user that could not be handled yet (locked, or AWS failed). */
export const EXPIRY_RETRY_MS = 30_000;

/** Expired but still able to act: grants left or an active key. */
export function needsExpiry(user: StoredUser, now: number): boolean {
  const { spec, keys, status } = user.resource;
  if (!spec.expiresAt || Date.parse(spec.expiresAt) > now || status === "deleted" || status === "deleting") return false;
  return spec.permissions.length > 0 || keys.some((k) => k.status === "Active");
}

/** When the room's alarm must next look at users: the earliest future expiry, or soon for pending ones. */
export function nextExpiryCheck(users: StoredUser[], now: number): number | null {
  let next: number | null = null;
  for (const user of users) {
    const at = user.resource.spec.expiresAt ? Date.parse(user.resource.spec.expiresAt) : NaN;
    if (Number.isNaN(at)) continue;
    // A due user is handled by the alarm that finds it; if that failed (or it was locked), look again later.
    const when = needsExpiry(user, now) ? now + EXPIRY_RETRY_MS : at > now ? at : null;
    if (when !== null && (next === null || when < next)) next = when;
  }
  return next;
}
