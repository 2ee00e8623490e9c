// Proves a big heal tells its adoptions of a kind in one line (every resource still in its own frame, in order, for live pages and for clients catching up), and a small heal keeps one line per resource.
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { LiveFrame, type ActivityPage, type BucketSpec, type ProjectRecord, type ProjectView } from "../core/contract";
import { bucketStackInput } from "../core/bucket-template";
import { api, createStackroomStack, eventually, login, ORIGIN, registerProject } from "../test/workers/harness";
import { FOUND_LINES_PER_KIND } from "./heal";

const OPS = { authorization: `Bearer ${env.OPS_TOKEN}`, "content-type": "application/json" };
const SPEC: BucketSpec = { versioning: true, encryption: "s3", expireAfterDays: null };

async function heal(project: ProjectRecord): Promise<void> {
  const res = await SELF.fetch(`${ORIGIN}/api/ops/projects/${project.id}/resync`, { method: "POST", headers: OPS, body: "{}" });
  expect(res.status).toBe(200);
}

const feed = async (cookie: string, project: ProjectRecord) => (await (await api(cookie, `/api/projects/${project.id}/activity?limit=100`)).json<ActivityPage>()).entries;

/** A live socket from `since`, collecting its frames. */
async function listen(cookie: string, project: ProjectRecord, since: number): Promise<{ frames: LiveFrame[]; close(): void }> {
  const res = await api(cookie, `/api/projects/${project.id}/live?since=${since}`, { headers: { Upgrade: "websocket" } });
  const ws = res.webSocket;
  if (!ws) throw new Error(`no websocket: ${res.status}`);
  const frames: LiveFrame[] = [];
  ws.accept();
  ws.addEventListener("message", (e) => {
    if (typeof e.data === "string" && e.data !== "pong") frames.push(LiveFrame.parse(JSON.parse(e.data)));
  });
  return { frames, close: () => ws.close() };
}

describe("a big heal's feed", () => {
  it("folds 14 buckets found into one line, while each bucket arrives in its own frame, in order", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    const names = Array.from({ length: FOUND_LINES_PER_KIND + 4 }, (_, i) => `found-${String(i).padStart(2, "0")}`);
    for (const name of names) await createStackroomStack(project, bucketStackInput(project, name, SPEC));
    const live = await listen(owner, project, 0);
    await eventually(async () => live.frames.some((f) => f.type === "hello"), (ok) => ok);

    await heal(project);
    const changes = await eventually(
      async () => live.frames.filter((f): f is Extract<LiveFrame, { type: "change" }> => f.type === "change" && f.bucket !== undefined),
      (f) => f.length === names.length,
    );
    live.close();
    // Every bucket in a frame of its own, seqs in order, each frame's line replacing the one before.
    expect(changes.map((f) => f.bucket?.name).sort()).toEqual(names);
    expect(changes.map((f) => f.seq)).toEqual([...changes.map((f) => f.seq)].sort((a, b) => a - b));
    changes.slice(1).forEach((f, i) => expect(f.replaces).toBe(changes[i]?.seq));
    const last = changes.at(-1)?.activity;
    expect(last).toMatchObject({ kind: "bucket", name: "", actor: "Stackroom", tone: "info" });
    expect(last?.message).toMatch(new RegExp(`^Found ${names.length} buckets in CloudFormation \\(CREATE_COMPLETE\\): found-\\d\\d, found-\\d\\d, found-\\d\\d, … and ${names.length - 3} more$`));

    // The feed has that one line, none per bucket.
    const entries = await feed(owner, project);
    expect(entries.filter((e) => /^Found /.test(e.message)).map((e) => e.message)).toEqual([last?.message]);
    const byKind = (await (await api(owner, `/api/projects/${project.id}/activity?limit=100&kind=bucket`)).json<ActivityPage>()).entries;
    expect(byKind.filter((e) => /^Found /.test(e.message))).toHaveLength(1);

    // A client catching up from before the heal gets every bucket, and the state is whole.
    const late = await listen(owner, project, 0);
    const caught = await eventually(
      async () => late.frames.filter((f) => f.type === "change" && f.bucket !== undefined).length,
      (n) => n === names.length,
    );
    late.close();
    expect(caught).toBe(names.length);
    const view = await eventually(async () => (await api(owner, `/api/projects/${project.id}`)).json<ProjectView>(), (v) => v.buckets.length === names.length);
    expect(view.buckets.every((b) => b.status === "ready")).toBe(true);
  });

  it("keeps one line per bucket for a small heal", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    const names = ["small-0", "small-1", "small-2"];
    for (const name of names) await createStackroomStack(project, bucketStackInput(project, name, SPEC));
    await heal(project);
    const found = (await feed(owner, project)).filter((e) => /^Found /.test(e.message));
    expect(found.map((e) => e.message).sort()).toEqual(names.map((n) => `Found bucket ${n} in CloudFormation (CREATE_COMPLETE)`));
    expect(found.map((e) => e.name).sort()).toEqual(names);
  });
});
