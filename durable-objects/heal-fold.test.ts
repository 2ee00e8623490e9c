// Proves a big heal tells what it found, refreshed or lost of a kind in one line each (every resource still in its own frame, in order, for live pages and for clients catching up), and a small heal keeps one line per resource.
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { LiveFrame, type ActivityEntry, type ActivityPage, type Bucket, type BucketSpec, type ProjectRecord, type ProjectView } from "../core/contract";
import { bucketStackInput } from "../core/bucket-template";
import { clientStackInput } from "../core/stack-input";
import { api, createStackroomStack, eventually, login, ORIGIN, projectCloudFormation, registerProject } from "../test/workers/harness";
import { listen } from "../test/workers/live";
import { HEAL_LINES_PER_KIND } from "./heal-lines";

const OPS = { authorization: `Bearer ${env.OPS_TOKEN}`, "content-type": "application/json" };
const SPEC: BucketSpec = { versioning: true, encryption: "s3", expireAfterDays: null };
/** Past the threshold, so a heal folds its lines. */
const BIG = HEAL_LINES_PER_KIND + 4;

type ChangeFrame = Extract<LiveFrame, { type: "change" }>;

async function heal(project: ProjectRecord): Promise<void> {
  const res = await SELF.fetch(`${ORIGIN}/api/ops/projects/${project.id}/resync`, { method: "POST", headers: OPS, body: "{}" });
  expect(res.status).toBe(200);
}

const feed = async (cookie: string, project: ProjectRecord, query = ""): Promise<ActivityEntry[]> =>
  (await (await api(cookie, `/api/projects/${project.id}/activity?limit=100${query}`)).json<ActivityPage>()).entries;

const seqOf = async (cookie: string, project: ProjectRecord): Promise<number> => (await feed(cookie, project))[0]?.seq ?? 0;

/** A live socket from `since`, collecting its frames (once the room said hello). */
async function listenFrom(cookie: string, project: ProjectRecord, since: number): Promise<{ frames: LiveFrame[]; close(): void }> {
  const socket = listen(await api(cookie, `/api/projects/${project.id}/live?since=${since}`, { headers: { Upgrade: "websocket" } }));
  await eventually(async () => socket.frames.some((f) => f.type === "hello"), (ok) => ok);
  return { frames: socket.frames, close: () => socket.ws.close() };
}

/** The bucket frames a socket has heard, once there are `count`. */
async function bucketFrames(live: { frames: LiveFrame[] }, count: number): Promise<ChangeFrame[]> {
  return eventually(async () => live.frames.filter((f): f is ChangeFrame => f.type === "change" && f.bucket !== undefined), (f) => f.length >= count, 10_000);
}

/** Each frame carries its own bucket, seqs ascend, and each frame's line replaces the one before: the folded chain. */
function expectFoldedChain(frames: readonly ChangeFrame[], names: readonly string[]): void {
  expect(frames.map((f) => f.bucket?.name).sort()).toEqual([...names].sort());
  expect(frames.map((f) => f.seq)).toEqual([...frames.map((f) => f.seq)].sort((a, b) => a - b));
  expect(frames[0]?.replaces).toBeUndefined();
  frames.slice(1).forEach((f, i) => expect(f.replaces).toBe(frames[i]?.seq));
  for (const f of frames) expect(f.activity).toMatchObject({ kind: "bucket", name: "", actor: "Stackroom" });
}

/** The buckets a client holds after applying frames as the app does: a view replaces the one held, a deleted one leaves. */
function bucketsAfter(frames: readonly LiveFrame[]): Map<string, Bucket> {
  const held = new Map<string, Bucket>();
  for (const f of frames) {
    if (f.type !== "change" || !f.bucket) continue;
    if (f.bucket.status === "deleted") held.delete(f.bucket.name);
    else held.set(f.bucket.name, f.bucket);
  }
  return held;
}

/** `count` bucket stacks made straight in moto, as Stackroom writes them, and healed into the room. */
async function healedBuckets(project: ProjectRecord, prefix: string, count: number): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(2, "0")}`);
  for (const name of names) await createStackroomStack(project, bucketStackInput(project, name, SPEC));
  await heal(project);
  return names;
}

const namedFew = (prefix: string, count: number) => `${prefix}-\\d\\d, ${prefix}-\\d\\d, ${prefix}-\\d\\d, … and ${count - 3} more`;

describe("a big heal's feed", () => {
  it("folds 14 buckets found into one line, while each bucket arrives in its own frame, in order", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    const names = Array.from({ length: BIG }, (_, i) => `found-${String(i).padStart(2, "0")}`);
    for (const name of names) await createStackroomStack(project, bucketStackInput(project, name, SPEC));
    const live = await listenFrom(owner, project, 0);

    await heal(project);
    const changes = await bucketFrames(live, names.length);
    live.close();
    expectFoldedChain(changes, names);
    const last = changes.at(-1)?.activity;
    expect(last).toMatchObject({ tone: "info" });
    expect(last?.message).toMatch(new RegExp(`^Found ${names.length} buckets in CloudFormation \\(CREATE_COMPLETE\\): ${namedFew("found", names.length)}$`));

    // The feed has that one line, none per bucket.
    expect((await feed(owner, project)).filter((e) => /^Found /.test(e.message)).map((e) => e.message)).toEqual([last?.message]);
    expect((await feed(owner, project, "&kind=bucket")).filter((e) => /^Found /.test(e.message))).toHaveLength(1);

    // A client catching up from before the heal gets every bucket, and the state is whole.
    const late = await listenFrom(owner, project, 0);
    const caught = await bucketFrames(late, names.length);
    late.close();
    expect([...bucketsAfter(caught).keys()].sort()).toEqual(names);
    const view = await eventually(async () => (await api(owner, `/api/projects/${project.id}`)).json<ProjectView>(), (v) => v.buckets.length === names.length);
    expect(view.buckets.every((b) => b.status === "ready")).toBe(true);
  });

  it("folds 14 buckets gone from CloudFormation into one line; each leaves in its own frame, and the room forgets them", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    const names = await healedBuckets(project, "gone", BIG);
    const cfn = await projectCloudFormation(project);
    for (const name of names) await cfn.deleteStack({ stackName: clientStackInput(bucketStackInput(project, name, SPEC)).stackName });
    const before = await seqOf(owner, project);
    const live = await listenFrom(owner, project, before);

    await heal(project);
    const changes = await bucketFrames(live, names.length);
    live.close();
    expectFoldedChain(changes, names);
    // A removal's frame carries the bucket as it leaves (deleted): its line names no bucket, so the frame must.
    expect(changes.every((f) => f.bucket?.status === "deleted")).toBe(true);
    const last = changes.at(-1)?.activity;
    expect(last).toMatchObject({ tone: "info" });
    expect(last?.message).toMatch(new RegExp(`^${names.length} buckets no longer exist in CloudFormation: ${namedFew("gone", names.length)}$`));

    // One line in the feed (and under the kind's filter), none per bucket; the Found line before it stays.
    const entries = await feed(owner, project);
    expect(entries.filter((e) => /no longer exist/.test(e.message)).map((e) => e.message)).toEqual([last?.message]);
    expect(entries.filter((e) => /^Found /.test(e.message))).toHaveLength(1);
    expect((await feed(owner, project, "&kind=bucket")).filter((e) => /no longer exist/.test(e.message))).toHaveLength(1);

    // A client from the start sees them come and go, and ends with none; the room and its snapshot hold none.
    const late = await listenFrom(owner, project, 0);
    await bucketFrames(late, names.length * 2);
    late.close();
    expect(bucketsAfter(late.frames).size).toBe(0);
    const view = await eventually(async () => (await api(owner, `/api/projects/${project.id}`)).json<ProjectView>(), (v) => v.buckets.length === 0);
    expect(view.buckets).toEqual([]);
  }, 60_000);

  it("folds 14 buckets refreshed from CloudFormation into one line, each with its new settings in its own frame", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    const names = await healedBuckets(project, "drift", BIG);
    const changed: BucketSpec = { ...SPEC, expireAfterDays: 7 };
    const cfn = await projectCloudFormation(project);
    for (const name of names) expect((await cfn.updateStack(clientStackInput(bucketStackInput(project, name, changed)))).changed).toBe(true);
    const before = await seqOf(owner, project);
    const live = await listenFrom(owner, project, before);

    await heal(project);
    const changes = await bucketFrames(live, names.length);
    live.close();
    expectFoldedChain(changes, names);
    expect(changes.every((f) => f.bucket?.spec.expireAfterDays === 7)).toBe(true);
    const last = changes.at(-1)?.activity;
    expect(last).toMatchObject({ tone: "info" });
    expect(last?.message).toMatch(
      new RegExp(`^Refreshed ${names.length} buckets from CloudFormation \\(UPDATE_COMPLETE; ${names.length} with settings changed outside Stackroom\\): ${namedFew("drift", names.length)}$`),
    );
    expect((await feed(owner, project)).filter((e) => /^Refreshed /.test(e.message)).map((e) => e.message)).toEqual([last?.message]);

    const late = await listenFrom(owner, project, 0);
    await bucketFrames(late, names.length * 2);
    late.close();
    expect([...bucketsAfter(late.frames).values()].map((b) => b.spec.expireAfterDays)).toEqual(names.map(() => 7));
  }, 60_000);

  it("keeps one line per bucket for a small heal: found, then gone", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    const names = await healedBuckets(project, "small", 3);
    const found = (await feed(owner, project)).filter((e) => /^Found /.test(e.message));
    expect(found.map((e) => e.message).sort()).toEqual(names.map((n) => `Found bucket ${n} in CloudFormation (CREATE_COMPLETE)`));
    expect(found.map((e) => e.name).sort()).toEqual(names);

    const cfn = await projectCloudFormation(project);
    for (const name of names) await cfn.deleteStack({ stackName: clientStackInput(bucketStackInput(project, name, SPEC)).stackName });
    await heal(project);
    const gone = (await feed(owner, project)).filter((e) => /no longer exist/.test(e.message));
    expect(gone.map((e) => e.message).sort()).toEqual(names.map((n) => `The bucket ${n} no longer exists in CloudFormation`));
    expect(gone.map((e) => e.name).sort()).toEqual(names);
  }, 60_000);
});
