import * as z from "zod";
import type { PresentManager } from "../core/contract";

/** What each hibernatable socket carries across evictions: only ids, never state (tldraw pattern). */
export const SocketAttachment = z.object({
  email: z.string(),
  /** The sign-in this socket belongs to: sign-out closes exactly its sockets. */
  sessionId: z.string().default(""),
  /** When that sign-in ends (Unix seconds): the room closes the socket then. Sockets from before it was kept have none. */
  expiresAt: z.number().default(Number.MAX_SAFE_INTEGER),
  connectedAt: z.string(),
});
export type SocketAttachment = z.infer<typeof SocketAttachment>;

/** Room meta key: when the earliest live socket's sign-in ends (ms), so the alarm closes it then. */
export const SOCKET_ENDS_KEY = "socketEnds";

export function attachmentOf(ws: WebSocket): SocketAttachment | null {
  const parsed = SocketAttachment.safeParse(ws.deserializeAttachment());
  return parsed.success ? parsed.data : null;
}

/** Sends to every open socket; a socket that fails to send is closed rather than stopping the loop. Answers how many it tried. */
export function broadcast(sockets: WebSocket[], json: string): number {
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
  return sockets.length;
}


/** Presence changes from a burst of joins and leaves go out as one frame per this interval (per 1,000 sockets told). */
const PRESENCE_FLUSH_MS = 250;
const SOCKETS_PER_FLUSH_INTERVAL = 1_000;

/**
 * Who has the project open, kept in memory and told by deltas. A join gets the whole list (once,
 * to the joining socket only); everyone else gets the changed managers, a burst of joins or a
 * storm of closes coalesced into at most one frame per PRESENCE_FLUSH_MS for each 1,000 sockets the
 * last frame went to. A frame costs one send per open socket, so a fixed interval would make a join
 * burst cost O(N²) (10,000 joins over 30 s: 120 frames to ~5,000 sockets each, most of the room's
 * thread); spacing frames by the room's size keeps presence's share of the thread, and so the cost
 * of one more join, the same at 1,000 and 10,000 sockets (the delta then lags up to 2.5 s there).
 * A close storm cannot stall the room's other work either.
 * The index is rebuilt from the sockets' attachments (which survive hibernation) the first time
 * a woken instance needs it.
 */
export class Presence {
  #index: Map<string, PresentManager> | null = null;
  readonly #changed = new Set<string>();
  /** Sockets already counted out (a close can be reported twice: our own close() and the handler). */
  readonly #gone = new WeakSet<WebSocket>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #interval = PRESENCE_FLUSH_MS;

  constructor(
    private readonly sockets: () => WebSocket[],
    /** Sends a frame to every open socket; answers how many. */
    private readonly send: (json: string) => number,
  ) {}

  /** The index, built from the open sockets (except `leaving`) when this instance has none yet. */
  #ensure(leaving?: WebSocket): Map<string, PresentManager> {
    if (this.#index) return this.#index;
    const index = new Map<string, PresentManager>();
    for (const ws of this.sockets()) {
      if (ws === leaving || this.#gone.has(ws)) continue;
      const who = attachmentOf(ws);
      if (who) add(index, who);
    }
    this.#index = index;
    return index;
  }

  /** A socket was accepted with `who`: counted, and the whole list goes to that socket alone. */
  joined(ws: WebSocket, who: SocketAttachment): void {
    const fresh = this.#index === null;
    const index = this.#ensure();
    // A fresh index already counted this socket (it is open); a known one gets it added.
    if (!fresh) add(index, who);
    this.#changed.add(who.email);
    this.#schedule();
    try {
      ws.send(JSON.stringify({ type: "presence", managers: sorted(index) }));
    } catch {
      // closed before it heard anything
    }
  }

  /** A socket closed (or is being closed): counted out once. */
  left(ws: WebSocket): void {
    if (this.#gone.has(ws)) return;
    const fresh = this.#index === null;
    const index = this.#ensure(ws);
    this.#gone.add(ws);
    const who = attachmentOf(ws);
    if (!who) return;
    if (!fresh) remove(index, who.email);
    this.#changed.add(who.email);
    this.#schedule();
  }

  #schedule(): void {
    this.#timer ??= setTimeout(() => this.flush(), this.#interval);
  }

  /** Sends the pending changes as one delta frame (upserts, and managers who left). */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#changed.size === 0 || !this.#index) return;
    const managers: PresentManager[] = [];
    const left: string[] = [];
    for (const email of this.#changed) {
      const entry = this.#index.get(email);
      if (entry) managers.push({ ...entry });
      else left.push(email);
    }
    this.#changed.clear();
    const told = this.send(JSON.stringify({ type: "presence-delta", managers, left }));
    this.#interval = PRESENCE_FLUSH_MS * Math.max(1, told / SOCKETS_PER_FLUSH_INTERVAL);
  }
}

function add(index: Map<string, PresentManager>, who: SocketAttachment): void {
  const seen = index.get(who.email);
  if (!seen) index.set(who.email, { email: who.email, since: who.connectedAt, connections: 1 });
  else {
    seen.connections++;
    if (who.connectedAt < seen.since) seen.since = who.connectedAt;
  }
}

function remove(index: Map<string, PresentManager>, email: string): void {
  const seen = index.get(email);
  if (!seen) return;
  seen.connections--;
  if (seen.connections <= 0) index.delete(email);
}

function sorted(index: Map<string, PresentManager>): PresentManager[] {
  return [...index.values()].map((m) => ({ ...m })).sort((a, b) => a.email.localeCompare(b.email));
}
