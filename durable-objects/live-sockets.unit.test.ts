// Presence deltas cost the same per join in a room of 1,000 sockets as in one of 5,000 (issue 20), and still tell everyone the final count.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { broadcast, Presence, type SocketAttachment } from "./live-sockets";

/** A stand-in for a hibernatable socket: counts what it is sent; carries its attachment. */
function socket(email: string, counter: { sends: number; last: string }): WebSocket {
  const attachment: SocketAttachment = { email, sessionId: "s", expiresAt: Number.MAX_SAFE_INTEGER, connectedAt: new Date(0).toISOString() };
  const stand = {
    send: (json: string) => {
      counter.sends++;
      counter.last = json;
    },
    deserializeAttachment: () => attachment,
  };
  return stand as unknown as WebSocket;
}

/** Sends per join (to the others: the joiner's own presence list is not counted) of a 1,000-join burst, one join per 10 ms, into a room of `base` sockets. */
function burst(base: number): { perJoin: number; last: string } {
  const sockets: WebSocket[] = [];
  const counter = { sends: 0, last: "" };
  const presence = new Presence(() => sockets, (json) => broadcast(sockets, json));
  const join = (i: number) => {
    const ws = socket(`m${i % 7}@example.com`, counter);
    sockets.push(ws);
    presence.joined(ws, { email: `m${i % 7}@example.com`, sessionId: "s", expiresAt: Number.MAX_SAFE_INTEGER, connectedAt: new Date(0).toISOString() });
  };
  for (let i = 0; i < base; i++) join(i);
  vi.runAllTimers();
  const before = counter.sends;
  for (let i = base; i < base + 1_000; i++) {
    join(i);
    vi.advanceTimersByTime(10);
  }
  vi.runAllTimers();
  return { perJoin: (counter.sends - before - 1_000) / 1_000, last: counter.last };
}

describe("Presence", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it("spaces its delta frames by the room's size, so a join costs the same sends at 1,000 and 5,000 sockets", () => {
    const small = burst(1_000);
    const large = burst(5_000);
    // A fixed 250 ms interval costs ~60 sends per join at 1,000 and ~220 at 5,000 (3.7x).
    expect(large.perJoin / small.perJoin).toBeLessThan(1.3);
    expect(large.perJoin).toBeLessThan(60);
    // The last delta carries every manager's final count: 6,000 sockets over 7 managers.
    const last = JSON.parse(large.last) as { type: string; managers: Array<{ connections: number }> };
    expect(last.type).toBe("presence-delta");
    expect(last.managers.reduce((sum, m) => sum + m.connections, 0)).toBe(6_000);
  });
});
