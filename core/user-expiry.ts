/**
 * A user's access expiry dates: the project's default for a new user and "Extend" (one click,
 * through the normal user update). Shared by the room, which applies the default at create, and
 * the app, which pre-fills it and computes an extension.
 */

export const DAY_MS = 86_400_000;

/** How far "Extend" moves an expiry when the project has no default for new users. */
export const EXTEND_DAYS_WITHOUT_DEFAULT = 90;

/** A new user's expiry under the project's default (`days` from `now`), or null without one. */
export function defaultExpiry(days: number | null, now: number): string | null {
  return days === null ? null : new Date(now + days * DAY_MS).toISOString();
}

/** The days "Extend" adds: the project's default for new users, else 90. */
export function extensionDays(defaultDays: number | null): number {
  return defaultDays ?? EXTEND_DAYS_WITHOUT_DEFAULT;
}

/**
 * The expiry after "Extend": `days` later than the current expiry, or than now when that is
 * already past (an expired user gets a full period from today, not a few days left of one).
 */
export function extendedExpiry(current: string | null, days: number, now: number): string {
  const from = current === null ? now : Math.max(now, Date.parse(current) || now);
  return new Date(from + days * DAY_MS).toISOString();
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "5 Jan 2027 at 14:02 UTC": a day the room names in the activity, the same for every reader. */
export function expiryWords(iso: string): string {
  const d = new Date(iso);
  const hh = String(d.getUTCHours()).padStart(2, "0");
  const mm = String(d.getUTCMinutes()).padStart(2, "0");
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()] ?? ""} ${d.getUTCFullYear()} at ${hh}:${mm} UTC`;
}
