/**
 * The live-room parts of `npm run bench`, measured against a running local stack (wrangler dev):
 * opening many sockets, an edit's acknowledgement while they watch, webhook → every socket, a
 * close storm followed by a webhook, and ingest of 100-event batches. Each figure is measured for a
 * 1-socket room too, for the ratio.
 */
import { performance } from "node:perf_hooks";
import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import * as z from "zod";
import { LiveFrame, SIGNATURE_HEADER, type ProjectRecord, type StackEvent } from "../../core/contract";
import { signBody } from "../../core/webhook-signature";
import { projectWebhookSecret } from "../../core/webhook-secret";
import { stackName } from "../../core/naming";

/** A change frame starts `{"type":"change","seq":N` (room-view: frames are built with these keys first). */
const CHANGE_SEQ = /^\{"type":"change","seq":(\d+)/;

export interface LiveTarget {
  /** The room's seq when the bench starts (sockets resume from the latest one seen, as the app does). */
  seq: number;
  apiUrl: string;
  cookie: string;
  project: ProjectRecord;
  /** A root webhook secret the Worker accepts (installed in its rotation slot for the bench). */
  webhookRoot: string;
  /** Offer permessage-deflate (default false; BENCH_DEFLATE=1 shows what it costs). */
  deflate?: boolean;
  /** Buckets of the project whose stack events the bench sends (each flips state every time). */
  buckets: string[];
}

export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** One live socket: resolves once the room said hello; records when each change seq arrived. */
interface Listener {
  socket: WebSocket;
  arrivals: Map<number, number>;
  /** The room's seq as this socket last heard it (hello, then each change). */
  seq: number;
}

function openSocket(target: LiveTarget): Promise<Listener> {
  // As the app does: resume from the seq it has (here: the room's), so the room sends no snapshot.
  const url = `${target.apiUrl.replace(/^http/, "ws")}/api/projects/${target.project.id}/live?since=${target.seq}`;
  // No permessage-deflate, as in production: wrangler.toml's no_web_socket_compression keeps the
  // room from deflating each frame once per socket, but wrangler dev's own entry proxy would still
  // negotiate it with a client that offers it.
  const socket = new WebSocket(url, { headers: { cookie: target.cookie }, origin: target.apiUrl, perMessageDeflate: target.deflate ?? false });
  const listener: Listener = { socket, arrivals: new Map(), seq: 0 };
  return new Promise((resolve, reject) => {
    socket.on("message", (data) => {
      // The arrival time first: a thousand sockets in one Node process must not measure their own parsing.
      const at = performance.now();
      const text = data.toString();
      const change = CHANGE_SEQ.exec(text);
      if (change) {
        const seq = Number(change[1]);
        listener.arrivals.set(seq, at);
        listener.seq = Math.max(listener.seq, seq);
        target.seq = Math.max(target.seq, seq);
        return;
      }
      if (text === "pong") return;
      const frame = LiveFrame.safeParse(JSON.parse(text));
      if (frame.success && frame.data.type === "hello") {
        listener.seq = Math.max(listener.seq, frame.data.seq);
        target.seq = Math.max(target.seq, frame.data.seq);
        resolve(listener);
      }
    });
    socket.once("error", reject);
    socket.once("close", (code) => reject(new Error(`socket closed with ${code} before hello`)));
  });
}

/** Opens `n` sockets, 50 at a time; answers the total time. */
async function openMany(target: LiveTarget, n: number, into: Listener[]): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i += 50) {
    into.push(...(await Promise.all(Array.from({ length: Math.min(50, n - i) }, () => openSocket(target)))));
  }
  return performance.now() - t0;
}

let sent = 0;
const flips = new Map<string, number>();
/** Set at the first event: after the buckets' own creation events, so every bench event is the newest. */
let t0Events: number | undefined;

/** A stack-level event for a bench bucket (round robin) that changes its state (updating ↔ ready). */
function flipEvent(target: LiveTarget): StackEvent {
  sent++;
  t0Events ??= Date.now();
  const bucket = target.buckets[sent % target.buckets.length] ?? "";
  const flip = (flips.get(bucket) ?? 0) + 1;
  flips.set(bucket, flip);
  const stack = stackName(target.project.id, "bucket", bucket);
  return {
    stackId: `arn:aws:cloudformation:${target.project.region}:${target.project.accountId}:stack/${stack}/bench`,
    stackName: stack,
    eventId: randomUUID(),
    logicalResourceId: stack,
    resourceType: "AWS::CloudFormation::Stack",
    resourceStatus: flip % 2 === 1 ? "UPDATE_IN_PROGRESS" : "UPDATE_COMPLETE",
    // Strictly increasing and never in the future (the webhook refuses > 5 min ahead).
    timestamp: new Date(t0Events + sent).toISOString(),
    namespace: target.project.accountId,
  };
}

/** POSTs events to the project's webhook, signed like its bridge; answers status and time. */
async function sendEvents(target: LiveTarget, events: StackEvent[]): Promise<{ status: number; ms: number; body: unknown }> {
  return sendSigned(target, "cloudformation", { events });
}

/** POSTs a batch to one of the project's webhooks (`/webhooks/<source>/:project`), signed like its bridge. */
export async function sendSigned(target: Pick<LiveTarget, "apiUrl" | "project" | "webhookRoot">, source: "cloudformation" | "objects", batch: object): Promise<{ status: number; ms: number; body: unknown }> {
  const body = JSON.stringify(batch);
  const secret = await projectWebhookSecret(target.webhookRoot, target.project.id, target.project.webhookSecretVersion);
  const t0 = performance.now();
  const res = await fetch(`${target.apiUrl}/webhooks/${source}/${target.project.id}`, {
    method: "POST",
    headers: { "content-type": "application/json", [SIGNATURE_HEADER]: await signBody(body, [secret], Date.now() / 1000) },
    body,
  });
  const answer: unknown = await res.json();
  return { status: res.status, ms: performance.now() - t0, body: answer };
}

/** Webhook → every listener: per-delivery latency (send → arrival) over `rounds` webhooks. */
async function fanOut(target: LiveTarget, listeners: Listener[], rounds: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const seq = Math.max(...listeners.map((l) => l.seq)) + 1;
    const sent = performance.now();
    const answer = await sendEvents(target, [flipEvent(target)]);
    if (answer.status !== 202) throw new Error(`webhook answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    const deadline = performance.now() + 5_000;
    while (listeners.some((l) => !l.arrivals.has(seq)) && performance.now() < deadline) await new Promise((res) => setTimeout(res, 2));
    for (const l of listeners) latencies.push((l.arrivals.get(seq) ?? performance.now() + 5_000) - sent);
  }
  return latencies;
}

const Ingested = z.object({ accepted: z.number(), duplicates: z.number() });

/** The bench's own buckets for edits: the flip events never touch them, so every edit is accepted. */
const ACK_BUCKETS = Array.from({ length: 10 }, (_, i) => `ack-${String(i).padStart(2, "0")}`);

/** Creates the edit buckets and waits until each is ready (its create's completion came back). */
export async function seedAckBuckets(target: Pick<LiveTarget, "apiUrl" | "cookie" | "project">): Promise<void> {
  const headers = { cookie: target.cookie, "content-type": "application/json", origin: target.apiUrl };
  for (const name of ACK_BUCKETS) {
    const res = await fetch(`${target.apiUrl}/api/projects/${target.project.id}/buckets`, { method: "POST", headers, body: JSON.stringify({ name }) });
    if (res.status !== 202) throw new Error(`creating ${name} answered ${res.status}: ${await res.text()}`);
  }
  for (const name of ACK_BUCKETS) await acceptedEdit(target, name, 1);
}

let edits = 0;
/**
 * One `PATCH` of a bucket's expiry (a new value each time, so it is a real change), timed from send
 * to answer. `queue: false` makes a bucket still busy with its previous edit answer 409 rather than
 * queue: that answer is not counted and the edit is sent again once the bridge completed the other.
 */
async function acceptedEdit(target: Pick<LiveTarget, "apiUrl" | "cookie" | "project">, bucket: string, days = 2 + (edits++ % 3000)): Promise<number> {
  const headers = { cookie: target.cookie, "content-type": "application/json", origin: target.apiUrl };
  const deadline = performance.now() + 30_000;
  for (;;) {
    const t0 = performance.now();
    const res = await fetch(`${target.apiUrl}/api/projects/${target.project.id}/buckets/${bucket}`, { method: "PATCH", headers, body: JSON.stringify({ expireAfterDays: days, queue: false }) });
    const ms = performance.now() - t0;
    const body = await res.text();
    if (res.status === 202) return ms;
    if (res.status !== 409 || performance.now() > deadline) throw new Error(`PATCH ${bucket} answered ${res.status}: ${body}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `rounds` accepted edits round robin over the edit buckets; answers each one's acknowledgement time. */
async function acknowledge(target: LiveTarget, rounds: number): Promise<number[]> {
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    samples.push(await acceptedEdit(target, ACK_BUCKETS[r % ACK_BUCKETS.length] ?? ""));
    // The bridge completes each edit at once; its frames fan out before the next edit is timed.
    await new Promise((res) => setTimeout(res, 300));
  }
  return samples;
}

interface LiveResults {
  open: { one: number; many: number };
  ack: { one: number[]; many: number[] };
  fanOut: { one: number[]; many: number[] };
  closeStorm: { one: number; many: number };
  ingest: { eventsPerSecond: number; accepted: number; duplicates: number; batches: number };
}

/** Everything for `n` sockets and for a 1-socket room. */
export async function measureLive(target: LiveTarget, n: number, rounds: number): Promise<LiveResults> {
  const single: Listener[] = [];
  const openOne = await openMany(target, 1, single);
  const ackOne = await acknowledge(target, rounds);
  const fanOne = await fanOut(target, single, rounds);
  const closeOne = await closeStormThenWebhook(target, single);

  const many: Listener[] = [];
  const openAll = await openMany(target, n, many);
  await new Promise((r) => setTimeout(r, 1_000)); // presence deltas of the joins have been told
  const ackMany = await acknowledge(target, rounds);
  const fanMany = await fanOut(target, many, rounds);
  const closeMany = await closeStormThenWebhook(target, many);

  return { open: { one: openOne, many: openAll }, ack: { one: ackOne, many: ackMany }, fanOut: { one: fanOne, many: fanMany }, closeStorm: { one: closeOne, many: closeMany }, ingest: await ingest(target) };
}

/** Closes every socket at once (an office's network drops), then times the next webhook's 202. */
async function closeStormThenWebhook(target: LiveTarget, listeners: Listener[]): Promise<number> {
  for (const l of listeners) l.socket.terminate();
  const answer = await sendEvents(target, [flipEvent(target)]);
  if (answer.status !== 202) throw new Error(`webhook after the close storm answered ${answer.status}`);
  return answer.ms;
}

/** 100-event batches (a fifth of each batch repeats the previous one's events: dedupe is part of it). */
async function ingest(target: LiveTarget): Promise<LiveResults["ingest"]> {
  const BATCHES = 30;
  let previous: StackEvent[] = [];
  let accepted = 0;
  let duplicates = 0;
  const t0 = performance.now();
  for (let b = 0; b < BATCHES; b++) {
    const fresh = Array.from({ length: 80 }, () => flipEvent(target));
    const batch = [...fresh, ...previous.slice(0, 20)];
    previous = fresh;
    const answer = await sendEvents(target, batch);
    if (answer.status !== 202) throw new Error(`ingest batch answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    const counts = Ingested.parse(answer.body);
    accepted += counts.accepted;
    duplicates += counts.duplicates;
  }
  const seconds = (performance.now() - t0) / 1000;
  return { eventsPerSecond: (accepted + duplicates) / seconds, accepted, duplicates, batches: BATCHES };
}
