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

/** Resolves with the close, or with "open" if the socket is still open after `ms` (to wait for a close that must come). */
export function closedWithin(socket: LiveSocket, ms: number): Promise<{ code: number; reason: string } | "open"> {
  return Promise.race([socket.closed, new Promise<"open">((r) => setTimeout(() => r("open"), ms))]);
}

export async function framesUntil(frames: LiveFrame[], done: (frames: LiveFrame[]) => boolean, ms = 3_000): Promise<LiveFrame[]> {
  const deadline = Date.now() + ms;
  while (!done(frames) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return frames;
}

/** The presence delta the room sends once it has counted `email` down to `connections` sockets (0: gone). */
export const presenceCounted = (email: string, connections: number) => (f: LiveFrame) =>
  f.type === "presence-delta" && (connections === 0 ? f.left.includes(email) : f.managers.some((m) => m.email === email && m.connections === connections));

/**
 * "Nothing closed this socket", without waiting a fixed time: waits for a frame the room sends only
 * after the closes it must not have been part of (e.g. the presence delta that counts them), then
 * answers "open", the close that came instead, or "no frame". A socket the room closed earlier never
 * receives a later frame, and its close arrives before anything sent after it.
 */
export async function openWhen(socket: LiveSocket, later: (frame: LiveFrame) => boolean): Promise<{ code: number; reason: string } | "open" | "no frame"> {
  const heard = framesUntil(socket.frames, (fs) => fs.some(later)).then(() => "heard" as const);
  const first = await Promise.race([socket.closed, heard]);
  if (first !== "heard") return first;
  if (!socket.frames.some(later)) return "no frame";
  return closedWithin(socket, 0);
}
