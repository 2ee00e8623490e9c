// Proves the reminder rules before a user's access ends: 14 and 3 days before, once each per date; only the reminders still ahead when a date is set; a late room says only the nearer one; a new date starts afresh; and "Extend" moves from the later of now and the current expiry.
import { describe, expect, it } from "vitest";
import { isReminderWords, nextReminderAt, reminderStep, reminderWords, type ExpiryReminders } from "./expiry-reminders";
import { DAY_MS, defaultExpiry, extendedExpiry, extensionDays, expiryWords } from "./user-expiry";

const NOW = Date.parse("2026-12-07T12:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();

/** Runs the room's steps at each moment, as its alarm would, and answers the reminders said. */
function said(expiresAt: string, moments: number[], start?: ExpiryReminders): { days: number[]; record: ExpiryReminders | undefined } {
  let record = start;
  const days: number[] = [];
  for (const now of moments) {
    const step = reminderStep(expiresAt, record, now);
    if (!step) continue;
    record = step.record;
    if (step.remind) days.push(step.remind.daysLeft);
  }
  return { days, record };
}

describe("expiry reminders", () => {
  it("notes a new date first, then reminds 14 and 3 days before, once each", () => {
    const expiresAt = iso(NOW + 20 * DAY_MS);
    const at = Date.parse(expiresAt);
    expect(nextReminderAt(expiresAt, undefined, NOW)).toBe(NOW);
    const noted = reminderStep(expiresAt, undefined, NOW);
    expect(noted).toEqual({ record: { expiresAt, sent: [], skipped: [] }, remind: null });
    expect(nextReminderAt(expiresAt, noted?.record, NOW)).toBe(at - 14 * DAY_MS);
    const moments = [NOW, at - 14 * DAY_MS - 1, at - 14 * DAY_MS, at - 14 * DAY_MS + 1000, at - 5 * DAY_MS, at - 3 * DAY_MS, at - 3 * DAY_MS + 60_000, at - 1000];
    const { days, record } = said(expiresAt, moments);
    expect(days).toEqual([14, 3]);
    expect(record).toEqual({ expiresAt, sent: [14, 3], skipped: [] });
    expect(nextReminderAt(expiresAt, record, at - 1000)).toBeNull();
  });

  it("gives a date set with less than 14 days left only the reminders still ahead", () => {
    const tenDays = iso(NOW + 10 * DAY_MS);
    expect(reminderStep(tenDays, undefined, NOW)?.record).toEqual({ expiresAt: tenDays, sent: [], skipped: [14] });
    expect(said(tenDays, [NOW, NOW + DAY_MS, Date.parse(tenDays) - 3 * DAY_MS]).days).toEqual([3]);
    const twoDays = iso(NOW + 2 * DAY_MS);
    expect(said(twoDays, [NOW, NOW + DAY_MS, Date.parse(twoDays) - 60_000]).days).toEqual([]);
  });

  it("says only the nearer reminder, with the days really left, when the room was away past both", () => {
    const expiresAt = iso(NOW + 20 * DAY_MS);
    const late = Date.parse(expiresAt) - 2 * DAY_MS - 3_600_000;
    const { days, record } = said(expiresAt, [NOW, late, late + 1000]);
    expect(days).toEqual([3]);
    expect(record).toEqual({ expiresAt, sent: [3], skipped: [14] });
  });

  it("starts afresh for a changed date, and says nothing once access has ended or without a date", () => {
    const first = iso(NOW + 20 * DAY_MS);
    const { record } = said(first, [NOW, Date.parse(first) - 14 * DAY_MS]);
    expect(record?.sent).toEqual([14]);
    const later = iso(NOW + 40 * DAY_MS);
    expect(nextReminderAt(later, record, NOW + 7 * DAY_MS)).toBe(NOW + 7 * DAY_MS);
    expect(said(later, [NOW + 7 * DAY_MS, Date.parse(later) - 14 * DAY_MS, Date.parse(later) - 3 * DAY_MS], record).days).toEqual([14, 3]);
    expect(reminderStep(first, undefined, Date.parse(first))).toBeNull();
    expect(nextReminderAt(first, undefined, Date.parse(first) + 1)).toBeNull();
    expect(reminderStep(null, undefined, NOW)).toBeNull();
    expect(nextReminderAt(null, record, NOW)).toBeNull();
  });

  it("words a reminder as the activity says it", () => {
    expect(reminderWords("partner-acme", 14, "2027-01-05T09:30:00.000Z")).toBe("partner-acme's access ends in 14 days, on 5 Jan 2027 at 09:30 UTC. Extend it on the user's page.");
    expect(reminderWords("x", 1, "2027-12-31T23:59:00Z")).toBe("x's access ends in 1 day, on 31 Dec 2027 at 23:59 UTC. Extend it on the user's page.");
    expect(expiryWords("2027-06-15T00:05:00Z")).toBe("15 Jun 2027 at 00:05 UTC");
    expect(isReminderWords(reminderWords("partner-acme", 3, "2027-01-05T09:30:00.000Z"))).toBe(true);
    expect(isReminderWords("User partner-acme expired: its access keys were deactivated")).toBe(false);
  });
});

describe("expiry dates", () => {
  it("gives a new user the project's default, or none", () => {
    expect(defaultExpiry(90, NOW)).toBe(iso(NOW + 90 * DAY_MS));
    expect(defaultExpiry(null, NOW)).toBeNull();
  });

  it("extends by the project's default (90 days without one) from the later of now and the current expiry", () => {
    expect(extensionDays(30)).toBe(30);
    expect(extensionDays(null)).toBe(90);
    const ahead = iso(NOW + 5 * DAY_MS);
    expect(extendedExpiry(ahead, 30, NOW)).toBe(iso(NOW + 35 * DAY_MS));
    const past = iso(NOW - 5 * DAY_MS);
    expect(extendedExpiry(past, 30, NOW)).toBe(iso(NOW + 30 * DAY_MS));
    expect(extendedExpiry(null, 90, NOW)).toBe(iso(NOW + 90 * DAY_MS));
  });
});
