import { backoffDelay } from "../core/backoff";
import { SIGNATURE_HEADER, type StackEvent, type WebhookBatch } from "../core/contract/stack-event";
import type { ObjectEvent, ObjectEventBatch } from "../core/contract/object-event";
import { signBody } from "../core/webhook-signature";

/** The Worker accepts at most this many stack events per POST (WebhookBatch). */
const MAX_EVENTS_PER_POST = 100;
/** …and this many object events (ObjectEventBatch)… */
const MAX_OBJECT_EVENTS_PER_POST = 500;
/** …in a body under its 1 MiB limit (worker/signed-webhook.ts), with room to spare. */
const MAX_BODY_BYTES = 1000 * 1024;

export interface DeliveryOptions {
  /**
   * The project's own stack-event webhook, `https://<worker>/webhooks/cloudformation/<project>`
   * (project-scope.ts); object events go to its sibling `/webhooks/objects/<project>`.
   */
  url: string;
  /** Signing secrets; one v1 signature per non-empty secret. */
  secrets: readonly string[];
  fetch?: typeof fetch;
  /** Clock in milliseconds (signing time). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1); the jitter source. */
  random?: () => number;
  /** Tries per batch, first one included. */
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Per-request timeout; a timeout counts as a network error and is retried. */
  timeoutMs?: number;
  log?: (message: string, detail?: Record<string, unknown>) => void;
}

/** Delivery gave up. `permanent`: the Worker refused the batch (4xx other than 429); retrying is pointless. */
export class WebhookDeliveryError extends Error {
  override name = "WebhookDeliveryError";
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly status?: number,
  ) {
    super(message);
  }
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const defaultLog = (message: string, detail?: Record<string, unknown>) => console.error(message, detail ?? "");

type Attempt = { ok: true } | { ok: false; retryable: boolean; status?: number; detail: string; retryAfterMs?: number };

async function postOnce(url: string, body: string, options: DeliveryOptions, now: () => number): Promise<Attempt> {
  // Signed per attempt, so a retry after a long backoff still carries a fresh timestamp.
  const signature = await signBody(body, options.secrets, now() / 1000);
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, {
      method: "POST",
      headers: { "content-type": "application/json", [SIGNATURE_HEADER]: signature },
      body,
      // Never follow: fetch turns a POST answered 302/303 into a GET of the Location, so a webhook
      // behind Cloudflare Access would "deliver" by loading its login page (200). Not "error":
      // Node's fetch then throws a bare "unexpected redirect" and the target is lost.
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    return { ok: false, retryable: true, detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
  const redirect = redirectTarget(response, url);
  if (redirect !== null) {
    await response.body?.cancel().catch(() => undefined);
    // Retried like a network error: a misconfiguration being fixed, or a passing edge hiccup.
    return {
      ok: false,
      retryable: true,
      status: response.status || undefined,
      detail: `redirected to ${redirect}; the webhook must answer the POST itself (is /webhooks/* behind Cloudflare Access? it must not be)`,
    };
  }
  const text = (await response.text().catch(() => "")).slice(0, 500);
  if (response.ok) return { ok: true };
  const retryAfter = Number(response.headers.get("retry-after"));
  return {
    ok: false,
    retryable: response.status === 429 || response.status >= 500,
    status: response.status,
    detail: text,
    retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
  };
}

/** Where a 3xx answer points (resolved against the webhook URL), or null when it is no redirect. */
function redirectTarget(response: Response, url: string): string | null {
  // Status 0 ("opaqueredirect") is how runtimes that hide a manual redirect's Location answer it.
  if (response.status === 0) return "an undisclosed location";
  if (response.status < 300 || response.status > 399) return null;
  const location = response.headers.get("location");
  if (location === null) return "nowhere (no Location header)";
  return URL.canParse(location, url) ? new URL(location, url).href : JSON.stringify(location);
}

async function deliverBatch(url: string, body: string, count: number, options: DeliveryOptions): Promise<number> {
  const attempts = Math.max(1, options.attempts ?? 4);
  const base = options.baseDelayMs ?? 250;
  const max = options.maxDelayMs ?? 5_000;
  const now = options.now ?? Date.now;
  const log = options.log ?? defaultLog;
  for (let attempt = 1; ; attempt++) {
    const result = await postOnce(url, body, options, now);
    if (result.ok) return attempt;
    const where = result.status === undefined ? "network error" : `HTTP ${result.status}`;
    if (!result.retryable) {
      log("webhook refused the batch; not retrying", { status: result.status, body: result.detail, events: count });
      throw new WebhookDeliveryError(`The webhook refused the batch (${where}): ${result.detail}`, true, result.status);
    }
    if (attempt >= attempts) {
      log("webhook delivery failed; giving up", { attempt, status: result.status, detail: result.detail });
      throw new WebhookDeliveryError(`Webhook delivery failed after ${attempt} attempts (${where}): ${result.detail}`, false, result.status);
    }
    // The Worker's Retry-After is a floor under the jittered wait; maxDelayMs caps both.
    const jittered = backoffDelay(attempt - 1, { baseMs: base, capMs: max, random: options.random });
    const delay = Math.min(max, Math.max(result.retryAfterMs ?? 0, jittered));
    log("webhook delivery failed; retrying", { attempt, status: result.status, detail: result.detail, delayMs: delay });
    await (options.sleep ?? sleepFor)(delay);
  }
}

/**
 * POSTs `events` as signed `{events}` batches of at most 100, one after the other, each retried
 * on network errors, timeouts, redirects (never followed), 429 and 5xx with jittered exponential backoff. Throws
 * WebhookDeliveryError when a batch finally fails, so the caller (Lambda, SNS) can retry the
 * whole set; batches already delivered then arrive twice, which the Worker deduplicates by EventId.
 */
export async function deliverEvents(
  events: readonly StackEvent[],
  options: DeliveryOptions,
): Promise<{ batches: number; attempts: number }> {
  let attempts = 0;
  let batches = 0;
  for (let i = 0; i < events.length; i += MAX_EVENTS_PER_POST) {
    const body = JSON.stringify({ events: events.slice(i, i + MAX_EVENTS_PER_POST) } satisfies WebhookBatch);
    attempts += await deliverBatch(options.url, body, Math.min(MAX_EVENTS_PER_POST, events.length - i), options);
    batches++;
  }
  return { batches, attempts };
}

/** `…/webhooks/objects/<project>` beside the project's `…/webhooks/cloudformation/<project>`. */
export function objectWebhookUrl(stackWebhookUrl: string): string {
  const url = new URL(stackWebhookUrl);
  url.pathname = url.pathname.replace(/\/webhooks\/cloudformation\//, "/webhooks/objects/");
  return url.href;
}

/** Splits object events into batches of at most 500 whose JSON body stays under MAX_BODY_BYTES. */
export function objectBatches(events: readonly ObjectEvent[]): { body: string; count: number }[] {
  const bodies: { body: string; count: number }[] = [];
  const encoder = new TextEncoder();
  const wrapper = encoder.encode(JSON.stringify({ objectEvents: [] } satisfies ObjectEventBatch)).length;
  let batch: ObjectEvent[] = [];
  let bytes = wrapper;
  const flush = () => {
    if (batch.length > 0) bodies.push({ body: JSON.stringify({ objectEvents: batch } satisfies ObjectEventBatch), count: batch.length });
    batch = [];
    bytes = wrapper;
  };
  for (const event of events) {
    // One event is at most ~2.2 KB (a 1,024-character key, a 512-character principal), so it always fits alone.
    const size = encoder.encode(JSON.stringify(event)).length + 1;
    if (batch.length >= MAX_OBJECT_EVENTS_PER_POST || bytes + size > MAX_BODY_BYTES) flush();
    batch.push(event);
    bytes += size;
  }
  flush();
  return bodies;
}

/**
 * POSTs S3 object events to the project's object webhook, signed like stack events, in batches
 * (objectBatches) one after the other, each retried as deliverEvents retries. A burst of 10,000
 * uploads is 20 POSTs, not 10,000. Throws WebhookDeliveryError when a batch finally fails; the
 * Worker drops duplicates of batches already delivered by eventId.
 */
export async function deliverObjectEvents(events: readonly ObjectEvent[], options: DeliveryOptions): Promise<{ batches: number; attempts: number }> {
  const url = objectWebhookUrl(options.url);
  let attempts = 0;
  const bodies = objectBatches(events);
  for (const { body, count } of bodies) attempts += await deliverBatch(url, body, count, options);
  return { batches: bodies.length, attempts };
}
