// Proves the live socket's behaviour with fake timers and a fake WebSocket: hello makes it live, drops reconnect with capped exponential backoff resuming from the latest seq, silence is noticed, bad frames are ignored, and a refusal (4401/4403) stops retrying and hands over.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LiveConnection } from "./live-connection.svelte";

type Listener = (event: { data?: unknown; code?: number; reason?: string }) => void;

class FakeSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  static all: FakeSocket[] = [];
  readyState = FakeSocket.CONNECTING;
  sent: string[] = [];
  readonly #listeners = new Map<string, Listener[]>();

  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }

  addEventListener(type: string, listener: Listener): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }

  send(data: string): void {
    this.sent.push(data);
  }

  close(): void {
    this.readyState = FakeSocket.CLOSED;
  }

  // What the server (or the network) does:
  open(): void {
    this.readyState = FakeSocket.OPEN;
    this.#emit("open", {});
  }

  frame(value: unknown): void {
    this.#emit("message", { data: typeof value === "string" ? value : JSON.stringify(value) });
  }

  drop(code = 1006, reason = ""): void {
    this.readyState = FakeSocket.CLOSED;
    this.#emit("close", { code, reason });
  }

  #emit(type: string, event: Parameters<Listener>[0]): void {
    for (const listener of this.#listeners.get(type) ?? []) listener(event);
  }
}

const latest = () => FakeSocket.all.at(-1)!;

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(Math, "random").mockReturnValue(1); // no jitter: delay = the ceiling
  FakeSocket.all = [];
  vi.stubGlobal("WebSocket", FakeSocket);
  vi.stubGlobal("navigator", { onLine: true });
  vi.stubGlobal("window", { addEventListener: vi.fn(), removeEventListener: vi.fn() });
  vi.stubGlobal("document", { addEventListener: vi.fn(), removeEventListener: vi.fn(), visibilityState: "visible" });
  vi.spyOn(console, "warn").mockImplementation(() => undefined);
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

function connection(seq = { value: 7 }) {
  const frames: unknown[] = [];
  const refused: [number, string][] = [];
  const live = new LiveConnection({
    url: () => `ws://test/live?since=${seq.value}`,
    onFrame: (frame) => {
      frames.push(frame);
    },
    onRefused: (status, reason) => {
      refused.push([status, reason]);
    },
  });
  return { live, frames, refused, seq };
}

describe("LiveConnection", () => {
  it("is live after the room's hello and passes valid frames on", () => {
    const { live, frames } = connection();
    live.start();
    expect(live.status).toBe("connecting");
    latest().open();
    latest().frame({ type: "hello", seq: 7 });
    expect(live.status).toBe("live");
    latest().frame("not json");
    latest().frame({ type: "nonsense" });
    latest().frame({ type: "presence", managers: [] });
    expect(frames).toEqual([{ type: "hello", seq: 7 }, { type: "presence", managers: [] }]);
    live.stop();
  });

  it("reconnects with exponential backoff, capped, resuming from the latest seq", () => {
    const { live, seq } = connection();
    live.start();
    const delays: number[] = [];
    for (let attempt = 0; attempt < 7; attempt++) {
      latest().drop();
      expect(live.retryAt).not.toBeNull();
      delays.push((live.retryAt ?? 0) - Date.now());
      seq.value += 1;
      vi.advanceTimersByTime(delays.at(-1) ?? 0);
    }
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    expect(live.status).toBe("offline"); // five failures in a row; retries go on
    expect(FakeSocket.all).toHaveLength(8);
    expect(latest().url).toBe("ws://test/live?since=14");
    latest().open();
    latest().frame({ type: "hello", seq: 14 });
    expect(live.status).toBe("live");
    expect(live.failures).toBe(0);
    live.stop();
  });

  it("pings, and treats a silent socket as dead", () => {
    const { live } = connection();
    live.start();
    const first = latest();
    first.open();
    first.frame({ type: "hello", seq: 7 });
    vi.advanceTimersByTime(20_000);
    expect(first.sent).toEqual(["ping"]);
    vi.advanceTimersByTime(40_000);
    expect(live.status).toBe("reconnecting");
    vi.advanceTimersByTime(500);
    expect(latest()).not.toBe(first);
    live.stop();
  });

  it("stops for good when the room refuses the socket", () => {
    const { live, refused } = connection();
    live.start();
    latest().drop(4401, "signed out");
    expect(live.status).toBe("refused");
    expect(refused).toEqual([[401, "signed out"]]);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(1);
    live.retryNow();
    expect(FakeSocket.all).toHaveLength(1);
  });

  it("waits for the network while offline, and Retry now skips the backoff", () => {
    const { live } = connection();
    live.start();
    latest().drop();
    expect(live.status).toBe("reconnecting");
    live.retryNow();
    expect(FakeSocket.all).toHaveLength(2);
    vi.stubGlobal("navigator", { onLine: false });
    latest().drop();
    expect(live.status).toBe("offline");
    expect(live.retryAt).toBeNull();
    live.stop();
  });
});
