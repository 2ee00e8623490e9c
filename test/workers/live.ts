import { LiveFrame } from "../../core/contract";

/** A live socket in a workerd test: every frame parsed with the contract, and how it closed. */
export interface LiveSocket {
  ws: WebSocket;
  frames: LiveFrame[];
  closed: Promise<{ code: number; reason: string }>;
}

/** Accepts the client end of an upgrade answer and records what arrives. */
export function listen(res: Response): LiveSocket {
  const ws = res.webSocket;
  if (!ws) throw new Error(`no websocket: ${res.status}`);
  const frames: LiveFrame[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.addEventListener("close", (e) => resolve({ code: e.code, reason: e.reason }));
  });
  ws.addEventListener("message", (e) => {
    if (typeof e.data !== "string" || e.data === "pong") return;
    frames.push(LiveFrame.parse(JSON.parse(e.data)));
  });
  ws.accept();
  return { ws, frames, closed };
}

/** Resolves with the close, or with "open" if the socket is still open after `ms`. */
export function closedWithin(socket: LiveSocket, ms: number): Promise<{ code: number; reason: string } | "open"> {
  return Promise.race([socket.closed, new Promise<"open">((r) => setTimeout(() => r("open"), ms))]);
}

export async function framesUntil(frames: LiveFrame[], done: (frames: LiveFrame[]) => boolean, ms = 3_000): Promise<LiveFrame[]> {
  const deadline = Date.now() + ms;
  while (!done(frames) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return frames;
}
