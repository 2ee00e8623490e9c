import { ShareState } from "$contract";
import { api } from "$lib/api";

/** Whether the link can still be opened (and since when not): asks the server, uses nothing up. */
export const linkState = (id: string) => api(`/api/shares/${encodeURIComponent(id)}/status`, ShareState);

/**
 * "Mon 7 Dec 2026" and "01:58": a moment as the reader's own locale and time zone write a day and
 * a time of day (with `locale` and `timeZone` for tests), so a page can say "on <date> at <time>".
 * null for text that is not a time.
 */
export function dateAndTime(iso: string, locale?: string, timeZone?: string): { date: string; time: string } | null {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return null;
  const date = new Intl.DateTimeFormat(locale, { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone }).format(ms);
  const time = new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", timeZone }).format(ms);
  return { date: date.replace(/,/g, ""), time };
}
