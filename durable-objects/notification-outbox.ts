import { NOTIFICATION_SIGNATURE_HEADER, type NotificationDelivery, type NotificationSettings, type NotificationsView, type NotifyEvent, type ProjectRecord } from "../core/contract";
import { backoffDelay } from "../core/backoff";
import { signBody } from "../core/webhook-signature";
import { errorText, logEvent } from "../core/log";
import { mergeInto, digestSummary, entryWords, payloadFor, type DigestEntry, type NotificationMessage } from "./notification-payloads";
import type { NotificationStore, OutboxRow } from "./notification-store";

/**
 * The project's outbound notifications: events the room raises (`notify`) are kept when the
 * settings select them, gathered per digest window and group (a bucket, a user, a resource: one
 * message per window and group, never one per file), and sent off the request path by the room's
 * alarm (`deliverDue`). A failed send is retried with full-jitter backoff on network errors,
 * timeouts, 429 and 5xx, at most MAX_ATTEMPTS times; any other 4xx, and a redirect (never
 * followed), fail at once. Every try lands in the delivery log; every failure in the JSON log.
 */

/** Tries per message, the first included. */
export const MAX_ATTEMPTS = 6;
/** Backoff between tries: the first wait is up to 30 s, doubling, at most 30 min. */
const RETRY_BACKOFF = { baseMs: 30_000, capMs: 30 * 60_000 };
/** A receiver that has not answered by then has failed this try. */
const SEND_TIMEOUT_MS = 10_000;
/** Messages one alarm sends at most (the rest are due at once, so the next alarm follows). */
const SENDS_PER_ALARM = 5;

/** Which message an event goes into: per bucket for file events, per user for link and access events, per resource for failures. */
function groupOf(event: NotifyEvent): string {
  switch (event.type) {
    case "upload":
    case "delete":
      return `bucket:${event.bucket}`;
    case "link-opened":
    case "access-expiring":
      return `user:${event.user}`;
    case "failure":
      return `resource:${event.kind}:${event.name}`;
  }
}

/** How one POST went. */
type SendOutcome = { ok: true; status: number } | { ok: false; status?: number; retry: boolean; error: string; retryAfterMs?: number };

/** 32 random bytes, hex: the json format's signing secret. */
export function newSigningSecret(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A `Retry-After` in seconds (the HTTP-date form is ignored), in ms. */
function retryAfterMs(header: string | null): number | undefined {
  const seconds = header && /^\d{1,6}$/.test(header.trim()) ? Number(header) : Number.NaN;
  return Number.isFinite(seconds) ? seconds * 1000 : undefined;
}

/** POSTs `body` to `url` (signed for the json format), never following a redirect. */
async function send(url: string, settings: NotificationSettings, secret: string | null, body: string): Promise<SendOutcome> {
  const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "Stackroom-Notifications/1" };
  if (settings.format === "json") {
    if (!secret) return { ok: false, retry: false, error: "The project has no signing secret: save the settings again to make one." };
    headers[NOTIFICATION_SIGNATURE_HEADER] = await signBody(body, [secret], Date.now() / 1000);
  }
  let res: Response;
  try {
    res = await fetch(url, { method: "POST", headers, body, redirect: "manual", signal: AbortSignal.timeout(SEND_TIMEOUT_MS) });
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    return { ok: false, retry: true, error: timedOut ? `No answer within ${SEND_TIMEOUT_MS / 1000} s.` : `The webhook could not be reached (${errorText(err)}).` };
  }
  await res.body?.cancel();
  if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
  if (res.status >= 300 && res.status < 400) return { ok: false, status: res.status, retry: false, error: `The webhook answered with a redirect${res.headers.get("location") ? ` to ${res.headers.get("location")}` : ""}; redirects are not followed. Use the final URL.` };
  const retry = res.status === 429 || res.status >= 500;
  return { ok: false, status: res.status, retry, error: `The webhook answered HTTP ${res.status}.`, ...(retry ? { retryAfterMs: retryAfterMs(res.headers.get("retry-after")) } : {}) };
}

export class Notifications {
  constructor(private readonly store: NotificationStore) {}

  /** The settings as members see them: an owner sees the whole URL, others its host only (the URL itself lets anyone post). */
  view(owner: boolean): NotificationsView {
    const settings = this.store.settings();
    return { ...settings, webhookUrl: owner ? settings.webhookUrl : maskUrl(settings.webhookUrl), secretSet: this.store.secret() !== null, deliveries: this.store.deliveries() };
  }

  /**
   * Stores new settings (checked by the caller). A signing secret is made when the json format
   * needs one and there is none, or when asked to rotate: answered once, here. Without a URL
   * nothing waits any more.
   */
  save(settings: NotificationSettings, rotateSecret: boolean): { secret?: string } {
    const secret = rotateSecret || (settings.format === "json" && this.store.secret() === null) ? newSigningSecret() : undefined;
    this.store.put(settings, secret);
    if (settings.webhookUrl === null) this.store.clearOutbox();
    return secret ? { secret } : {};
  }

  /** Takes an event in: dropped unless selected; else into its group's gathering message, or a new one. Answers whether a message was added (the alarm must then be armed). */
  notify(project: string | undefined, event: NotifyEvent, now = Date.now()): boolean {
    const settings = this.store.settings();
    if (settings.webhookUrl === null || !settings.events.includes(event.type)) return false;
    const group = groupOf(event);
    if (settings.digestMinutes > 0) {
      const open = this.store.gathering(group, now);
      if (open) {
        const fitted = mergeInto(open.entries, event);
        this.store.update(open.id, open.entries, open.dropped + (fitted ? 0 : 1));
        return false;
      }
    }
    const entries: DigestEntry[] = [];
    mergeInto(entries, event);
    const dropped = this.store.add(group, now + settings.digestMinutes * 60_000, entries, 0);
    if (dropped > 0) logEvent("warn", "notifications_dropped", { project, dropped, reason: "outbox full" });
    return true;
  }

  /** When the next message is due (Infinity: none). */
  nextDue(): number {
    return this.store.nextDue();
  }

  /** Sends the messages due by `now` (the room's alarm). */
  async deliverDue(project: ProjectRecord, now = Date.now()): Promise<void> {
    const settings = this.store.settings();
    if (settings.webhookUrl === null) {
      this.store.clearOutbox();
      return;
    }
    for (const row of this.store.due(now, SENDS_PER_ALARM)) await this.deliver(project, settings, settings.webhookUrl, row);
  }

  /** Sends one test message now (owners, from the settings page) and answers how it went. Not retried. */
  async sendTest(project: ProjectRecord, by: string): Promise<NotificationDelivery> {
    const settings = this.store.settings();
    const at = new Date().toISOString();
    const message: NotificationMessage = { project: { id: project.id, name: project.name }, lines: [`Test message sent by ${by}: notifications of ${project.name} arrive here.`], events: [], test: true };
    if (settings.webhookUrl === null) return { at, summary: "Test message", outcome: "failed", attempt: 1, error: "No webhook URL is set." };
    const outcome = await send(settings.webhookUrl, settings, this.store.secret(), JSON.stringify(payloadFor(settings.format, message)));
    return this.logged(project, { at, summary: "Test message", attempt: 1 }, outcome);
  }

  private async deliver(project: ProjectRecord, settings: NotificationSettings, url: string, row: OutboxRow): Promise<void> {
    const message: NotificationMessage = {
      project: { id: project.id, name: project.name },
      lines: [...row.entries.map(entryWords), ...(row.dropped > 0 ? [`…and ${row.dropped} more events.`] : [])],
      events: row.entries.map((e) => e.event),
    };
    const attempt = row.attempt + 1;
    const at = new Date().toISOString();
    const outcome = await send(url, settings, this.store.secret(), JSON.stringify(payloadFor(settings.format, message)));
    const summary = digestSummary(row.entries, row.dropped);
    if (outcome.ok || !outcome.retry || attempt >= MAX_ATTEMPTS) {
      this.store.remove(row.id);
      this.logged(project, { at, summary, attempt }, outcome);
      return;
    }
    const wait = Math.max(1_000, backoffDelay(attempt - 1, RETRY_BACKOFF), outcome.retryAfterMs ?? 0);
    const next = Date.now() + Math.min(wait, RETRY_BACKOFF.capMs);
    this.store.retryAt(row.id, attempt, next);
    this.logged(project, { at, summary, attempt, nextRetryAt: new Date(next).toISOString() }, outcome);
  }

  /** Writes the try to the delivery log (and a failure to the JSON log) and answers it. */
  private logged(project: ProjectRecord, base: Pick<NotificationDelivery, "at" | "summary" | "attempt" | "nextRetryAt">, outcome: SendOutcome): NotificationDelivery {
    const delivery: NotificationDelivery = outcome.ok
      ? { at: base.at, summary: base.summary, attempt: base.attempt, outcome: "ok", status: outcome.status }
      : { ...base, outcome: "failed", ...(outcome.status === undefined ? {} : { status: outcome.status }), error: outcome.error };
    if (!delivery.nextRetryAt) delete delivery.nextRetryAt;
    this.store.logDelivery(delivery);
    if (!outcome.ok) logEvent("warn", "notification_failed", { project: project.id, status: outcome.status ?? null, attempt: base.attempt, retry: base.nextRetryAt !== undefined, error: outcome.error });
    return delivery;
  }
}

/** The URL's scheme and host, its path hidden: "https://hooks.slack.com/…". */
function maskUrl(url: string | null): string | null {
  if (url === null) return null;
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}/…`;
  } catch {
    return "…";
  }
}
