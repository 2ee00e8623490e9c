/**
 * `npm run bench`: how fast is a project read from the KV cache (GET /api/projects/:p through
 * wrangler dev) compared with the uncached path the design replaced (DescribeStacks + GetTemplate
 * for every stack, here against moto), at 50 and 200 buckets. Prints p50/p99 and the ratios.
 * Goal (issue 2): cached p99 < 20 ms locally and ≥ 50x faster than uncached.
 */
import { performance } from "node:perf_hooks";
import { startStack } from "./lib/stack";
import { DEMO } from "./lib/demo";
import { cloudFormationClient } from "../worker/aws";
import { assumeRole } from "../worker/aws/sts";
import { readProjectStacks } from "../durable-objects/stack-reader";
import { ProjectRecord, ProjectView } from "../worker/domain/contract";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./lib/stack";
import { bundleWorker } from "./lib/worker-bundle";

/** The Worker's gzip size budget (issue 8): what `wrangler deploy` uploads. */
const WORKER_GZIP_BUDGET_KIB = 150;

function workerBundleLine(): string {
  const out = mkdtempSync(join(tmpdir(), "stackroom-bench-worker-"));
  try {
    const { gzipBytes, bytes } = bundleWorker(ROOT, out);
    const kib = gzipBytes / 1024;
    return `Worker bundle (wrangler deploy --dry-run): ${kib.toFixed(1)} KiB gzip (${(bytes / 1024).toFixed(1)} KiB minified); budget ${WORKER_GZIP_BUDGET_KIB} KiB, ${((kib / WORKER_GZIP_BUDGET_KIB) * 100).toFixed(0)}% of it — ${kib <= WORKER_GZIP_BUDGET_KIB ? "met" : "NOT met"}`;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const SIZES = [50, 200];
const CACHED_SAMPLES = Number(process.env.BENCH_CACHED_SAMPLES ?? 400);
const UNCACHED_SAMPLES = Number(process.env.BENCH_UNCACHED_SAMPLES ?? 15);

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function timed(n: number, run: () => Promise<void>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await run();
    samples.push(performance.now() - t0);
  }
  return samples;
}

const stack = await startStack({ app: false, quiet: true });
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

  const rows: string[] = [];
  const floors: string[] = [];
  let created = 0;
  for (const size of SIZES) {
    const t0 = performance.now();
    for (; created < size; created++) {
      const res = await fetch(`${stack.apiUrl}/api/projects/demo/buckets`, { method: "POST", headers, body: JSON.stringify({ name: `bench-${String(created).padStart(4, "0")}` }) });
      if (res.status !== 202) throw new Error(`create failed: ${res.status} ${await res.text()}`);
    }
    // Wait until the KV snapshot shows every bucket ready (room writes it at most once per second).
    for (;;) {
      const view = ProjectView.parse(await (await fetch(`${stack.apiUrl}/api/projects/demo`, { headers })).json());
      if (view.buckets.length === size && view.buckets.every((b) => b.status === "ready")) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    console.log(`seeded ${size} buckets in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    await timed(20, async () => void (await (await fetch(`${stack.apiUrl}/api/projects/demo`, { headers })).arrayBuffer())); // warm-up
    const cached = await timed(CACHED_SAMPLES, async () => {
      const res = await fetch(`${stack.apiUrl}/api/projects/demo`, { headers });
      await res.arrayBuffer();
    });
    // The floor: the same HTTP round trip through wrangler dev to a route that does no work.
    const floor = await timed(CACHED_SAMPLES, async () => void (await (await fetch(`${stack.apiUrl}/api/health`)).arrayBuffer()));
    const uncached = await timed(UNCACHED_SAMPLES, async () => {
      const stacks = (await readProjectStacks(cloudformation, project)).buckets;
      if (stacks.length !== size) throw new Error(`uncached read saw ${stacks.length} stacks, expected ${size}`);
    });
    const [c50, c99, u50, u99] = [percentile(cached, 50), percentile(cached, 99), percentile(uncached, 50), percentile(uncached, 99)];
    floors.push(`${size} buckets: /api/health p50 ${percentile(floor, 50).toFixed(2)} ms, p99 ${percentile(floor, 99).toFixed(2)} ms`);
    rows.push(
      `${String(size).padStart(7)} | ${c50.toFixed(2).padStart(9)} | ${c99.toFixed(2).padStart(9)} | ${u50.toFixed(0).padStart(11)} | ${u99.toFixed(0).padStart(11)} | ${(u50 / c50).toFixed(0).padStart(8)}x | ${(u99 / c99).toFixed(0).padStart(8)}x`,
    );
  }
  console.log(`
GET /api/projects/:p — cached (KV via wrangler dev, ${CACHED_SAMPLES} requests) vs uncached (DescribeStacks + GetTemplate per stack against moto, ${UNCACHED_SAMPLES} reads), milliseconds
buckets | cached p50 | cached p99 | uncached p50 | uncached p99 | p50 ratio | p99 ratio
${rows.join("\n")}
goal: cached p99 < 20 ms and ≥ 50x faster than uncached
floor (HTTP through wrangler dev, no work): ${floors.join("; ")}

${workerBundleLine()}`);
} finally {
  await stack.stop();
}
