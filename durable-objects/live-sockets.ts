import { z } from "zod";

/** What each hibernatable socket carries across evictions: only ids, never state (tldraw pattern). */
export const SocketAttachment = z.object({ email: z.string(), connectedAt: z.string() });
export type SocketAttachment = z.infer<typeof SocketAttachment>;

export function attachmentOf(ws: WebSocket): SocketAttachment | null {
  const parsed = SocketAttachment.safeParse(ws.deserializeAttachment());
  return parsed.success ? parsed.data : null;
}

/** Sends to every open socket; a socket that fails to send is closed rather than stopping the loop. */
export function broadcast(sockets: WebSocket[], json: string): void {
  for (const ws of sockets) {
    try {
      ws.send(json);
    } catch {
      try {
        ws.close(1011, "send failed");
      } catch {
        // already closed
      }
    }
  }
}
