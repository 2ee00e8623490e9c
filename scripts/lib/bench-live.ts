/**
 * The live-room parts of `npm run bench`, measured against a running local stack (wrangler dev):
 * opening many sockets, an edit's acknowledgement while they watch, webhook → every socket, a
 * close storm followed by a webhook, and ingest of 100-event batches. Each figure is measured for a
 * 1-socket room too, for the ratio.
 */
import { performance } from "node:perf_hooks";
import { randomUUID } from "node:crypto";
import * as z from "zod";
import { SIGNATURE_HEADER, type ProjectRecord, type StackEvent } from "../../core/contract";
import { signBody } from "../../core/webhook-signature";
import { projectWebhookSecret } from "../../core/webhook-secret";
import { stackName } from "../../core/naming";
import { ListenerPool, type LoopDelay } from "./bench-listeners";
import { describeRaised, listeningPorts, openFds, processName, processTree, raiseNoFile } from "./process-fds";

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
  /** PID of wrangler dev: its processes' open-file limits are raised for the sockets, and their descriptors counted. */
  workerPid?: number;
}

export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** The bench's sockets: over this many listener processes, unless BENCH_CLIENTS says. */
export function clientProcesses(n: number): number {
  return Number(process.env.BENCH_CLIENTS ?? Math.min(4, Math.max(1, Math.ceil(n / 2_500))));
}
/** Handshakes in flight at once, over all listener processes (as before the split: 50). */
const OPEN_CONCURRENCY = 50;

interface OpenFigures {
  sockets: number;
  opened: number;
  ms: number;
  /** Sockets per slice: 1,000 from 2,000 sockets up, else a tenth. */
  sliceSize: number;
  /** Milliseconds per socket within each slice (time from the slice's first hello to its last). */
  slices: number[];
  /** Why sockets never said hello, with counts. */
  failed: Record<string, number>;
}

/**
 * Where the sockets connect: the Worker's own workerd, found among wrangler dev's processes by a
 * listening port that answers /api/health, unless BENCH_SOCKET_PATH=proxy. wrangler dev's entry
 * proxy (in front, on apiUrl) holds ~6 descriptors per WebSocket, and this machine's open-file
 * limit is 20,000 hard (no CAP_SYS_RESOURCE to raise it, even as root), so through it the proxy
 * dies at ~3,300 sockets with "accept: Too many open files". Production has no such proxy (the
 * edge hands the socket to the Worker). Webhooks and edits still go through the proxy.
 */
async function socketOrigin(apiUrl: string, stackPids: readonly number[]): Promise<{ origin: string; path: string; direct: boolean }> {
  const viaProxy = { origin: apiUrl, path: "through wrangler dev's entry proxy", direct: false };
  if (process.env.BENCH_SOCKET_PATH === "proxy") return viaProxy;
  const apiPort = Number(new URL(apiUrl).port);
  for (const pid of stackPids) {
    if (!processName(pid).startsWith("workerd")) continue;
    const ports = listeningPorts(pid);
    if (ports.includes(apiPort)) continue;
    for (const port of ports) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(2_000) });
        if (res.ok && JSON.stringify(await res.json()) === JSON.stringify({ ok: true })) return { origin: `http://127.0.0.1:${port}`, path: `straight to the Worker's workerd (port ${port}), not through wrangler dev's entry proxy`, direct: true };
      } catch {
        // not the Worker's HTTP entry
      }
    }
  }
  return { ...viaProxy, path: `${viaProxy.path} (the Worker's own port was not found)` };
}

/** Opens `n` sockets over the pool's processes; the room's join cost per slice comes from the hellos' times. */
async function openMany(target: LiveTarget, pool: ListenerPool, n: number, origin: string): Promise<OpenFigures> {
  const url = `${origin.replace(/^http/, "ws")}/api/projects/${target.project.id}/live?since=${target.seq}`;
  const processes = Math.min(pool.children.length, n);
  const t0 = performance.timeOrigin + performance.now();
  // As the app does: resume from the seq it has (here: the room's), so the room sends no snapshot.
  const answers = await Promise.all(
    Array.from({ length: processes }, (_, i) =>
      pool.ask(i, { type: "open", url, cookie: target.cookie, origin, count: Math.floor(n / processes) + (i < n % processes ? 1 : 0), concurrency: Math.max(1, Math.round(OPEN_CONCURRENCY / processes)), deflate: target.deflate ?? false }, "opened"),
    ),
  );
  const hellos = answers.flatMap((a) => a.hellos).sort((a, b) => a - b);
  const failed: Record<string, number> = {};
  for (const a of answers) for (const [why, count] of Object.entries(a.failed)) failed[why] = (failed[why] ?? 0) + count;
  const sliceSize = n >= 2_000 ? 1_000 : Math.max(1, Math.floor(n / 10));
  const slices: number[] = [];
  for (let from = 0; from + sliceSize <= hellos.length; from += sliceSize) {
    const start = from === 0 ? t0 : (hellos[from - 1] ?? t0);
    slices.push(((hellos[from + sliceSize - 1] ?? start) - start) / sliceSize);
  }
  return { sockets: n, opened: hellos.length, ms: (hellos.at(-1) ?? t0) - t0, sliceSize, slices, failed };
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
  const text = await res.text();
  const ms = performance.now() - t0;
  // wrangler dev's entry proxy answers in plain text when its request to the Worker's workerd broke: a reload after a
  // watched file changed, or (seen after 10,000 sockets closed at once, the same workerd still running) a dropped request.
  if (text.startsWith("Your worker restarted")) throw new Error(`wrangler dev's proxy lost the request to the Worker (a reload, or the Worker's workerd dropped it): ${text.slice(0, 60)}`);
  return { status: res.status, ms, body: JSON.parse(text) as unknown };
}

interface FanOut {
  /** Send → arrival per socket and webhook (ms). */
  latencies: number[];
  /** Deliveries that never came within 5 s (not in `latencies`). */
  missing: number;
}

/** Webhook → every listener: per-delivery latency (send → arrival) over `rounds` webhooks. */
async function fanOut(target: LiveTarget, pool: ListenerPool, rounds: number): Promise<FanOut> {
  const latencies: number[] = [];
  let missing = 0;
  for (let r = 0; r < rounds; r++) {
    const seq = Math.max(...(await pool.all({ type: "status", resetLoop: false }, "status")).map((s) => s.seq)) + 1;
    const sent = performance.timeOrigin + performance.now();
    const answer = await sendEvents(target, [flipEvent(target)]);
    if (answer.status !== 202) throw new Error(`webhook answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    for (const heard of await pool.all({ type: "await", seq, timeoutMs: 5_000 }, "arrivals")) {
      latencies.push(...heard.times.map((at) => at - sent));
      missing += heard.missing;
    }
  }
  return { latencies, missing };
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

interface Stayed {
  open: number;
  of: number;
  /** Sockets the server closed ("code reason") or that errored, after their hello. */
  closed: Record<string, number>;
  errors: Record<string, number>;
}

export interface LiveResults {
  client: { processes: number; pids: number[]; loop: LoopDelay; path: string };
  open: { one: OpenFigures; many: OpenFigures };
  /** The N sockets just before the close storm, after the edits and webhooks. */
  stayed: Stayed;
  /** Open descriptors per process of wrangler dev and the listeners with the N sockets open, and what the bench raised. */
  fds: { limits: string; counts: Array<{ pid: number; name: string; fds: number }> };
  ack: { one: number[]; many: number[] };
  fanOut: { one: FanOut; many: FanOut };
  /** The webhook's time after the storm, or why it failed. */
  closeStorm: { one: number; many: number | string };
  ingest: { eventsPerSecond: number; accepted: number; duplicates: number; batches: number };
}

/** Descriptors per socket in the process that holds most of them: wrangler dev's entry proxy ~6 (8 with room), the Worker's own workerd 1. */
const FDS_PER_SOCKET = { proxy: 8, direct: 1 };

/** Everything for `n` sockets and for a 1-socket room. */
export async function measureLive(target: LiveTarget, n: number, rounds: number): Promise<LiveResults> {
  const stackPids = target.workerPid ? processTree(target.workerPid) : [];
  const sockets = await socketOrigin(target.apiUrl, stackPids);
  // Before the listeners start: they inherit this process's limit.
  const wanted = FDS_PER_SOCKET[sockets.direct ? "direct" : "proxy"] * n + 4_096;
  const limits = describeRaised(raiseNoFile([...stackPids, process.pid], wanted), wanted);
  const pool = ListenerPool.start(clientProcesses(n));
  try {
    // Each listener has loaded its code and answers before anything is timed.
    await pool.all({ type: "status", resetLoop: true }, "status");
    const openOne = await openMany(target, pool, 1, sockets.origin);
    const ackOne = await acknowledge(target, rounds);
    const fanOne = await fanOut(target, pool, rounds);
    const closeOne = await closeStormThenWebhook(target, pool);

    const openAll = await openMany(target, pool, n, sockets.origin);
    const counts = [...stackPids, ...pool.pids].map((pid) => ({ pid, name: processName(pid), fds: openFds(pid) }));
    await new Promise((r) => setTimeout(r, 1_000)); // presence deltas of the joins have been told
    const ackMany = await acknowledge(target, rounds);
    await pool.all({ type: "status", resetLoop: true }, "status");
    const fanMany = await fanOut(target, pool, rounds);
    const statuses = await pool.all({ type: "status", resetLoop: false }, "status");
    const worst = statuses.reduce((w, s) => (s.loop.p99 > w.p99 ? s.loop : w), { p50: 0, p99: 0, max: 0 });
    const stayed: Stayed = { open: 0, of: openAll.opened, closed: {}, errors: {} };
    for (const s of statuses) {
      stayed.open += s.open;
      for (const [k, v] of Object.entries(s.closed)) stayed.closed[k] = (stayed.closed[k] ?? 0) + v;
      for (const [k, v] of Object.entries(s.errors)) stayed.errors[k] = (stayed.errors[k] ?? 0) + v;
    }
    // A failure here (wrangler dev restarted the Worker) is reported with the figures above, not instead of them.
    const closeMany = await closeStormThenWebhook(target, pool).catch((err: unknown) => (err instanceof Error ? err.message : String(err)));
    return {
      client: { processes: pool.children.length, pids: pool.pids, loop: worst, path: sockets.path },
      open: { one: openOne, many: openAll },
      stayed,
      fds: { limits, counts },
      ack: { one: ackOne, many: ackMany },
      fanOut: { one: fanOne, many: fanMany },
      closeStorm: { one: closeOne, many: closeMany },
      ingest: await ingest(target),
    };
  } finally {
    pool.stop();
  }
}

/** Closes every socket at once (an office's network drops), then times the next webhook's 202. */
async function closeStormThenWebhook(target: LiveTarget, pool: ListenerPool): Promise<number> {
  await pool.all({ type: "terminate" }, "terminated");
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

const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : 0)} ms`;
const counted = (counts: Record<string, number>) => Object.entries(counts).map(([why, n]) => `${n}× ${why}`).join(", ");

/**
 * The live part's lines of the bench report, each figure beside the 1-socket room's. Goals: at up
 * to 1,000 sockets open in < 10 s and webhook → all p99 < 100 ms; past that (issue 20's 10,000)
 * open in < 30 s and p99 < 300 ms; at any size every socket stays open and the last slice's join
 * costs at most 1.5x the first's per socket (flat).
 */
export function liveReport(live: LiveResults, n: number, rounds: number, verdict: (met: boolean) => string, deflate: boolean): string {
  const big = n > 1_000;
  const openGoal = big ? 30_000 : 10_000;
  const fanGoal = big ? 300 : 100;
  const { many, one } = live.open;
  const [first = NaN, last = NaN] = [many.slices[0], many.slices.at(-1)];
  const fan99 = percentile(live.fanOut.many.latencies, 99);
  const fanOne99 = percentile(live.fanOut.one.latencies, 99);
  const [ack50, ack99, ackOne50, ackOne99] = [percentile(live.ack.many, 50), percentile(live.ack.many, 99), percentile(live.ack.one, 50), percentile(live.ack.one, 99)];
  const perProcess = live.fds.counts.filter((c) => c.fds > 50).map((c) => `${c.name} ${c.fds} (${(c.fds / Math.max(1, many.opened)).toFixed(1)}/socket)`);
  const failed = many.opened < n ? ` — ${n - many.opened} never opened: ${counted(many.failed)}` : "";
  const gone = live.stayed.of - live.stayed.open;
  const storm = live.closeStorm.many;
  return `Live room — ${n} sockets vs 1 (${rounds} webhooks each for fan-out${deflate ? "; sockets offer permessage-deflate" : ""})
client: ${live.client.processes} Node listener ${live.client.processes === 1 ? "process" : "processes"} (ws, ~${Math.ceil(n / live.client.processes)} sockets each, ${OPEN_CONCURRENCY} handshakes in flight in all), sockets ${live.client.path}; worst event-loop delay during the fan-out p99 ${ms(live.client.loop.p99)}, max ${ms(live.client.loop.max)}
open-file limit of wrangler dev's processes and the bench: ${live.fds.limits}; descriptors with ${many.opened} open: ${perProcess.join(", ")}
open ${n} sockets:            ${ms(many.ms)} in total, ${ms(many.ms / Math.max(1, many.opened))} per socket (1 socket ${ms(one.ms)}) — goal < ${openGoal / 1000} s — ${verdict(many.opened === n && many.ms < openGoal)}${failed}
join cost per ${many.sliceSize}-socket slice (ms per socket): ${many.slices.map((v) => v.toFixed(2)).join(", ")}; first ${first.toFixed(2)}, last ${last.toFixed(2)} (${(last / first).toFixed(2)}x) — goal flat (last ≤ 1.5x first) — ${verdict(last / first <= 1.5)}
stayed open until the close storm: ${live.stayed.open} of ${live.stayed.of}${gone > 0 ? ` (closed: ${counted(live.stayed.closed) || "none reported"}${Object.keys(live.stayed.errors).length ? `; errors: ${counted(live.stayed.errors)}` : ""})` : ""} — goal all — ${verdict(live.stayed.of === n && gone === 0)}
edit acknowledged (PATCH → 202, ${live.ack.many.length} accepted edits): p50 ${ms(ack50)}, p99 ${ms(ack99)} with ${n} sockets; p50 ${ms(ackOne50)}, p99 ${ms(ackOne99)} with 1 — p50 ${(ack50 / ackOne50).toFixed(2)}x, p99 ${(ack99 / ackOne99).toFixed(2)}x — goal p50 ≤ 1.3x — ${verdict(ack50 / ackOne50 <= 1.3)}
webhook → all ${n} sockets:      p50 ${ms(percentile(live.fanOut.many.latencies, 50))}, p99 ${ms(fan99)} (${(fan99 / fanOne99).toFixed(1)}x the 1-socket room: p50 ${ms(percentile(live.fanOut.one.latencies, 50))}, p99 ${ms(fanOne99)})${live.fanOut.many.missing ? `, ${live.fanOut.many.missing} deliveries missing after 5 s` : ""} — goal p99 < ${fanGoal} ms — ${verdict(fan99 < fanGoal && live.fanOut.many.missing === 0)}
close all at once, then a webhook: ${typeof storm === "string" ? `failed: ${storm}` : `202 in ${ms(storm)} (${(storm / live.closeStorm.one).toFixed(1)}x the 1-socket room: ${ms(live.closeStorm.one)})`} — goal < 1 s — ${verdict(typeof storm === "number" && storm < 1_000)}
ingest, ${live.ingest.batches} batches of 100 events (a fifth repeated): ${live.ingest.eventsPerSecond.toFixed(0)} events/s (${live.ingest.accepted} accepted, ${live.ingest.duplicates} duplicates) — goal ≥ 500 events/s — ${verdict(live.ingest.eventsPerSecond >= 500)}`;
}
