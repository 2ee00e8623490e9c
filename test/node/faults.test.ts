// Proves a bad day loses nothing: 200 random edits over 20 resources by 3 managers while AWS throttles, fails, loses answers and answers past the client's timeout (test/aws-fault-proxy.ts between the Worker and moto), while the bridge's webhooks are dropped, duplicated and reordered (test/webhook-chaos.ts), with the Worker and its rooms reset in the middle. At the end every accepted edit is applied or shown as failed or cancelled with a reason, no lock or queue is left, and after one heal the room equals what CloudFormation, S3 and IAM say.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { AwsClient } from "aws4fetch";
import * as z from "zod";
import { ActivityPage, ErrorEnvelope, LiveFrame, ProjectRecord, ProjectView, type ActivityEntry, type Bucket, type User } from "../../core/contract";
import { startStack, type Stack } from "../../scripts/lib/stack";
import { freePort } from "../../scripts/lib/ports";
import { assumeRole } from "../../core/aws/sts";
import { cloudFormationClient } from "../../core/aws";
import { parseXml } from "../../core/aws/xml";
import { physicalBucketName, stackName } from "../../core/naming";
import { userPolicyDocument } from "../../core/user-policy";
import { GRANTS_POLICY_NAME } from "../../core/user-template";
import { AWS_FAULTS, startAwsFaultProxy, type AwsFaultProxy } from "../aws-fault-proxy";
import { WEBHOOK_FAULTS, startWebhookChaos, type WebhookChaos } from "../webhook-chaos";
import { devSession, until, type DevSession } from "./stack-client";

/** The run's seed (printed): FAULT_SEED=<n> repeats a run's choices of edits and faults. */
const SEED = Number(process.env.FAULT_SEED ?? Date.now() % 100_000);
const EDITS = 200;
const BUCKETS = Array.from({ length: 12 }, (_, i) => `fault-b${String(i).padStart(2, "0")}`);
const USERS = Array.from({ length: 8 }, (_, i) => `fault-u${i}`);
const MANAGERS = ["alice@example.com", "bob@example.com", "dave@example.com"] as const;

/** mulberry32: a small seeded source in [0, 1). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = seeded(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

/** "a 3, b 1": how often each value occurs. */
function tally(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([v, n]) => `${v} ${n}`).join(", ");
}

let stack: Stack;
let aws: AwsFaultProxy;
let chaos: WebhookChaos;

beforeAll(async () => {
  const motoPort = await freePort();
  // Both start calm: the stack's own start-up (seeding the demo project) is not under test.
  aws = await startAwsFaultProxy({
    target: `http://127.0.0.1:${motoPort}`,
    random,
    rates: { throttle: 0.1, unavailable: 0.04, "lost-answer": 0.02, slow: 0.04, "past-timeout": 0.01 },
  });
  chaos = await startWebhookChaos({ random, rates: { dropped: 0.06, duplicated: 0.1, reordered: 0.1 } });
  stack = await startStack({ app: false, quiet: true, motoPort, awsEndpoint: aws.url, webhookVia: chaos.via });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await chaos?.stop();
  await aws?.stop();
});

/** An edit as sent: who, what, and how the API answered it. */
interface Sent {
  by: string;
  what: string;
  status: number;
  operationId?: string;
  error?: string;
}

const Accepted = z.object({ operationId: z.string() });

/**
 * One random edit of one of the 20 resources, as a manager would choose it from the project as
 * they last saw it: a resource they see is edited or deleted, one they do not is created. One edit
 * in ten ignores what they see (a stale tab): the API refuses it or queues it.
 */
function randomEdit(seen: ProjectView): { method: "POST" | "PATCH" | "DELETE"; path: string; body?: object; what: string } {
  const stale = random() < 0.1;
  const roll = random();
  if (random() < 0.6) {
    const name = pick(BUCKETS);
    const exists = seen.buckets.some((b) => b.name === name && b.status !== "deleted");
    if (stale ? roll < 0.3 : !exists) return { method: "POST", path: "/buckets", body: { name, versioning: random() < 0.5, expireAfterDays: random() < 0.3 ? null : 1 + Math.floor(random() * 60) }, what: `create bucket ${name}` };
    if (roll < 0.8) {
      const body = random() < 0.5 ? { expireAfterDays: 1 + Math.floor(random() * 90) } : { versioning: random() < 0.5 };
      return { method: "PATCH", path: `/buckets/${name}`, body, what: `update bucket ${name} ${JSON.stringify(body)}` };
    }
    return { method: "DELETE", path: `/buckets/${name}`, what: `delete bucket ${name}` };
  }
  const name = pick(USERS);
  const exists = seen.users.some((u) => u.name === name && u.status !== "deleted");
  // Grants name buckets the manager sees (a stale tab: any of the 20).
  const visible = seen.buckets.filter((b) => b.status !== "deleted" && BUCKETS.includes(b.name)).map((b) => b.name);
  const grants = () => {
    const from = stale || visible.length === 0 ? BUCKETS : visible;
    const buckets = [...new Set(Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(from)))];
    return buckets.map((bucket) => ({ bucket, access: pick(["read", "write", "readwrite"] as const) }));
  };
  if (stale ? roll < 0.3 : !exists) return { method: "POST", path: "/users", body: { name, description: "fault run", permissions: grants() }, what: `create user ${name}` };
  if (roll < 0.85) return { method: "PATCH", path: `/users/${name}`, body: { permissions: grants() }, what: `update user ${name}` };
  return { method: "DELETE", path: `/users/${name}`, what: `delete user ${name}` };
}

/**
 * Every activity line the room sends, by operation id: a socket that follows the room through its
 * reset (it resumes from the last seq it heard, as the app does).
 */
function follow(session: DevSession, since: number): { entries: ActivityEntry[]; snapshots: number; stop(): void } {
  const seen = { entries: [] as ActivityEntry[], snapshots: 0, seq: since, stopped: false, socket: null as WebSocket | null };
  const connect = () => {
    if (seen.stopped) return;
    const socket = new WebSocket(`${stack.apiUrl.replace("http", "ws")}/api/projects/demo/live?since=${seen.seq}`, { headers: { cookie: session.cookie }, origin: stack.apiUrl });
    seen.socket = socket;
    socket.on("message", (data) => {
      const text = data.toString();
      if (text === "pong") return;
      const frame = LiveFrame.parse(JSON.parse(text));
      if (frame.type === "change") {
        seen.seq = Math.max(seen.seq, frame.seq);
        if (frame.activity) seen.entries.push(frame.activity);
      } else if (frame.type === "snapshot") {
        seen.snapshots++;
        seen.seq = frame.seq;
      } else if (frame.type === "hello") seen.seq = Math.max(seen.seq, frame.seq);
    });
    socket.on("error", () => undefined);
    socket.on("close", () => setTimeout(connect, 500));
  };
  connect();
  return {
    entries: seen.entries,
    get snapshots() {
      return seen.snapshots;
    },
    stop: () => {
      seen.stopped = true;
      seen.socket?.terminate();
    },
  };
}

async function view(session: DevSession): Promise<ProjectView> {
  return ProjectView.parse(await (await session.api("/api/projects/demo")).json());
}

/** What CloudFormation, S3 and IAM say, read straight from moto as the project's own role. */
async function truth() {
  const ops = await (await fetch(`${stack.apiUrl}/api/ops/projects`, { headers: { authorization: `Bearer ${stack.opsToken}` } })).json();
  const project = ProjectRecord.array().parse((ops as { projects: unknown }).projects).find((p) => p.id === "demo");
  if (!project) throw new Error("demo project missing");
  const credentials = await assumeRole({ hubCredentials: { accessKeyId: "AKIASTACKROOMFAULT01", secretAccessKey: "x" }, roleArn: project.roleArn, externalId: project.externalId, sessionName: "fault-truth", region: project.region, endpoint: stack.motoEndpoint });
  const cloudformation = cloudFormationClient({ region: project.region, credentials, endpoint: stack.motoEndpoint });
  const stacks = (await cloudformation.describeStacks()).filter((s) => s.stackStatus !== "DELETE_COMPLETE");
  const s3 = new AwsClient({ ...credentials, service: "s3", region: project.region, retries: 0 });
  const iam = new AwsClient({ ...credentials, service: "iam", region: "us-east-1", retries: 0 });
  const physical = (bucket: string) => physicalBucketName(project.id, project.accountId, project.region, bucket);
  return {
    project,
    stacks: new Map(stacks.map((s) => [s.stackName, s.stackStatus])),
    physical,
    async versioning(bucket: string): Promise<boolean> {
      const xml = await (await s3.fetch(`${stack.motoEndpoint}/${physical(bucket)}?versioning`)).text();
      return /<Status>Enabled<\/Status>/.test(xml);
    },
    async expiry(bucket: string): Promise<number | null> {
      const res = await s3.fetch(`${stack.motoEndpoint}/${physical(bucket)}?lifecycle`);
      if (res.status === 404) return null;
      const days = /<Expiration>\s*<Days>(\d+)<\/Days>/.exec(await res.text());
      return days ? Number(days[1]) : null;
    },
    async grants(user: string): Promise<unknown> {
      const body = new URLSearchParams({ Action: "GetUserPolicy", Version: "2010-05-08", UserName: user, PolicyName: GRANTS_POLICY_NAME });
      const res = await iam.fetch(stack.motoEndpoint, { method: "POST", body: body.toString(), headers: { "content-type": "application/x-www-form-urlencoded" } });
      const parsed = z.object({ GetUserPolicyResponse: z.object({ GetUserPolicyResult: z.object({ PolicyDocument: z.string() }) }) }).parse(parseXml(await res.text()));
      return JSON.parse(decodeURIComponent(parsed.GetUserPolicyResponse.GetUserPolicyResult.PolicyDocument));
    },
  };
}

describe("a bad day loses nothing", () => {
  it("200 edits by 3 managers under AWS faults, lossy webhooks and a room reset converge to the truth", { timeout: 420_000 }, async () => {
    const alice = await devSession(stack.apiUrl, "alice@example.com");
    expect((await alice.api(`/api/projects/demo/members/${encodeURIComponent("dave@example.com")}`, { method: "PUT", body: JSON.stringify({ role: "editor" }) })).status).toBe(200);
    const managers = await Promise.all(MANAGERS.map((email) => devSession(stack.apiUrl, email)));
    const watcher = follow(alice, (await view(alice)).seq);

    const busy = (v: ProjectView) => [...v.buckets, ...v.users].filter((r) => r.lock || (r.queue?.length ?? 0) > 0 || r.queueHeld);
    const started = Date.now();
    aws.storm();
    chaos.storm();
    const sent: Sent[] = [];
    let next = 0;
    let reset: Promise<void> | null = null;
    let resetAt = 0;
    // Requests in flight: the reset waits for their answers (an answer cut by the reset would leave
    // the client not knowing whether its edit was accepted), not for the rooms' operations and queues.
    let inFlight = 0;
    let atReset = 0;
    const views: ProjectView[] = [];
    const idle = () => until(() => inFlight, (n) => n === 0, "the requests in flight", 60_000);
    await Promise.all(
      managers.map(async (session, m) => {
        while (next < EDITS) {
          const n = next++;
          // Half way, the Worker and its rooms are reset while operations and queues are in flight.
          if (n === EDITS / 2)
            reset = idle().then(async () => {
              atReset = busy(await view(alice)).length;
              resetAt = Date.now();
              await stack.restartWorker();
            });
          await new Promise((r) => setTimeout(r, random() * 250));
          if (reset) await reset;
          // What this manager sees: the project as the app last loaded it (every few edits).
          if (n % 5 === m % 5 || !views[m]) views[m] = await view(session);
          const edit = randomEdit(views[m] ?? (await view(session)));
          inFlight++;
          const res = await session.api(`/api/projects/demo${edit.path}`, { method: edit.method, ...(edit.body ? { body: JSON.stringify(edit.body) } : {}) }).finally(() => inFlight--);
          const text = await res.text();
          const record: Sent = { by: MANAGERS[m] ?? "", what: edit.what, status: res.status };
          const body: unknown = JSON.parse(text || "null");
          const answer = res.status === 202 ? Accepted.safeParse(body) : ErrorEnvelope.safeParse(body);
          if (!answer.success) throw new Error(`${record.what} answered ${res.status} outside the envelope: ${text.slice(0, 300)}`);
          if ("operationId" in answer.data) record.operationId = answer.data.operationId;
          else {
            record.error = answer.data.error.code;
            if (process.env.FAULT_VERBOSE) console.log(`${record.what} → ${res.status} ${answer.data.error.message}`);
          }
          sent.push(record);
        }
      }),
    );
    const editsSeconds = (Date.now() - started) / 1000;
    expect(sent).toHaveLength(EDITS);
    // Nothing a client sent got a 500: refusals are 4xx, AWS's bad day a 502/503/504, all in the envelope.
    expect(sent.filter((s) => s.status === 500)).toEqual([]);

    // The storm ends; one heal; then the room must settle.
    aws.calm();
    chaos.calm();
    await chaos.drained();
    const calmAt = Date.now();
    const heal = await fetch(`${stack.apiUrl}/api/ops/projects/demo/resync`, { method: "POST", headers: { authorization: `Bearer ${stack.opsToken}`, "content-type": "application/json" }, body: "{}" });
    expect(heal.status).toBe(200);
    const settled = await until(() => view(alice), (v) => busy(v).length === 0, "no lock and no queued edit left", 120_000).catch(async (error: unknown) => {
      const left = busy(await view(alice)).map((r) => ({ name: r.name, status: r.status, lock: r.lock, queue: r.queue, queueHeld: r.queueHeld }));
      throw new Error(`${error instanceof Error ? error.message.slice(0, 60) : ""}: ${JSON.stringify(left, null, 1)}`);
    });
    const convergeSeconds = (Date.now() - calmAt) / 1000;
    const accepted = sent.filter((s) => s.operationId);
    // A queued update merged into another runs as that one: its outcome is the other's.
    const mergedInto = new Map(watcher.entries.flatMap((e) => (e.operation?.merged ?? []).map((id) => [id, e.operation?.id ?? ""] as const)));
    const outcomeOf = (id: string) => {
      const runs = mergedInto.get(id) ?? id;
      return watcher.entries.find((e) => e.operation?.id === runs && ["succeeded", "failed", "cancelled"].includes(e.operation.step));
    };
    const byStatus = tally(sent.map((s) => (s.error ? `${s.status} ${s.error}` : String(s.status))));
    const outcomes = tally(accepted.map((s) => outcomeOf(s.operationId ?? "")?.operation?.step ?? "none"));
    console.log(`faults run (FAULT_SEED=${SEED}): ${EDITS} edits by ${MANAGERS.length} managers over ${BUCKETS.length + USERS.length} resources in ${editsSeconds.toFixed(0)} s (answers ${byStatus}); accepted ${accepted.length}: ${outcomes}
AWS faults: ${AWS_FAULTS.map((f) => `${f} ${aws.counts.faults[f]}`).join(", ")} over ${Object.values(aws.counts.requests).reduce((a, b) => a + b, 0)} requests (${Object.entries(aws.counts.requests).map(([s, n]) => `${s} ${n}`).join(", ")})
webhook faults: ${WEBHOOK_FAULTS.map((f) => `${f} ${chaos.counts[f]}`).join(", ")} of ${chaos.counts.batches} batches (${chaos.counts.failedToPass} could not be passed on)
failures shown: ${tally(accepted.flatMap((s) => { const e = outcomeOf(s.operationId ?? ""); return e && e.operation?.step !== "succeeded" ? [e.message.replace(/^The queued edit by .*? could not start and was dropped: /, "queued edit dropped: ").replace(/“[^”]*”|fault-[bu]\d+/g, "…").slice(0, 80)] : []; }))}
room reset ${((resetAt - started) / 1000).toFixed(0)} s in, with ${atReset} ${atReset === 1 ? "resource" : "resources"} locked or with queued edits; converged ${convergeSeconds.toFixed(1)} s after the storm ended (one heal); ${watcher.snapshots} snapshot(s) on the follower's resumes`);

    // Every accepted edit has an outcome the managers were shown: succeeded, or failed / cancelled with a reason.
    const missing = accepted.filter((s) => !outcomeOf(s.operationId ?? ""));
    for (const s of missing) {
      const [, kind, name] = s.what.split(" ");
      const page = ActivityPage.parse(await (await alice.api(`/api/projects/demo/activity?resource=${kind}:${name}&limit=30`)).json());
      console.log(`no outcome for ${s.by}: ${s.what} (${s.operationId}); its resource's activity, newest first:\n${page.entries.map((e) => `  ${e.seq} ${e.at} ${e.operation ? `${e.operation.id.slice(0, 8)} ${e.operation.step}${e.operation.merged ? ` merged ${e.operation.merged.map((m) => m.slice(0, 8)).join(",")}` : ""}` : "-"} ${e.message}`).join("\n")}`);
    }
    expect(missing.map((s) => `${s.by}: ${s.what} (${s.operationId})`)).toEqual([]);
    const failed = accepted.map((s) => outcomeOf(s.operationId ?? "")).filter((e) => e?.operation?.step !== "succeeded");
    for (const entry of failed) expect(entry?.message.trim().length, JSON.stringify(entry)).toBeGreaterThan(10);

    // The room equals the truth.
    const t = await truth();
    const live = <R extends Bucket | User>(rs: R[]) => rs.filter((r) => r.status !== "deleted");
    const roomStacks = [...live(settled.buckets).map((b) => stackName("demo", "bucket", b.name)), ...live(settled.users).map((u) => stackName("demo", "user", u.name))].sort();
    const ours = [...t.stacks.keys()].filter((n) => BUCKETS.some((b) => n === stackName("demo", "bucket", b)) || USERS.some((u) => n === stackName("demo", "user", u))).sort();
    expect(roomStacks).toEqual(ours);
    // A stack still running in CloudFormation while the room holds no lock on it: what the room shows of it, and its activity (seen once, seed 31).
    for (const [name, status] of t.stacks) {
      if (!/_IN_PROGRESS$/.test(status)) continue;
      const resource = [...settled.buckets.map((b) => ["bucket", b] as const), ...settled.users.map((u) => ["user", u] as const)].find(([kind, r]) => stackName("demo", kind, r.name) === name);
      if (!resource) continue;
      const [kind, r] = resource;
      const page = ActivityPage.parse(await (await alice.api(`/api/projects/demo/activity?resource=${kind}:${r.name}&limit=30`)).json());
      console.log(`${name} is ${status} in CloudFormation; the room shows ${kind} ${r.name} ${r.status}${r.lock ? ` locked by ${r.lock.operationId}` : ", not locked"}; its activity, newest first:\n${page.entries.map((e) => `  ${e.seq} ${e.at} ${e.operation ? `${e.operation.id.slice(0, 8)} ${e.operation.step}` : "-"} ${e.message}`).join("\n")}`);
    }
    for (const [name, status] of t.stacks) expect(status, name).not.toMatch(/_IN_PROGRESS$/);
    for (const b of live(settled.buckets).filter((b) => b.status === "ready")) {
      expect({ bucket: b.name, versioning: await t.versioning(b.name), expiry: await t.expiry(b.name) }).toEqual({ bucket: b.name, versioning: b.spec.versioning, expiry: b.spec.expireAfterDays });
    }
    for (const u of live(settled.users).filter((u) => u.status === "ready")) {
      expect({ user: u.name, grants: await t.grants(u.name) }).toEqual({ user: u.name, grants: userPolicyDocument(u.spec.permissions, t.physical, u.spec.expiresAt) });
    }
    watcher.stop();

  });
});
