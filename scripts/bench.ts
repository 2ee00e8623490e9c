/**
 * `npm run bench`: every speed and size goal, measured in one run on the local stack (wrangler dev,
 * moto), each figure printed with its goal and "met" / "NOT met":
 *   P1  GET /api/projects/:p from the KV cache beside /api/health (no work) in one loop, 50 and 200
 *       buckets (cached p99 < 20 ms and within 2x the no-op's p99), the uncached DescribeStacks +
 *       GetTemplate read for scale;
 *   live 1,000 sockets open (< 10 s; BENCH_SOCKETS=10000: < 30 s, joins per 1,000 flat, all stay open, fan-out p99 < 300 ms), a bucket edit's PATCH acknowledged with them open (p50 within
 *       1.3x the 1-socket room), webhook → all 1,000 sockets (p99 < 100 ms), all closed at
 *       once then a webhook (202 in < 1 s) — each with the 1-socket room beside it for the ratio;
 *   ingest 100-event batches with duplicates (≥ 500 events/s per project);
 *   file activity: a 10,000-event burst of S3 object events in batches of 500 with duplicates
 *       (≥ 1,000 events/s per project) and its fold ratio (events per activity line);
 *   healing: CloudFormation calls per heal over 1,000 bucket stacks made outside Stackroom,
 *       unchanged (the DescribeStacks pages only) and after 10 updates (10 GetTemplate);
 *   big project: 1,000 buckets and 1,000 users (stacks made in moto, healed in), the snapshot's size
 *       under KV's 25 MiB, cached GET p99 within 2x /api/health's p99 (interleaved), the 304;
 *   size the Worker as `wrangler deploy` uploads it (≤ 150 KiB gzip).
 * BENCH_SOCKETS, BENCH_ROUNDS, BENCH_CACHED_SAMPLES, BENCH_UNCACHED_SAMPLES, BENCH_HEAL_STACKS,
 * BENCH_BIG_BUCKETS, BENCH_BIG_USERS tune the run;
 * BENCH_PARTS=live skips P1 (50 buckets are still made), BENCH_PARTS=live-only also the file
 * activity, healing, the big project and the bundle size; BENCH_PARTS=big runs the big project
 * alone; BENCH_DEFLATE=1 makes the sockets offer
 * permessage-deflate, to see what per-socket compression would cost.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { ROOT, startStack } from "./lib/stack";
import { DEMO } from "./lib/demo";
import { bundleWorker } from "./lib/worker-bundle";
import { liveReport, measureLive, percentile, seedAckBuckets } from "./lib/bench-live";
import { measureFileBurst, measureSingleEventPosts } from "./lib/bench-files";
import { healReport, measureHeal } from "./lib/bench-heal";
import { bigReport, measureBig } from "./lib/bench-big";
import { KV_VALUE_LIMIT_BYTES as KV_VALUE_LIMIT } from "../core/kv-documents";
import { cloudFormationClient } from "../core/aws";
import { assumeRole } from "../core/aws/sts";
import { readProjectStacks } from "../durable-objects/heal";
import { ProjectRecord, ProjectView } from "../core/contract";

const LIVE_ONLY = process.env.BENCH_PARTS === "live-only";
const BIG_ONLY = process.env.BENCH_PARTS === "big";
const SIZES = BIG_ONLY ? [] : process.env.BENCH_PARTS === "live" || LIVE_ONLY ? [50] : [50, 200];
const CACHED_SAMPLES = Number(process.env.BENCH_CACHED_SAMPLES ?? 400);
const UNCACHED_SAMPLES = Number(process.env.BENCH_UNCACHED_SAMPLES ?? 15);
const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const WORKER_GZIP_BUDGET_KIB = 150;
const HEAL_STACKS = Number(process.env.BENCH_HEAL_STACKS ?? 1000);
const BIG_BUCKETS = Number(process.env.BENCH_BIG_BUCKETS ?? 1000);
const BIG_USERS = Number(process.env.BENCH_BIG_USERS ?? 1000);

const verdict = (met: boolean) => (met ? "met" : "NOT met");
const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : 0)} ms`;

async function timed(n: number, run: () => Promise<void>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await run();
    samples.push(performance.now() - t0);
  }
  return samples;
}

function workerSize(): string {
  const out = mkdtempSync(join(tmpdir(), "stackroom-bench-worker-"));
  try {
    const { gzipBytes, bytes } = bundleWorker(ROOT, out);
    const kib = gzipBytes / 1024;
    return `Worker bundle (wrangler deploy --dry-run): ${kib.toFixed(1)} KiB gzip (${(bytes / 1024).toFixed(0)} KiB minified), ${((kib / WORKER_GZIP_BUDGET_KIB) * 100).toFixed(0)}% of the ${WORKER_GZIP_BUDGET_KIB} KiB budget — ${verdict(kib <= WORKER_GZIP_BUDGET_KIB)}`;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

// The bench signs webhooks with a root secret of its own, in the Worker's rotation slot.
const webhookRoot = randomBytes(24).toString("hex");
const stack = await startStack({ app: false, quiet: true, workerVars: { WEBHOOK_SECRET_PREVIOUS: webhookRoot } });
const report: string[] = [];
/** A part's lines, printed as soon as measured (a later part that fails loses none) and again in the summary. */
const reportPart = (text: string) => {
  report.push(text);
  console.log(`\n${text}\n`);
};
try {
  const login = await fetch(`${stack.apiUrl}/api/dev/login`, { method: "POST", headers: { "content-type": "application/json", origin: stack.apiUrl }, body: JSON.stringify({ email: "alice@example.com" }) });
  const cookie = login.headers.get("set-cookie")?.split(";")[0] ?? "";
  const headers = { cookie, "content-type": "application/json", origin: stack.apiUrl };
  const ops = await (await fetch(`${stack.apiUrl}/api/ops/projects`, { headers: { authorization: `Bearer ${stack.opsToken}` } })).json();
  const project = ProjectRecord.array().parse((ops as { projects: unknown }).projects).find((p) => p.id === DEMO.id);
  if (!project) throw new Error("demo project missing");
  const hub = { accessKeyId: "AKIASTACKROOMBENCH01", secretAccessKey: "bench" };
  const creds = await assumeRole({ hubCredentials: hub, roleArn: project.roleArn, externalId: project.externalId, sessionName: "bench", region: project.region, endpoint: stack.motoEndpoint });
  const cloudformation = cloudFormationClient({ region: project.region, credentials: creds, endpoint: stack.motoEndpoint });

  // P1: cached vs uncached reads.
  const rows: string[] = [];
  const uncachedLines: string[] = [];
  const sizes: string[] = [];
  let created = 0;
  for (const size of SIZES) {
    const t0 = performance.now();
    for (; created < size; created++) {
      const res = await fetch(`${stack.apiUrl}/api/projects/demo/buckets`, { method: "POST", headers, body: JSON.stringify({ name: `bench-${String(created).padStart(4, "0")}` }) });
      if (res.status !== 202) throw new Error(`create failed: ${res.status} ${await res.text()}`);
    }
    // Wait until the KV snapshot shows every bucket ready (the room writes it at most once per second).
    for (;;) {
      const view = ProjectView.parse(await (await fetch(`${stack.apiUrl}/api/projects/demo`, { headers })).json());
      if (view.buckets.length === size && view.buckets.every((b) => b.status === "ready")) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    console.log(`seeded ${size} buckets in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await timed(20, async () => void (await (await fetch(`${stack.apiUrl}/api/projects/demo`, { headers })).arrayBuffer())); // warm-up
    // The floor: the same HTTP round trip through wrangler dev to a route that does no work,
    // measured in the same loop (one each in turn) so both see the same machine noise.
    const cached: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < CACHED_SAMPLES; i++) {
      cached.push(...(await timed(1, async () => void (await (await fetch(`${stack.apiUrl}/api/projects/demo`, { headers })).arrayBuffer()))));
      floor.push(...(await timed(1, async () => void (await (await fetch(`${stack.apiUrl}/api/health`)).arrayBuffer()))));
    }
    const uncached = await timed(UNCACHED_SAMPLES, async () => {
      const stacks = (await readProjectStacks(cloudformation, project)).get("bucket") ?? [];
      if (stacks.length !== size) throw new Error(`uncached read saw ${stacks.length} stacks, expected ${size}`);
    });
    // A client whose copy is current: If-None-Match with the view's ETag, answered 304 without parsing the snapshot.
    const answer = await fetch(`${stack.apiUrl}/api/projects/demo`, { headers });
    const etag = answer.headers.get("etag") ?? "";
    const viewBytes = (await answer.arrayBuffer()).byteLength;
    const revalidated = await timed(CACHED_SAMPLES, async () => {
      const res = await fetch(`${stack.apiUrl}/api/projects/demo`, { headers: { ...headers, "if-none-match": etag } });
      if (res.status !== 304) throw new Error(`revalidation answered ${res.status}, not 304`);
      await res.arrayBuffer();
    });
    sizes.push(`${size} buckets: view ${(viewBytes / 1024).toFixed(1)} KiB (${(viewBytes / size).toFixed(0)} B per bucket; at that rate 2,000 resources ≈ ${((viewBytes / size) * 2000 / 1024 / 1024).toFixed(2)} MiB, ${(KV_VALUE_LIMIT / ((viewBytes / size) * 2000)).toFixed(0)}× under KV's 25 MiB value limit); revalidation 304 p50 ${ms(percentile(revalidated, 50))}, p99 ${ms(percentile(revalidated, 99))}`);
    const [c50, c99, f50, f99, u50, u99] = [percentile(cached, 50), percentile(cached, 99), percentile(floor, 50), percentile(floor, 99), percentile(uncached, 50), percentile(uncached, 99)];
    // Each half of the goal with its own verdict: on a loaded machine the no-op's own p99 can pass 20 ms.
    const goal = `< 20 ms: ${verdict(c99 < 20)}, within 2x: ${verdict(c99 <= 2 * f99)}`;
    uncachedLines.push(`${size} buckets: uncached p50 ${ms(u50)}, p99 ${ms(u99)} — ${(u50 / c50).toFixed(0)}x the cached p50, ${(u99 / c99).toFixed(0)}x its p99 (the old goal ≥ 50x: ${verdict(u99 / c99 >= 50)})`);
    rows.push(
      `${String(size).padStart(7)} | ${c50.toFixed(2).padStart(10)} | ${c99.toFixed(2).padStart(10)} | ${f50.toFixed(2).padStart(10)} | ${f99.toFixed(2).padStart(10)} | ${(c99 / f99).toFixed(2).padStart(8)}x | ${goal}`,
    );
  }
  if (SIZES.length) reportPart(`P1 — GET /api/projects/:p from the KV cache beside /api/health (a route that does no work, same server, the two requests taken in turn, ${CACHED_SAMPLES} each), ms
goal (issue 20): cached p99 < 20 ms and within 2x /api/health's p99
buckets | cached p50 | cached p99 | health p50 | health p99 | p99 ratio | goal
${rows.join("\n")}
the uncached path (DescribeStacks + GetTemplate per stack against moto, 4 templates at a time as healing reads them, ${UNCACHED_SAMPLES} reads), for scale: ${uncachedLines.join("; ")}
snapshot and ETag: ${sizes.join("; ")}`);

  // The live room.
  if (!BIG_ONLY) {
    console.log(`measuring the live room with ${SOCKETS} sockets…`);
    const { seq } = ProjectView.parse(await (await fetch(`${stack.apiUrl}/api/projects/demo`, { headers })).json());
    const buckets = Array.from({ length: 50 }, (_, i) => `bench-${String(i).padStart(4, "0")}`);
    await seedAckBuckets({ apiUrl: stack.apiUrl, cookie, project });
    const live = await measureLive({ apiUrl: stack.apiUrl, cookie, project, webhookRoot, seq, buckets, workerPid: stack.pids.worker, deflate: process.env.BENCH_DEFLATE === "1" }, SOCKETS, ROUNDS);
    reportPart(liveReport(live, SOCKETS, ROUNDS, verdict, process.env.BENCH_DEFLATE === "1"));
  }
  if (!LIVE_ONLY && !BIG_ONLY) {
    console.log("measuring file activity (10,000 object events)…");
    const files = await measureFileBurst({ apiUrl: stack.apiUrl, cookie, project, webhookRoot }, "bench-0001");
    reportPart(`File activity — ${files.accepted} object events into one bucket, ${files.batches} batches of up to 500 (a fifth of each after the first repeated)
ingest: ${files.eventsPerSecond.toFixed(0)} events/s (${files.accepted} accepted, ${files.duplicates} duplicates) — goal ≥ 1,000 events/s — ${verdict(files.eventsPerSecond >= 1_000)}
fold: ${files.lines} activity ${files.lines === 1 ? "line" : "lines"}, ${(files.accepted / Math.max(1, files.lines)).toFixed(0)} events per line — goal: a handful of lines, not one per file — ${verdict(files.lines > 0 && files.lines <= 5)}`);
    const single = await measureSingleEventPosts({ apiUrl: stack.apiUrl, project, webhookRoot }, "bench-0001");
    reportPart(`File activity one event per POST (each S3 event its own SNS message and Lambda invocation, 16 at a time)
ingest: ${single.toFixed(0)} events/s — ${(files.eventsPerSecond / Math.max(1, single)).toFixed(1)}× slower than batches of 500 — goal ≥ 1,000 events/s — ${verdict(single >= 1_000)}`);
    // Last: its stacks become the demo room's buckets, which the parts above do not expect.
    console.log(`measuring healing over ${HEAL_STACKS} bucket stacks…`);
    const heal = await measureHeal({ apiUrl: stack.apiUrl, opsToken: stack.opsToken, project, cloudformation }, HEAL_STACKS);
    reportPart(healReport(heal, verdict, HEAL_STACKS < 1000 ? ` — BENCH_HEAL_STACKS=${HEAL_STACKS}, not the 1,000 of the goal` : ""));
  }
  if (!LIVE_ONLY) {
    // In a project of its own, so the parts above (the demo project's buckets) are not counted in it.
    console.log(`measuring a project of ${BIG_BUCKETS} buckets and ${BIG_USERS} users…`);
    const big = await measureBig({ apiUrl: stack.apiUrl, opsToken: stack.opsToken, demo: project, cloudformation, headers }, BIG_BUCKETS, BIG_USERS, CACHED_SAMPLES);
    const short = BIG_BUCKETS < 1000 || BIG_USERS < 1000 ? ` — BENCH_BIG_BUCKETS/USERS=${BIG_BUCKETS}/${BIG_USERS}, not the 1,000/1,000 of the goal` : "";
    reportPart(bigReport(big, verdict, short));
  }
  if (!LIVE_ONLY && !BIG_ONLY) reportPart(workerSize());
} finally {
  await stack.stop();
}
console.log(`\n${report.join("\n\n")}`);
