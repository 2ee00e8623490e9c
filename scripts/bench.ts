/**
 * `npm run bench`: every speed and size goal, measured in one run on the local stack (wrangler dev,
 * moto), each figure printed with its goal and "met" / "NOT met":
 *   P1  GET /api/projects/:p from the KV cache vs the uncached DescribeStacks + GetTemplate path,
 *       50 and 200 buckets (cached p99 < 20 ms, ≥ 50x faster);
 *   live 1,000 sockets open (< 10 s; BENCH_SOCKETS=10000: < 30 s, joins per 1,000 flat, all stay open, fan-out p99 < 300 ms), a bucket edit's PATCH acknowledged with them open (p50 within
 *       1.3x the 1-socket room), webhook → all 1,000 sockets (p99 < 100 ms), all closed at
 *       once then a webhook (202 in < 1 s) — each with the 1-socket room beside it for the ratio;
 *   ingest 100-event batches with duplicates (≥ 500 events/s per project);
 *   file activity: a 10,000-event burst of S3 object events in batches of 500 with duplicates
 *       (≥ 1,000 events/s per project) and its fold ratio (events per activity line);
 *   healing: CloudFormation calls per heal over 1,000 bucket stacks made outside Stackroom,
 *       unchanged (the DescribeStacks pages only) and after 10 updates (10 GetTemplate);
 *   size the Worker as `wrangler deploy` uploads it (≤ 150 KiB gzip).
 * BENCH_SOCKETS, BENCH_ROUNDS, BENCH_CACHED_SAMPLES, BENCH_UNCACHED_SAMPLES, BENCH_HEAL_STACKS tune the run;
 * BENCH_PARTS=live skips P1 (50 buckets are still made), BENCH_PARTS=live-only also the file
 * activity and the bundle size; BENCH_DEFLATE=1 makes the sockets offer
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
import { cloudFormationClient } from "../core/aws";
import { assumeRole } from "../core/aws/sts";
import { readProjectStacks } from "../durable-objects/heal";
import { ProjectRecord, ProjectView } from "../core/contract";

const LIVE_ONLY = process.env.BENCH_PARTS === "live-only";
const SIZES = process.env.BENCH_PARTS === "live" || LIVE_ONLY ? [50] : [50, 200];
const CACHED_SAMPLES = Number(process.env.BENCH_CACHED_SAMPLES ?? 400);
const UNCACHED_SAMPLES = Number(process.env.BENCH_UNCACHED_SAMPLES ?? 15);
const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const WORKER_GZIP_BUDGET_KIB = 150;
const HEAL_STACKS = Number(process.env.BENCH_HEAL_STACKS ?? 1000);
/** Workers KV's largest value: the project snapshot is one value. */
const KV_VALUE_LIMIT = 25 * 1024 * 1024;

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
  const floors: string[] = [];
  const sizes: string[] = [];
  const p1Met: boolean[] = [];
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
    const cached = await timed(CACHED_SAMPLES, async () => void (await (await fetch(`${stack.apiUrl}/api/projects/demo`, { headers })).arrayBuffer()));
    // The floor: the same HTTP round trip through wrangler dev to a route that does no work.
    const floor = await timed(CACHED_SAMPLES, async () => void (await (await fetch(`${stack.apiUrl}/api/health`)).arrayBuffer()));
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
    const [c50, c99, u50, u99] = [percentile(cached, 50), percentile(cached, 99), percentile(uncached, 50), percentile(uncached, 99)];
    const met = c99 < 20 && u99 / c99 >= 50;
    p1Met.push(met);
    floors.push(`${size} buckets: /api/health p50 ${ms(percentile(floor, 50))}, p99 ${ms(percentile(floor, 99))}`);
    rows.push(
      `${String(size).padStart(7)} | ${c50.toFixed(2).padStart(10)} | ${c99.toFixed(2).padStart(10)} | ${u50.toFixed(0).padStart(12)} | ${u99.toFixed(0).padStart(12)} | ${(u50 / c50).toFixed(0).padStart(8)}x | ${(u99 / c99).toFixed(0).padStart(8)}x | ${verdict(met)}`,
    );
  }
  report.push(`P1 — GET /api/projects/:p, cached (KV via wrangler dev, ${CACHED_SAMPLES} requests) vs uncached (DescribeStacks + GetTemplate per stack against moto, ${UNCACHED_SAMPLES} reads), ms
goal: cached p99 < 20 ms and the uncached path ≥ 50x slower
buckets | cached p50 | cached p99 | uncached p50 | uncached p99 | p50 ratio | p99 ratio | goal
${rows.join("\n")}
floor (HTTP through wrangler dev, no work): ${floors.join("; ")}
snapshot and ETag: ${sizes.join("; ")}`);

  // The live room.
  console.log(`measuring the live room with ${SOCKETS} sockets…`);
  const { seq } = ProjectView.parse(await (await fetch(`${stack.apiUrl}/api/projects/demo`, { headers })).json());
  const buckets = Array.from({ length: 50 }, (_, i) => `bench-${String(i).padStart(4, "0")}`);
  await seedAckBuckets({ apiUrl: stack.apiUrl, cookie, project });
  const live = await measureLive({ apiUrl: stack.apiUrl, cookie, project, webhookRoot, seq, buckets, workerPid: stack.pids.worker, deflate: process.env.BENCH_DEFLATE === "1" }, SOCKETS, ROUNDS);
  report.push(liveReport(live, SOCKETS, ROUNDS, verdict, process.env.BENCH_DEFLATE === "1"));
  if (!LIVE_ONLY) {
    console.log("measuring file activity (10,000 object events)…");
    const files = await measureFileBurst({ apiUrl: stack.apiUrl, cookie, project, webhookRoot }, "bench-0001");
    report.push(`File activity — ${files.accepted} object events into one bucket, ${files.batches} batches of up to 500 (a fifth of each after the first repeated)
ingest: ${files.eventsPerSecond.toFixed(0)} events/s (${files.accepted} accepted, ${files.duplicates} duplicates) — goal ≥ 1,000 events/s — ${verdict(files.eventsPerSecond >= 1_000)}
fold: ${files.lines} activity ${files.lines === 1 ? "line" : "lines"}, ${(files.accepted / Math.max(1, files.lines)).toFixed(0)} events per line — goal: a handful of lines, not one per file — ${verdict(files.lines > 0 && files.lines <= 5)}`);
    const single = await measureSingleEventPosts({ apiUrl: stack.apiUrl, project, webhookRoot }, "bench-0001");
    report.push(`File activity one event per POST (each S3 event its own SNS message and Lambda invocation, 16 at a time)
ingest: ${single.toFixed(0)} events/s — ${(files.eventsPerSecond / Math.max(1, single)).toFixed(1)}× slower than batches of 500 — goal ≥ 1,000 events/s — ${verdict(single >= 1_000)}`);
    // Last: its stacks become the demo room's buckets, which the parts above do not expect.
    console.log(`measuring healing over ${HEAL_STACKS} bucket stacks…`);
    const heal = await measureHeal({ apiUrl: stack.apiUrl, opsToken: stack.opsToken, project, cloudformation }, HEAL_STACKS);
    report.push(healReport(heal, verdict, HEAL_STACKS < 1000 ? ` — BENCH_HEAL_STACKS=${HEAL_STACKS}, not the 1,000 of the goal` : ""));
    report.push(workerSize());
  }
} finally {
  await stack.stop();
}
console.log(`\n${report.join("\n\n")}`);
