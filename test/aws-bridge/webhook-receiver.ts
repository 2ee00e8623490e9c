import { createServer, type IncomingHttpHeaders } from "node:http";
import { SIGNATURE_HEADER, WebhookBatch, type StackEvent } from "../../core/contract/stack-event";
import { ObjectEventBatch, type ObjectEvent } from "../../core/contract/object-event";
import { verifySignature } from "../../core/webhook-signature";
import { projectWebhookUrl } from "../../aws-bridge/project-scope";

/**
 * A real HTTP server standing in for the Worker's `POST /webhooks/cloudformation/:project` (and
 * `/webhooks/objects/:project`) in bridge tests: it checks the signature and the WebhookBatch
 * (ObjectEventBatch) schema the way the Worker must, records every
 * POST, and can be told to answer the next requests with given statuses (to drive retries).
 */

export interface ReceivedPost {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  signature: { ok: boolean; reason?: string };
  batch: WebhookBatch | null;
  /** The body of a POST to `/webhooks/objects/…`, when it is a valid ObjectEventBatch. */
  objectBatch: ObjectEventBatch | null;
  status: number;
}

export interface WebhookReceiver {
  url: string;
  posts: ReceivedPost[];
  /** Events of the accepted (202) posts, in arrival order. */
  events(): StackEvent[];
  /** Object events of the accepted posts to `/webhooks/objects/…`, in arrival order. */
  objectEvents(): ObjectEvent[];
  /** Resolves once `predicate` holds for the accepted events; rejects after `timeoutMs`. */
  waitForEvents(predicate: (events: StackEvent[]) => boolean, timeoutMs?: number): Promise<StackEvent[]>;
  stop(): Promise<void>;
}

export interface ReceiverOptions {
  secrets: string[];
  /** The project its URL names (default `demo`); any path is answered alike. */
  projectId?: string;
  /** Statuses for the next requests, consumed in order; afterwards the real verdict applies. */
  script?: number[];
  /** Delay before answering, in ms (to provoke client timeouts). */
  delayMs?: number;
}

export async function startWebhookReceiver(options: ReceiverOptions): Promise<WebhookReceiver> {
  const posts: ReceivedPost[] = [];
  const script = [...(options.script ?? [])];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const header = req.headers[SIGNATURE_HEADER.toLowerCase()];
        const signature = await verifySignature(typeof header === "string" ? header : null, body, options.secrets, Date.now() / 1000);
        let parsed: unknown = null;
        try {
          parsed = JSON.parse(body);
        } catch {
          parsed = null;
        }
        const path = req.url ?? "";
        const objects = path.startsWith("/webhooks/objects/");
        const batch = WebhookBatch.safeParse(parsed);
        const objectBatch = ObjectEventBatch.safeParse(parsed);
        const verdict = !signature.ok ? 401 : (objects ? objectBatch.success : batch.success) ? 202 : 400;
        const status = script.shift() ?? verdict;
        posts.push({ path, headers: req.headers, body, signature, batch: !objects && batch.success ? batch.data : null, objectBatch: objects && objectBatch.success ? objectBatch.data : null, status });
        if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(status === 202 ? { accepted: batch.data?.events.length ?? 0, duplicates: 0 } : { error: { code: "test", message: `answered ${status}` } }));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const events = () => posts.filter((p) => p.status === 202).flatMap((p) => p.batch?.events ?? []);
  const objectEvents = () => posts.filter((p) => p.status === 202).flatMap((p) => p.objectBatch?.objectEvents ?? []);
  return {
    url: projectWebhookUrl(`http://127.0.0.1:${port}`, options.projectId ?? "demo"),
    posts,
    events,
    objectEvents,
    async waitForEvents(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(events())) {
        if (Date.now() > deadline) throw new Error(`Expected events did not arrive; got ${JSON.stringify(events())}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return events();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
