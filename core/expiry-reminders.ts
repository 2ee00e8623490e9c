import * as z from "zod";
import { DAY_MS, expiryWords } from "./user-expiry";

/**
 * Reminders before a user's access ends: 14 and 3 days before its `expiresAt`, each at most once
 * per expiry date. Pure: the room (kinds/user.ts) keeps the record with the user and says them.
 *
 * What a manager should expect:
 * - A reminder is for a moment still ahead when the date was set. A user created (or extended)
 *   with 10 days left gets only the 3-day reminder; one with 2 days left gets none: whoever set
 *   so near a date knows it. The room takes note of a new date as soon as it sees it (its alarm
 *   runs at once for one), and dates set before reminders existed count as set then.
 * - A changed `expiresAt` (an extension, a new date, or one taken back) starts afresh: the record
 *   is for one date, and another date has none.
 * - If the room could not remind on time (it was down past a reminder and into the next one), it
 *   says only the nearer one, once, with the days actually left.
 * - An expiry already reached reminds no more: access has ended, and the activity says so.
 */

/** Days before expiry at which the project is reminded, farthest first. */
export const EXPIRY_REMINDER_DAYS = [14, 3] as const;

/** Which reminders of one expiry date are behind us: said, or passed over (already past when the date was set). */
export const ExpiryReminders = z.object({
  expiresAt: z.string(),
  sent: z.array(z.number().int()),
  skipped: z.array(z.number().int()),
});
export type ExpiryReminders = z.infer<typeof ExpiryReminders>;

/** What the room does now for one user: keep `record` and, when `remind` is set, say it. */
export interface ReminderStep {
  record: ExpiryReminders;
  remind: { days: number; daysLeft: number; expiresAt: string } | null;
}

const reminderAt = (expiresAt: number, days: number): number => expiresAt - days * DAY_MS;

function recordFor(expiresAt: string | null, record: ExpiryReminders | undefined): ExpiryReminders | undefined {
  return record && record.expiresAt === expiresAt ? record : undefined;
}

/** The step due for a user with this expiry and record at `now`, or null: nothing to do. */
export function reminderStep(expiresAt: string | null, record: ExpiryReminders | undefined, now: number): ReminderStep | null {
  if (expiresAt === null) return null;
  const at = Date.parse(expiresAt);
  if (!Number.isFinite(at) || at <= now) return null;
  const known = recordFor(expiresAt, record);
  const passed = EXPIRY_REMINDER_DAYS.filter((days) => reminderAt(at, days) <= now);
  if (!known) return { record: { expiresAt, sent: [], skipped: [...passed] }, remind: null };
  const due = passed.filter((days) => !known.sent.includes(days) && !known.skipped.includes(days));
  if (due.length === 0) return null;
  const nearest = Math.min(...due);
  const daysLeft = Math.ceil((at - now) / DAY_MS);
  return {
    record: { expiresAt, sent: [...known.sent, nearest], skipped: [...known.skipped, ...due.filter((d) => d !== nearest)] },
    remind: { days: nearest, daysLeft, expiresAt },
  };
}

/** When the next step for this user is due: now for a date not yet noted, the next reminder's moment, or null. */
export function nextReminderAt(expiresAt: string | null, record: ExpiryReminders | undefined, now: number): number | null {
  if (expiresAt === null) return null;
  const at = Date.parse(expiresAt);
  if (!Number.isFinite(at) || at <= now) return null;
  const known = recordFor(expiresAt, record);
  if (!known) return now;
  const ahead = EXPIRY_REMINDER_DAYS.filter((days) => !known.sent.includes(days) && !known.skipped.includes(days)).map((days) => reminderAt(at, days));
  return ahead.length === 0 ? null : Math.max(now, Math.min(...ahead));
}

/** The activity's words: "partner-acme's access ends in 14 days, on 5 Jan 2027 at 14:02 UTC. Extend it on the user's page." */
export function reminderWords(user: string, daysLeft: number, expiresAt: string): string {
  return `${user}'s access ends in ${daysLeft === 1 ? "1 day" : `${daysLeft} days`}, on ${expiryWords(expiresAt)}. Extend it on the user's page.`;
}

/** Whether an activity line is such a reminder (the app offers "Extend" beside it). */
export function isReminderWords(message: string): boolean {
  return /'s access ends in \d+ days?, on .+\. Extend it on the user's page\.$/.test(message);
}
