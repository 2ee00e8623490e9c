// Proves change frames sent off the request path lose nothing and repeat nothing: they reach a watching socket afterwards in seq order, and a socket joining while frames are still queued gets each of them exactly once (from the log, by `since`).
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { LiveFrame } from "../core/contract";
import { LIVE_CALLER_HEADERS } from "../core/room-result";
import { api, eventually, login, registerProject } from "../test/workers/harness";
import { FrameOutbox } from "./frame-outbox";

const room = (id: string) => env.PROJECT_ROOM.get(env.PROJECT_ROOM.idFromName(id));

/** What a socket heard, in arrival order: `hello N` and `change N`. */
function recorder(ws: WebSocket): string[] {
  const seqs: string[] = [];
  ws.accept();
  ws.addEventListener("message", (e) => {
    if (typeof e.data !== "string" || e.data === "pong") return;
    const frame = LiveFrame.parse(JSON.parse(e.data));
    if (frame.type === "change" || frame.type === "hello") seqs.push(`${frame.type} ${frame.seq}`);
  });
  return seqs;
}

/** Waits until `read()` equals `want` (or times out), then asserts it. */
async function heard(read: () => string[], want: string[]): Promise<void> {
  expect(await eventually(async () => read(), (v) => JSON.stringify(v) === JSON.stringify(want))).toEqual(want);
}

const line = (message: string) => ({ actor: "owner@example.com", message, tone: "info" as const });

describe("frame outbox", () => {
  it("sends queued frames in seq order, once each; a socket joining while they wait hears them once, from the log", async () => {
    const project = await registerProject();
    const cookie = await login("owner@example.com");
    const res = await api(cookie, `/api/projects/${project.id}/live?since=0`, { headers: { Upgrade: "websocket" } });
    if (!res.webSocket) throw new Error(`no websocket: ${res.status}`);
    const watcher = recorder(res.webSocket);
    await eventually(async () => watcher.length, (n) => n > 0);

    const joiner = await runInDurableObject(room(project.id), async (r) => {
      const before = r.store.seq();
      r.announce("member", "", line("first"));
      r.announce("member", "", line("second"));
      // A socket joins in the same turn, while both frames wait to be sent, resuming from before them.
      const upgrade = await r.fetch(
        new Request(`https://room/live?since=${before}`, {
          headers: { Upgrade: "websocket", [LIVE_CALLER_HEADERS.email]: "owner@example.com", [LIVE_CALLER_HEADERS.expires]: String(Math.floor(Date.now() / 1000) + 3600) },
        }),
      );
      if (!upgrade.webSocket) throw new Error(`no websocket: ${upgrade.status}`);
      return { before, seqs: recorder(upgrade.webSocket) };
    });
    const { before, seqs } = joiner;
    const after = (list: string[]) => list.filter((f) => f.startsWith("change") && Number(f.split(" ")[1]) > before);
    const changes = (...n: number[]) => n.map((k) => `change ${before + k}`);

    await heard(() => after(watcher), changes(1, 2));
    await heard(() => seqs, [`hello ${before + 2}`, ...changes(1, 2)]);

    // Later frames reach both once, in order.
    await runInDurableObject(room(project.id), (r) => r.announce("member", "", line("third")));
    await heard(() => after(watcher), changes(1, 2, 3));
    await heard(() => seqs, [`hello ${before + 2}`, ...changes(1, 2, 3)]);
  });

  it("sends a batch in slices, yielding between them; a flush mid-batch (a join) finishes it first, so every socket hears each frame once, in order", async () => {
    const project = await registerProject();
    await runInDurableObject(room(project.id), async (_r, state) => {
      // Real socket pairs: the outbox sends on the server ends, the test listens on the client ends.
      // 200 sockets in slices of one take 200 yields: the first hears its frames long before the last.
      const pairs = Array.from({ length: 200 }, () => new WebSocketPair());
      const heardBy = pairs.map(({ 0: client, 1: server }) => {
        server.accept();
        const got: string[] = [];
        client.accept();
        client.addEventListener("message", (e) => got.push(String(e.data)));
        return got;
      });
      const servers = pairs.map((p) => p[1]);
      const work: Promise<unknown>[] = [];
      // One send per slice: each socket is its own slice.
      const outbox = new FrameOutbox(() => servers, state.storage, (w) => work.push(w), 1);
      outbox.push("a");
      outbox.push("b");
      // Wait until the first slice went out and the batch yielded with sockets left.
      for (let i = 0; i < 50 && heardBy[0]?.length === 0; i++) await scheduler.wait(1);
      expect(heardBy[0]).toEqual(["a", "b"]);
      expect(heardBy.filter((g) => g.length === 0).length).toBeGreaterThan(100);
      // A frame queued mid-batch, then a join's flush: the batch finishes at once, then the new frame, for everyone.
      outbox.push("c");
      outbox.flush();
      await Promise.all(work);
      await scheduler.wait(10);
      for (const got of heardBy) expect(got).toEqual(["a", "b", "c"]);
      outbox.push("d");
      await Promise.all(work);
      await eventually(async () => heardBy.map((g) => g.length), (n) => n.every((k) => k === 4));
      for (const got of heardBy) expect(got).toEqual(["a", "b", "c", "d"]);
    });
  });
});
