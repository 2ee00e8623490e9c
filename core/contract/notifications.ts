import * as z from "zod";
import { IsoTime } from "./resource";

/**
 * Project notifications: where the project's own webhook is, in which format, for which events,
 * and how long a digest window gathers events (0 = each notification goes out at once). Members
 * read them (`GET /api/projects/:p/notifications`); owners change them (`PUT`) and send a test
 * (`POST …/notifications/test`).
 */

export const NotificationFormat = z.enum(["slack", "teams", "json"]);
export type NotificationFormat = z.infer<typeof NotificationFormat>;

export const NotificationEventType = z.enum(["upload", "delete", "failure", "link-opened", "access-expiring"]);
export type NotificationEventType = z.infer<typeof NotificationEventType>;

/** The longest webhook URL taken. */
export const WEBHOOK_URL_MAX = 2048;
/** The longest digest window, in minutes. */
export const DIGEST_MINUTES_MAX = 60;

/** The settings as stored and answered. */
export const NotificationSettings = z.object({
  webhookUrl: z.string().max(WEBHOOK_URL_MAX).nullable(),
  format: NotificationFormat,
  events: z.array(NotificationEventType),
  digestMinutes: z.number().int().min(0).max(DIGEST_MINUTES_MAX),
});
export type NotificationSettings = z.infer<typeof NotificationSettings>;

/** What a project has before an owner sets anything: nowhere to send, every event, at once. */
export const DEFAULT_NOTIFICATION_SETTINGS: NotificationSettings = { webhookUrl: null, format: "slack", events: [...NotificationEventType.options], digestMinutes: 0 };

/** One delivery attempt of one message, as the delivery log keeps it (newest first). */
export const NotificationDelivery = z.object({
  at: IsoTime,
  /** What the message told, in a few words ("3 events: 2 uploads, 1 link opened"; "Test message"). */
  summary: z.string(),
  outcome: z.enum(["ok", "failed"]),
  /** The receiver's HTTP status; absent when no answer came (network error, timeout). */
  status: z.number().int().optional(),
  /** 1 for the first try. */
  attempt: z.number().int().positive(),
  /** When the message is tried again; absent when it is not (delivered, or given up). */
  nextRetryAt: IsoTime.optional(),
  /** Why it failed, in words. */
  error: z.string().optional(),
});
export type NotificationDelivery = z.infer<typeof NotificationDelivery>;

/** `GET /api/projects/:p/notifications` (members). */
export const NotificationsView = NotificationSettings.extend({
  /** Whether the project has a signing secret for the json format (it is shown only once). */
  secretSet: z.boolean(),
  /** The last deliveries, newest first (at most 50). */
  deliveries: z.array(NotificationDelivery),
});
export type NotificationsView = z.infer<typeof NotificationsView>;

/**
 * `PUT /api/projects/:p/notifications` (owners). The URL is checked further by
 * `webhookUrlProblem` (https, no user info, no private address), which needs to know whether this
 * is a local run. `rotateSecret: true` makes a new signing secret.
 */
export const PutNotificationsBody = z.strictObject({
  webhookUrl: z.string().trim().max(WEBHOOK_URL_MAX, `At most ${WEBHOOK_URL_MAX} characters.`).nullable().transform((u) => (u === "" ? null : u)),
  format: NotificationFormat,
  events: z.array(NotificationEventType).max(NotificationEventType.options.length).transform((e) => [...new Set(e)]),
  digestMinutes: z.number().int("Whole minutes.").min(0, "0 (at once) to 60 minutes.").max(DIGEST_MINUTES_MAX, "0 (at once) to 60 minutes."),
  rotateSecret: z.boolean().optional(),
});
export type PutNotificationsBody = z.input<typeof PutNotificationsBody>;

/** The PUT's answer: the view, and the signing secret only when it was just made (shown once). */
export const NotificationsSaved = NotificationsView.extend({ secret: z.string().optional() });
export type NotificationsSaved = z.infer<typeof NotificationsSaved>;

/** `POST …/notifications/test`'s answer: how the test message went. */
export const NotificationTestResult = z.object({ delivery: NotificationDelivery });
export type NotificationTestResult = z.infer<typeof NotificationTestResult>;

/** The json format's signature header: `t=<unix>,k=<kid>,v1=<hex>`, as Stackroom's own inbound webhooks. */
export const NOTIFICATION_SIGNATURE_HEADER = "Stackroom-Signature";

/** What the room is told happened; the notifications module decides whether and when it goes out. */
export type NotifyEvent =
  | { type: "upload" | "delete"; bucket: string; by: string; files: number; bytes: number; prefix: string; at: string }
  | { type: "failure"; kind: string; name: string; message: string; at: string }
  | { type: "link-opened"; user: string; at: string }
  | { type: "access-expiring"; user: string; expiresAt: string; daysLeft: number; at: string };

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Whether `hostname` (as URL gives it: IPv6 in brackets) is an IP literal in a private, loopback, link-local or otherwise non-public range. */
function privateAddress(hostname: string): boolean {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(hostname);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 0 || a === 10 || a === 127 || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || a >= 224;
  }
  if (!hostname.startsWith("[")) return false;
  const v6 = hostname.slice(1, -1).toLowerCase();
  // Loopback, unspecified, unique-local (fc00::/7), link-local (fe80::/10), and IPv4-mapped (judged as IPv4 would be: refused).
  return v6 === "::1" || v6 === "::" || /^f[cd]/.test(v6) || /^fe[89ab]/.test(v6) || v6.startsWith("::ffff:");
}

/**
 * Why a webhook URL cannot be used, or null when it can: https only (plain http only for a
 * loopback host in a local run), no user info, and no IP literal of a private, loopback or
 * link-local range (a loopback host is allowed in a local run).
 */
export function webhookUrlProblem(raw: string, localRun: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "Enter a full URL, e.g. https://hooks.slack.com/services/…";
  }
  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback && localRun)) return "The URL must start with https://.";
  if (url.username || url.password) return "The URL must not carry a user name or password.";
  if (loopback && !localRun) return "The URL must name a public host, not this machine.";
  if (!(loopback && localRun) && privateAddress(url.hostname)) return "The URL must name a public host, not a private or link-local address.";
  return null;
}
