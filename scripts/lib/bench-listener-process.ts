/**
 * One bench listener process (started by ListenerPool in bench-listeners.ts): opens live sockets
 * as the app does, stamps each change frame's arrival, and answers the parent's requests.
 */
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import WebSocket from "ws";
import { LiveFrame } from "../../core/contract";
import { ToListener, type FromListener } from "./bench-listeners";

/** A change frame starts `{"type":"change","seq":N` (room-view: frames are built with these keys first). */
const CHANGE_SEQ = /^\{"type":"change","seq":(\d+)/;
const HELLO_TIMEOUT_MS = 60_000;

interface Listener {
  socket: WebSocket;
  arrivals: Map<number, number>;
  /** Closed by the bench itself (the close storm): its close is not the server's doing. */
  terminated: boolean;
}

const now = () => performance.timeOrigin + performance.now();
let sockets: Listener[] = [];
/** How many open sockets heard each change seq. */
let heard = new Map<number, number>();
let highest = 0;
const closed = new Map<string, number>();
const errors = new Map<string, number>();
const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();

const bump = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);

/** Resolves with the hello's arrival time, or null (the reason counted in `failed`). */
function openOne(request: Extract<ToListener, { type: "open" }>, failed: Map<string, number>): Promise<number | null> {
  // No permessage-deflate by default, as in production: wrangler.toml's no_web_socket_compression keeps the
  // room from deflating each frame once per socket, but wrangler dev's own entry proxy would still
  // negotiate it with a client that offers it.
  const socket = new WebSocket(request.url, { headers: { cookie: request.cookie }, origin: request.origin, perMessageDeflate: request.deflate });
  const listener: Listener = { socket, arrivals: new Map(), terminated: false };
  return new Promise((resolve) => {
    let helloAt: number | null = null;
    let failedWith: string | null = null;
    const fail = (why: string) => {
      if (helloAt !== null || failedWith !== null) return;
      failedWith = why;
      clearTimeout(timer);
      bump(failed, why);
      socket.terminate();
      resolve(null);
    };
    const timer = setTimeout(() => fail(`no hello in ${HELLO_TIMEOUT_MS / 1000} s`), HELLO_TIMEOUT_MS);
    socket.on("message", (data) => {
      // The arrival time first: this process must not measure its own parsing.
      const at = now();
      const text = data.toString();
      const change = CHANGE_SEQ.exec(text);
      if (change) {
        const seq = Number(change[1]);
        listener.arrivals.set(seq, at);
        heard.set(seq, (heard.get(seq) ?? 0) + 1);
        highest = Math.max(highest, seq);
        return;
      }
      if (helloAt !== null || failedWith !== null || !text.startsWith('{"type":"hello"')) return;
      const frame = LiveFrame.safeParse(JSON.parse(text));
      if (!frame.success || frame.data.type !== "hello") return;
      helloAt = at;
      highest = Math.max(highest, frame.data.seq);
      clearTimeout(timer);
      sockets.push(listener);
      resolve(at);
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      const why = `${err.code ?? "error"} ${err.message}`.slice(0, 100);
      if (helloAt === null) fail(why);
      else bump(errors, why);
    });
    socket.on("close", (code, reason) => {
      if (helloAt === null) fail(`closed ${code} ${reason.toString()}`.trim());
      else if (!listener.terminated) bump(closed, `${code} ${reason.toString()}`.trim());
    });
  });
}

async function open(request: Extract<ToListener, { type: "open" }>): Promise<FromListener> {
  const hellos: number[] = [];
  const failed = new Map<string, number>();
  let started = 0;
  // `concurrency` handshakes in flight at any time, each lane starting the next as its socket says hello.
  const lane = async () => {
    while (started < request.count) {
      started++;
      const at = await openOne(request, failed);
      if (at !== null) hellos.push(at);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(request.concurrency, request.count)) }, lane));
  return { type: "opened", id: request.id, hellos, failed: Object.fromEntries(failed) };
}

async function arrivals(request: Extract<ToListener, { type: "await" }>): Promise<FromListener> {
  const deadline = performance.now() + request.timeoutMs;
  const live = () => sockets.filter((l) => l.socket.readyState === WebSocket.OPEN).length;
  while ((heard.get(request.seq) ?? 0) < live() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  const times: number[] = [];
  for (const l of sockets) {
    const at = l.arrivals.get(request.seq);
    if (at !== undefined) times.push(at);
  }
  return { type: "arrivals", id: request.id, times, missing: sockets.length - times.length };
}

function status(request: Extract<ToListener, { type: "status" }>): FromListener {
  const ms = (ns: number) => ns / 1e6;
  const delay = { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) };
  if (request.resetLoop) loop.reset();
  const open = sockets.filter((l) => l.socket.readyState === WebSocket.OPEN).length;
  return { type: "status", id: request.id, open, seq: highest, closed: Object.fromEntries(closed), errors: Object.fromEntries(errors), loop: delay };
}

function terminate(request: Extract<ToListener, { type: "terminate" }>): FromListener {
  for (const l of sockets) {
    l.terminated = true;
    l.socket.terminate();
  }
  sockets = [];
  heard = new Map();
  closed.clear();
  errors.clear();
  return { type: "terminated", id: request.id };
}

process.on("message", (raw) => {
  const request = ToListener.parse(raw);
  const answer = (reply: FromListener | Promise<FromListener>) => void Promise.resolve(reply).then((r) => process.send?.(r));
  if (request.type === "open") answer(open(request));
  else if (request.type === "await") answer(arrivals(request));
  else if (request.type === "status") answer(status(request));
  else answer(terminate(request));
});
process.on("disconnect", () => process.exit(0));
