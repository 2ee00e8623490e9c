import type { NotificationFormat, NotificationSettings, NotifyEvent } from "../core/contract";
import { lineWords } from "./file-activity";

/**
 * What a notification says, in managers' words, and the body each format wants: Slack's
 * incoming-webhook JSON (`text` plus one mrkdwn section), a Teams Workflows message carrying an
 * Adaptive Card 1.4, or our own JSON (`{project, events}`, signed by the caller).
 */

/**
 * One line of a digest: the event, merged with like events of the window (uploads of one user to
 * one bucket add up), when the first of them happened, and how many were merged.
 */
export interface DigestEntry {
  event: NotifyEvent;
  firstAt: string;
  count: number;
}

/** A digest keeps at most this many lines; further unlike events are only counted. */
export const DIGEST_ENTRIES_MAX = 50;

/** Whether two events add up to one line (same kind of change by the same person in the same place). */
function sameLine(a: NotifyEvent, b: NotifyEvent): boolean {
  if ((a.type === "upload" || a.type === "delete") && b.type === a.type) return a.bucket === b.bucket && a.by === b.by;
  if (a.type === "link-opened" && b.type === "link-opened") return a.user === b.user;
  if (a.type === "access-expiring" && b.type === "access-expiring") return a.user === b.user;
  return false;
}

function sharedPrefix(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.slice(0, i);
}

const later = (a: string, b: string) => (Date.parse(b) > Date.parse(a) ? b : a);
const earlier = (a: string, b: string) => (Date.parse(b) < Date.parse(a) ? b : a);

/** Adds `event` to a digest's lines: merged into its like line, or a line of its own (false when the digest is full). */
export function mergeInto(entries: DigestEntry[], event: NotifyEvent): boolean {
  const like = entries.find((e) => sameLine(e.event, event));
  if (!like) {
    if (entries.length >= DIGEST_ENTRIES_MAX) return false;
    entries.push({ event, firstAt: event.at, count: 1 });
    return true;
  }
  const prev = like.event;
  like.count++;
  like.firstAt = earlier(like.firstAt, event.at);
  if ((prev.type === "upload" || prev.type === "delete") && event.type === prev.type) {
    like.event = { ...prev, files: prev.files + event.files, bytes: prev.bytes + event.bytes, prefix: sharedPrefix(prev.prefix, event.prefix), at: later(prev.at, event.at) };
  } else if (prev.type === "access-expiring" && event.type === "access-expiring") {
    // The newest reminder says how long is left now.
    like.event = Date.parse(event.at) >= Date.parse(prev.at) ? event : prev;
  } else {
    like.event = { ...prev, at: later(prev.at, event.at) };
  }
  return true;
}

const clock = (iso: string) => iso.slice(11, 16);
const span = (from: string, to: string) => (clock(from) === clock(to) ? `${clock(to)} UTC` : `${clock(from)}–${clock(to)} UTC`);

/** One digest line in words: "partner-acme uploaded 120 files, 1.2 GB, to acme-data/incoming/ · 14:02–14:05 UTC". */
export function entryWords({ event, firstAt, count }: DigestEntry): string {
  switch (event.type) {
    case "upload":
    case "delete":
      return lineWords({
        bucket: event.bucket,
        by: event.by,
        event: event.type === "upload" ? "created" : "removed",
        seq: 0,
        firstMs: Date.parse(firstAt),
        lastMs: Date.parse(event.at),
        files: event.files,
        bytes: event.bytes,
        place: event.prefix,
      });
    case "failure":
      return `${event.message} · ${clock(event.at)} UTC`;
    case "link-opened":
      return count === 1 ? `The one-time link for ${event.user} was opened · ${clock(event.at)} UTC` : `${count} one-time links for ${event.user} were opened · ${span(firstAt, event.at)}`;
    case "access-expiring":
      return `${event.user}'s access ends on ${event.expiresAt.slice(0, 10)} (${event.daysLeft === 1 ? "in 1 day" : `in ${event.daysLeft} days`})`;
  }
}

const TYPE_NOUNS: Record<NotifyEvent["type"], [string, string]> = {
  upload: ["upload", "uploads"],
  delete: ["delete", "deletes"],
  failure: ["failed operation", "failed operations"],
  "link-opened": ["link opened", "links opened"],
  "access-expiring": ["access ending", "accesses ending"],
};

/** What a message told, for the delivery log: "2 uploads, 1 link opened". */
export function digestSummary(entries: readonly DigestEntry[], dropped = 0): string {
  const counts = new Map<NotifyEvent["type"], number>();
  for (const e of entries) counts.set(e.event.type, (counts.get(e.event.type) ?? 0) + e.count);
  const parts = [...counts].map(([type, n]) => `${n} ${TYPE_NOUNS[type][n === 1 ? 0 : 1]}`);
  if (dropped > 0) parts.push(`${dropped} more`);
  return parts.join(", ") || "nothing";
}

/** A message ready to send: its lines, and for the json format the events themselves. */
export interface NotificationMessage {
  project: { id: string; name: string };
  lines: string[];
  events: NotifyEvent[];
  test?: boolean;
}

/** Slack's mrkdwn: &, < and > are escaped (they start links and mentions). */
function mrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Slack's limit for a section's text (Block Kit reference). */
const SLACK_SECTION_MAX = 3000;

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The body for `format`. */
export function payloadFor(format: NotificationFormat, message: NotificationMessage): unknown {
  const title = `Stackroom · ${message.project.name}`;
  switch (format) {
    case "slack": {
      const text = `${title}\n${message.lines.join("\n")}`;
      const section = `*${mrkdwn(title)}*\n${message.lines.map((l) => `• ${mrkdwn(l)}`).join("\n")}`;
      return { text: cut(text, 40_000), blocks: [{ type: "section", text: { type: "mrkdwn", text: cut(section, SLACK_SECTION_MAX) } }] };
    }
    case "teams":
      return {
        type: "message",
        attachments: [
          {
            contentType: "application/vnd.microsoft.card.adaptive",
            contentUrl: null,
            content: {
              $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
              type: "AdaptiveCard",
              version: "1.4",
              body: [
                { type: "TextBlock", text: title, weight: "Bolder", size: "Medium", wrap: true },
                ...message.lines.map((line) => ({ type: "TextBlock", text: line, wrap: true, spacing: "Small" })),
              ],
            },
          },
        ],
      };
    case "json":
      return { project: message.project.id, projectName: message.project.name, events: message.events, ...(message.test ? { test: true } : {}) };
  }
}

const FORMAT_NAMES: Record<NotificationFormat, string> = { slack: "Slack", teams: "Teams", json: "signed JSON" };

/** The activity line of a settings change: "owner@example.com set the project's notifications to Slack at hooks.slack.com: uploads, failed operations, every 5 minutes". */
export function settingsWords(by: string, settings: NotificationSettings, secretMade: boolean): string {
  if (settings.webhookUrl === null) return `${by} turned the project's notifications off`;
  const host = (() => {
    try {
      return new URL(settings.webhookUrl).host;
    } catch {
      return "a webhook";
    }
  })();
  const events = settings.events.length === 0 ? "no events" : settings.events.map((e) => TYPE_NOUNS[e][1]).join(", ");
  const when = settings.digestMinutes === 0 ? "at once" : settings.digestMinutes === 1 ? "every minute" : `every ${settings.digestMinutes} minutes`;
  return `${by} set the project's notifications to ${FORMAT_NAMES[settings.format]} at ${host}: ${events}, ${when}${secretMade ? ", with a new signing secret" : ""}`;
}
