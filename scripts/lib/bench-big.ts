/**
 * The big-project part of `npm run bench` (issue 20): a project that really holds 1,000 buckets and
 * 1,000 users. Their stacks are made straight in CloudFormation (moto) with the real templates and
 * tags — buckets as bench-heal.ts makes them, users with 1–5 grants over those buckets — in a
 * project of their own (so the other parts' buckets are not counted), healed in through the ops
 * resync, and read once `GET /api/projects/:p` shows every one. Then: the snapshot's size and its
 * headroom under KV's value limit, the cached read beside the no-op route (`/api/health`) in one
 * interleaved loop (both see the same machine noise), and the 304 of an unchanged snapshot.
 */
import { performance } from "node:perf_hooks";
import type { CloudFormationClient } from "../../core/aws";
import { mapBounded } from "../../core/bounded";
import { ProjectView, type BucketSpec, type Permission, type ProjectRecord, type UserSpec } from "../../core/contract";
import { KV_VALUE_LIMIT_BYTES as KV_VALUE_LIMIT } from "../../core/kv-documents";
import { TEMPLATE_READS_PER_HEAL } from "../../durable-objects/heal";
import { bucketStackInput } from "../../core/bucket-template";
import { clientStackInput } from "../../core/stack-input";
import { userStackInput } from "../../core/user-template";
import { healOnce, healUntilDone, type HealAnswer } from "./bench-heal";
import { percentile } from "./bench-live";


export interface BigTarget {
  apiUrl: string;
  opsToken: string;
  /** The demo project: the big one takes its AWS side (account, roles, topic). */
  demo: ProjectRecord;
  cloudformation: CloudFormationClient;
  /** Alice's session (an owner of the big project too). */
  headers: Record<string, string>;
}

export interface BigResults {
  projectId: string;
  buckets: number;
  users: number;
  grants: number;
  seedSeconds: number;
  heal: HealAnswer & { ms: number; passes: number; largestPass: number };
  /** A second heal with nothing changed: the listing's cost alone. */
  unchanged: HealAnswer & { ms: number };
  /** From the resync's start until the view showed every resource (the room writes the snapshot at most once a second). */
  visibleSeconds: number;
  viewBytes: number;
  samples: number;
  cached: number[];
  floor: number[];
  revalidated: number[];
}

const pad = (i: number) => String(i).padStart(4, "0");

/** 1–5 grants for user `i`, over distinct buckets, spread over all of them (deterministic). */
function grantsOf(i: number, buckets: readonly string[]): Permission[] {
  const count = 1 + (i % 5);
  const access = ["read", "write", "readwrite"] as const;
  return Array.from({ length: count }, (_, g) => {
    const bucket = buckets[(i * 7 + g * 131) % buckets.length] ?? "";
    return { bucket, access: access[(i + g) % 3] ?? "read", ...(g % 2 === 1 ? { prefix: `team-${i % 10}/` } : {}) };
  });
}

/** Registers the big project (the demo's AWS side, Alice its owner) through the ops API. */
async function registerBigProject(target: BigTarget, id: string): Promise<ProjectRecord> {
  const res = await fetch(`${target.apiUrl}/api/ops/projects`, {
    method: "PUT",
    headers: { authorization: `Bearer ${target.opsToken}`, "content-type": "application/json" },
    body: JSON.stringify({ ...target.demo, id, name: "Bench: 1,000 buckets and 1,000 users", members: [{ email: "alice@example.com", role: "owner" }] }),
  });
  if (res.status !== 200) throw new Error(`registering project ${id} failed: ${res.status} ${await res.text()}`);
  return { ...target.demo, id, name: "Bench: 1,000 buckets and 1,000 users" };
}

export async function measureBig(target: BigTarget, bucketCount: number, userCount: number, samples: number, projectId = "big"): Promise<BigResults> {
  const project = await registerBigProject(target, projectId);
  const { cloudformation } = target;
  const bucketSpec: BucketSpec = { versioning: true, encryption: "s3", expireAfterDays: 30 };
  const buckets = Array.from({ length: bucketCount }, (_, i) => `big-${pad(i)}`);
  const users = Array.from({ length: userCount }, (_, i) => ({ name: `big-user-${pad(i)}`, spec: { description: `Bench user ${i}`, permissions: grantsOf(i, buckets), expiresAt: null, sftp: null } satisfies UserSpec }));
  const t0 = performance.now();
  await mapBounded(buckets, 8, (name) => cloudformation.createStack(clientStackInput(bucketStackInput(project, name, bucketSpec))));
  await mapBounded(users, 8, (u) => cloudformation.createStack(clientStackInput(userStackInput(project, u.name, u.spec))));
  const seedSeconds = (performance.now() - t0) / 1000;
  console.log(`seeded ${bucketCount} bucket and ${userCount} user stacks in moto in ${seedSeconds.toFixed(1)} s`);

  const healStart = performance.now();
  const heal = await healUntilDone(target.apiUrl, target.opsToken, project.id);
  const viewUrl = `${target.apiUrl}/api/projects/${project.id}`;
  for (;;) {
    const res = await fetch(viewUrl, { headers: target.headers });
    if (res.status !== 200) throw new Error(`GET ${viewUrl} answered ${res.status}: ${await res.text()}`);
    const view = ProjectView.parse(await res.json());
    const bucketsIn = view.buckets.filter((b) => b.status === "ready").length;
    const usersIn = view.users.filter((u) => u.status === "ready").length;
    if (bucketsIn === bucketCount && usersIn === userCount) break;
    if (performance.now() - healStart > 120_000) throw new Error(`after 120 s the view shows ${bucketsIn}/${bucketCount} buckets and ${usersIn}/${userCount} users ready`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const visibleSeconds = (performance.now() - healStart) / 1000;
  console.log(`healed in ${(heal.ms / 1000).toFixed(1)} s, all ${bucketCount + userCount} in the view after ${visibleSeconds.toFixed(1)} s`);

  // A heal with nothing changed: what the listing alone costs at this size (moto renders every stack per page).
  const unchanged = await healOnce(target.apiUrl, target.opsToken, project.id);

  const answer = await fetch(viewUrl, { headers: target.headers });
  const etag = answer.headers.get("etag") ?? "";
  const viewBytes = (await answer.arrayBuffer()).byteLength;
  if (!etag) throw new Error("the view has no ETag");
  const read = async (url: string, headers: Record<string, string>, status: number): Promise<number> => {
    const t = performance.now();
    const res = await fetch(url, { headers });
    await res.arrayBuffer();
    if (res.status !== status) throw new Error(`GET ${url} answered ${res.status}, not ${status}`);
    return performance.now() - t;
  };
  // Warm-up, then the cached view and the no-op route one after the other, and the 304 likewise.
  for (let i = 0; i < 20; i++) await read(viewUrl, target.headers, 200);
  const cached: number[] = [];
  const floor: number[] = [];
  const revalidated: number[] = [];
  for (let i = 0; i < samples; i++) {
    cached.push(await read(viewUrl, target.headers, 200));
    floor.push(await read(`${target.apiUrl}/api/health`, {}, 200));
    revalidated.push(await read(viewUrl, { ...target.headers, "if-none-match": etag }, 304));
  }
  return { projectId: project.id, buckets: bucketCount, users: userCount, grants: users.reduce((n, u) => n + u.spec.permissions.length, 0), seedSeconds, heal, unchanged, visibleSeconds, viewBytes, samples, cached, floor, revalidated };
}

/** The report's lines, each goal with met / NOT met. */
export function bigReport(r: BigResults, verdict: (met: boolean) => string, note = ""): string {
  const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : 0)} ms`;
  const [c50, c99, f50, f99, r50, r99] = [percentile(r.cached, 50), percentile(r.cached, 99), percentile(r.floor, 50), percentile(r.floor, 99), percentile(r.revalidated, 50), percentile(r.revalidated, 99)];
  const resources = r.buckets + r.users;
  const calls = r.heal.calls;
  return `Big project — ${r.buckets} buckets and ${r.users} users (${r.grants} grants) in project ${r.projectId}${note}, stacks made in CloudFormation (moto) with the real templates, healed in through the ops resync
seed: ${r.seedSeconds.toFixed(0)} s; first heal: ${(r.heal.ms / 1000).toFixed(1)} s in ${r.heal.passes} ${r.heal.passes === 1 ? "heal" : `heals of at most ${TEMPLATE_READS_PER_HEAL} GetTemplate`}, ${calls.describeStacksPages} DescribeStacks pages, ${calls.getTemplate} GetTemplate (${calls.reused} reused), ${r.heal.changed} changed (IAM ids learned included); the largest heal made ${r.heal.largestPass} CloudFormation calls, each a subrequest (Workers: 10,000 per invocation on the paid plan, 1,000 on its older models); every resource in the view after ${r.visibleSeconds.toFixed(1)} s
unchanged heal: ${(r.unchanged.ms / 1000).toFixed(1)} s, ${r.unchanged.calls.describeStacksPages} DescribeStacks pages, ${r.unchanged.calls.getTemplate} GetTemplate (${r.unchanged.calls.reused} reused), ${r.unchanged.changed} changed — goal: the list pages only — ${verdict(r.unchanged.calls.getTemplate === 0)}
snapshot (the view as served): ${r.viewBytes.toLocaleString("en")} bytes (${(r.viewBytes / 1024).toFixed(0)} KiB), ${(r.viewBytes / resources).toFixed(0)} B per resource; ${(KV_VALUE_LIMIT / r.viewBytes).toFixed(0)}× under KV's 25 MiB value limit (fits ≈ ${Math.floor(KV_VALUE_LIMIT / (r.viewBytes / resources)).toLocaleString("en")} resources at this rate)
cached GET (${r.samples} requests, interleaved with /api/health): p50 ${ms(c50)}, p99 ${ms(c99)}; /api/health p50 ${ms(f50)}, p99 ${ms(f99)} — p99 ${(c99 / f99).toFixed(2)}x (p50 ${(c50 / f50).toFixed(2)}x) — goal p99 within 2× — ${verdict(c99 <= 2 * f99)}
304 with If-None-Match: p50 ${ms(r50)}, p99 ${ms(r99)} (${(r99 / f99).toFixed(2)}x /api/health's p99)`;
}
