/**
 * A lossy path between the bridge and the Worker's webhooks: each signed batch the bridge POSTs is
 * passed on, dropped (the bridge is told it arrived: the webhook was lost after it, as when a
 * Lambda's answer is lost), duplicated (passed on now and again a little later, as SNS's
 * at-least-once delivery does) or held back and passed on after the next batch (reordered). The
 * signature and body are passed as they are: the Worker checks them as always. It starts calm
 * (passing everything on); `storm()` starts the faults, `calm()` ends them.
 */
import { createServer, type IncomingMessage } from "node:http";

export const WEBHOOK_FAULTS = ["dropped", "duplicated", "reordered"] as const;
export type WebhookFault = (typeof WEBHOOK_FAULTS)[number];

export interface WebhookChaosOptions {
  random: () => number;
  rates: Record<WebhookFault, number>;
  /** A held batch goes on at the latest after this long, even with no batch after it. */
  holdMs?: number;
}

export interface WebhookChaos {
  /**
   * The bridge's webhook URL for the Worker's `url`: `url` with its origin replaced by this
   * proxy's. Batches go on to the same path at `url`'s origin.
   */
  via(url: string): string;
  counts: { batches: number; passed: number; failedToPass: number } & Record<WebhookFault, number>;
  storm(): void;
  /** Ends the faults and passes on the batch held back, if any. */
  calm(): void;
  /** Resolves once every held or repeated batch has gone on. */
  drained(): Promise<void>;
  stop(): Promise<void>;
}

interface Batch {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export async function startWebhookChaos(options: WebhookChaosOptions): Promise<WebhookChaos> {
  const counts: WebhookChaos["counts"] = { batches: 0, passed: 0, failedToPass: 0, dropped: 0, duplicated: 0, reordered: 0 };
  const holdMs = options.holdMs ?? 3_000;
  let calm = true;
  let held: { batch: Batch; timer: ReturnType<typeof setTimeout> } | null = null;
  const pending = new Set<Promise<unknown>>();
  let target = "";

  async function pass(batch: Batch): Promise<{ status: number; body: string }> {
    try {
      const res = await fetch(`${target}${batch.path}`, { method: "POST", headers: batch.headers, body: batch.body, redirect: "manual" });
      const body = await res.text();
      if (res.ok) counts.passed++;
      else counts.failedToPass++;
      return { status: res.status, body };
    } catch (error) {
      counts.failedToPass++;
      throw error;
    }
  }

  /** Passes a batch on later, without anyone waiting for its answer (a failure is counted). */
  function later(batch: Batch, ms: number): void {
    const done = new Promise<void>((resolve) => setTimeout(resolve, ms)).then(() => pass(batch)).catch(() => undefined);
    pending.add(done);
    void done.finally(() => pending.delete(done));
  }

  function releaseHeld(): void {
    if (!held) return;
    clearTimeout(held.timer);
    const { batch } = held;
    held = null;
    later(batch, 0);
  }

  function draw(): WebhookFault | null {
    if (calm) return null;
    let roll = options.random();
    for (const fault of WEBHOOK_FAULTS) {
      roll -= options.rates[fault];
      if (roll < 0) return fault;
    }
    return null;
  }

  const accepted = JSON.stringify({ accepted: 0, duplicates: 0 });

  async function handle(req: IncomingMessage): Promise<{ status: number; body: string }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string" && k !== "host" && k !== "content-length" && k !== "connection") headers[k] = v;
    const batch: Batch = { path: req.url ?? "/", headers, body: Buffer.concat(chunks).toString("utf8") };
    counts.batches++;
    const fault = draw();
    if (fault) counts[fault]++;
    if (fault === "dropped") return { status: 202, body: accepted };
    if (fault === "reordered") {
      // Held until the next batch has gone on (or holdMs at the latest); one held at a time.
      releaseHeld();
      const timer = setTimeout(releaseHeld, holdMs);
      held = { batch, timer };
      return { status: 202, body: accepted };
    }
    const answer = await pass(batch);
    if (fault === "duplicated") later(batch, 100 + options.random() * 1_500);
    releaseHeld();
    return answer;
  }

  const server = createServer((req, res) => {
    handle(req).then(
      (answer) => {
        res.writeHead(answer.status, { "content-type": "application/json" });
        res.end(answer.body);
      },
      (error: unknown) => {
        res.writeHead(502, { "content-type": "text/plain" });
        res.end(`webhook chaos could not reach the Worker: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const origin = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  return {
    via: (url) => {
      const u = new URL(url);
      target = u.origin;
      return `${origin}${u.pathname}${u.search}`;
    },
    counts,
    storm: () => {
      calm = false;
    },
    calm: () => {
      calm = true;
      releaseHeld();
    },
    drained: async () => {
      releaseHeld();
      while (pending.size > 0) await Promise.all([...pending]);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (held) clearTimeout(held.timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
