// Proves the room's live socket: hello + exact catch-up from `since`, live change frames, pings, and state that survives the instance being reset.
import { abortAllDurableObjects, env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { LiveFrame } from "../core/contract";
import { stackName } from "../core/naming";
import { api, deliver, login, registerProject, stackEvent } from "../test/workers/harness";

type Logged = Exclude<LiveFrame, { type: "presence" | "presence-delta" }>;
type Presence = Extract<LiveFrame, { type: "presence" | "presence-delta" }>;

async function connect(cookie: string, projectId: string, since: number): Promise<{ ws: WebSocket; frames: Logged[]; presence: Presence[] }> {
  const res = await api(cookie, `/api/projects/${projectId}/live?since=${since}`, { headers: { Upgrade: "websocket" } });
  const ws = res.webSocket;
  if (!ws) throw new Error(`no websocket: ${res.status} ${await res.text()}`);
  const frames: Logged[] = [];
  const presence: Presence[] = [];
  ws.accept();
  ws.addEventListener("message", (e) => {
    if (typeof e.data !== "string" || e.data === "pong") return;
    const frame = LiveFrame.parse(JSON.parse(e.data));
    if (frame.type === "presence" || frame.type === "presence-delta") presence.push(frame);
    else frames.push(frame);
  });
  return { ws, frames, presence };
}

async function waitForMatch<T>(frames: T[], match: (frame: T) => boolean): Promise<T | undefined> {
  for (let i = 0; i < 100 && !frames.some(match); i++) await new Promise((r) => setTimeout(r, 20));
  return frames.find(match);
}

async function waitFor<T>(frames: T[], count: number): Promise<T[]> {
  for (let i = 0; i < 100 && frames.length < count; i++) await new Promise((r) => setTimeout(r, 20));
  return frames;
}

async function createBucket(cookie: string, projectId: string, name: string): Promise<string> {
  const res = await api(cookie, `/api/projects/${projectId}/buckets`, { method: "POST", body: JSON.stringify({ name }) });
  return (await res.json<{ operationId: string }>()).operationId;
}

describe("ProjectRoom live socket", () => {
  it("sends hello, then exactly the frames after `since`, then live changes", async () => {
    const project = await registerProject();
    const cookie = await login("owner@example.com");
    await createBucket(cookie, project.id, "alpha");
    await createBucket(cookie, project.id, "bravo");
    const { ws, frames } = await connect(cookie, project.id, 1);
    await waitFor(frames, 2);
    expect(frames[0]).toEqual({ type: "hello", seq: 2 });
    expect(frames.slice(1).map((f) => f.seq)).toEqual([2]);

    const op = await createBucket(cookie, project.id, "charlie");
    await deliver([stackEvent(project, stackName(project.id, "bucket", "charlie"), "CREATE_COMPLETE", { clientRequestToken: op })]);
    await waitFor(frames, 4);
    const live = frames.slice(2);
    expect(live.map((f) => f.seq)).toEqual([3, 4]);
    expect(live.map((f) => (f.type === "change" ? f.bucket?.status : null))).toEqual(["creating", "ready"]);
    ws.close();
  });

  it("gives a joining socket the whole list and everyone else a delta, on join and on leave", async () => {
    const project = await registerProject();
    const alice = await connect(await login("owner@example.com"), project.id, 0);
    await waitFor(alice.presence, 1);
    expect(alice.presence[0]).toMatchObject({ type: "presence", managers: [{ email: "owner@example.com", connections: 1 }] });
    const bob = await connect(await login("viewer@example.com"), project.id, 0);
    await waitFor(bob.presence, 1);
    expect(bob.presence[0]?.type).toBe("presence");
    expect(bob.presence[0]?.managers.map((m) => m.email)).toEqual(["owner@example.com", "viewer@example.com"]);
    // Alice hears only who changed: Bob came (her own join's delta may come in the same frame).
    const joined = (await waitForMatch(alice.presence, (p) => p.type === "presence-delta" && p.managers.some((m) => m.email === "viewer@example.com")));
    expect(joined).toMatchObject({ type: "presence-delta", left: [] });
    bob.ws.close(1000, "bye");
    const left = await waitForMatch(alice.presence, (p) => p.type === "presence-delta" && p.left.includes("viewer@example.com"));
    expect(left).toMatchObject({ type: "presence-delta", managers: [], left: ["viewer@example.com"] });
    alice.ws.close();
  });

  it("coalesces a burst of joins into one presence frame for those already there", async () => {
    const project = await registerProject();
    const watcher = await connect(await login("owner@example.com"), project.id, 0);
    await waitFor(watcher.presence, 1);
    // Everyone, the watcher too, is told of its own join in the next presence flush: count after it.
    await waitForMatch(watcher.presence, (p) => p.type === "presence-delta" && p.managers.some((m) => m.email === "owner@example.com"));
    const seen = watcher.presence.length;
    const burst = await Promise.all(Array.from({ length: 8 }, async () => connect(await login("viewer@example.com"), project.id, 0)));
    const delta = await waitForMatch(watcher.presence, (p) => p.type === "presence-delta" && p.managers.some((m) => m.connections === 8));
    expect(delta).toBeDefined();
    // Eight joins, told in fewer frames than joins (one per 250 ms at most).
    expect(watcher.presence.length - seen).toBeLessThan(8);
    for (const s of burst) s.ws.close();
    watcher.ws.close();
  });

  it("answers pings with pong without involving the room", async () => {
    const project = await registerProject();
    const cookie = await login("viewer@example.com");
    const res = await api(cookie, `/api/projects/${project.id}/live`, { headers: { Upgrade: "websocket" } });
    const ws = res.webSocket;
    if (!ws) throw new Error("no websocket");
    const texts: string[] = [];
    ws.accept();
    ws.addEventListener("message", (e) => {
      if (typeof e.data === "string") texts.push(e.data);
    });
    ws.send("ping");
    await waitFor(texts, 2);
    expect(texts).toContain("pong");
    ws.close();
  });

  // vitest-pool-workers 0.15 has no evictDurableObject; resetting every instance is the harsher
  // test: nothing the room knows may live only in memory (the same property hibernation needs).
  it("rebuilds everything from storage after the instance is reset", async () => {
    const project = await registerProject();
    const cookie = await login("editor@example.com");
    const op = await createBucket(cookie, project.id, "after-nap");
    await abortAllDurableObjects();
    await deliver([stackEvent(project, stackName(project.id, "bucket", "after-nap"), "CREATE_COMPLETE", { clientRequestToken: op })]);
    const { ws, frames } = await connect(cookie, project.id, 0);
    await waitFor(frames, 3);
    expect(frames.map((f) => [f.type, f.seq])).toEqual([["hello", 2], ["change", 1], ["change", 2]]);
    const last = frames[2];
    const bucket = last?.type === "change" ? last.bucket : undefined;
    expect(bucket?.status).toBe("ready");
    expect(bucket?.lock).toBeUndefined();
    ws.close();
  });

  it("sends a snapshot to a client whose since is ahead of the room", async () => {
    const project = await registerProject();
    const cookie = await login("owner@example.com");
    await createBucket(cookie, project.id, "known");
    const { ws, frames } = await connect(cookie, project.id, 99);
    await waitFor(frames, 2);
    expect(frames.map((f) => f.type)).toEqual(["hello", "snapshot"]);
    const snapshot = frames[1];
    expect(snapshot?.type === "snapshot" && snapshot.buckets.map((b) => b.name)).toEqual(["known"]);
    ws.close();
  });

  it("resumes a client that missed 10,000 frames with one snapshot, and one that missed five with exactly those five", async () => {
    const project = await registerProject();
    const cookie = await login("owner@example.com");
    await createBucket(cookie, project.id, "kept");
    const stub = env.PROJECT_ROOM.get(env.PROJECT_ROOM.idFromName(project.id));
    const before = await runInDurableObject(stub, (r) => r.store.seq());
    // 10,000 changes through the room's own activity path (ten times the kept log).
    const after = await runInDurableObject(stub, (r) => {
      for (let i = 0; i < 10_000; i++) r.announce("bucket", "kept", { actor: "owner@example.com", message: `note ${i}`, tone: "info" });
      return r.store.seq();
    });
    expect(after - before).toBe(10_000);

    // Away since before all of them: hello, one snapshot, then live frames again (a new bucket marks the end).
    const away = await connect(cookie, project.id, before);
    await createBucket(cookie, project.id, "marker");
    const marker = await waitForMatch(away.frames, (f) => f.type === "change" && f.bucket?.name === "marker");
    expect(marker).toBeDefined();
    expect(away.frames.map((f) => f.type)).toEqual(["hello", "snapshot", "change"]);
    const snapshot = away.frames[1];
    expect(snapshot?.type === "snapshot" && snapshot.seq).toBe(after);
    away.ws.close();

    // Away for the last five: exactly those, in order, then the marker's.
    const brief = await connect(cookie, project.id, after - 5);
    await waitFor(brief.frames, 7);
    expect(brief.frames.map((f) => (f.type === "change" ? f.activity.message : f.type)).slice(0, 6)).toEqual(["hello", "note 9995", "note 9996", "note 9997", "note 9998", "note 9999"]);
    brief.ws.close();
  });

  // Browsers cannot read the status of a refused upgrade, so refusals are close codes 4000 + status.
  it("refuses non-members and signed-out clients with close codes 4404 and 4401", async () => {
    const project = await registerProject();
    const member = await login("owner@example.com");
    expect((await api(member, `/api/projects/${project.id}/live`)).status).toBe(400);
    for (const [cookie, code] of [[await login("nobody@example.com"), 4404], ["stackroom_session=forged", 4401]] as const) {
      const res = await api(cookie, `/api/projects/${project.id}/live`, { headers: { Upgrade: "websocket" } });
      const ws = res.webSocket;
      if (!ws) throw new Error("expected a socket that closes");
      const closed = new Promise<number>((resolve) => ws.addEventListener("close", (e) => resolve(e.code)));
      ws.accept();
      expect(await closed).toBe(code);
    }
  });
});
