import * as z from "zod";

/** What each hibernatable socket carries across evictions: only ids, never state (tldraw pattern). */
export const SocketAttachment = z.object({
  email: z.string(),
  /** The sign-in this socket belongs to: sign-out closes exactly its sockets. */
  sessionId: z.string().default(""),
  connectedAt: z.string(),
});
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

/** Who has the project open: one line per manager, from the sockets' attachments (survives hibernation). */
export function presenceFrame(sockets: WebSocket[], leaving?: WebSocket): string {
  const managers = new Map<string, { email: string; since: string; connections: number }>();
  for (const ws of sockets) {
    if (ws === leaving) continue;
    const who = attachmentOf(ws);
    if (!who) continue;
    const seen = managers.get(who.email);
    if (seen) {
      seen.connections++;
      if (who.connectedAt < seen.since) seen.since = who.connectedAt;
    } else managers.set(who.email, { email: who.email, since: who.connectedAt, connections: 1 });
  }
  return JSON.stringify({ type: "presence", managers: [...managers.values()].sort((a, b) => a.email.localeCompare(b.email)) });
}
