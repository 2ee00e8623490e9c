import { createServer } from "node:net";

/** Ports this process handed out already: stacks started side by side never get the same one. */
const handedOut = new Set<number>();

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, never one this process handed out before
 * (a port is free again until its taker binds it).
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await osPort();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error("no free TCP port that was not handed out already");
}

/**
 * Ports are drawn below Linux's ephemeral range (32768 and up), where the OS picks the local
 * ports of outgoing connections and of servers bound to port 0: so a connection another stack
 * opens meanwhile cannot take a port chosen here before its process binds it.
 */
const RANGE = { from: 20_000, to: 32_000 };

async function osPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = RANGE.from + Math.floor(Math.random() * (RANGE.to - RANGE.from));
    if (await bindable(port)) return port;
  }
  return anyPort();
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** Whatever port the OS offers (when the range is full). */
function anyPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers (any HTTP status) or `timeoutMs` passes. */
export async function waitForHttp(url: string, timeoutMs = 30_000, init?: RequestInit): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      await fetch(url, { ...init, signal: AbortSignal.timeout(2_000) });
      return;
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms: ${String(last)}`);
}

/** Fails with a message naming the variable to change when `port` is taken on 127.0.0.1. */
export function assertPortFree(port: number, variable: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", () => reject(new Error(`Port ${port} is already in use. Free it or choose another with ${variable}=<port>.`)));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
  });
}
