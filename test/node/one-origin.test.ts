// Proves the browser suite's one origin in front of the production build: paths go to their server by prefix with Host, cookies and bodies unchanged, and a WebSocket upgrade is relayed both ways.
import { createServer, type IncomingMessage, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { startOneOrigin, type OneOrigin } from "../../scripts/lib/one-origin";
import { freePort } from "../../scripts/lib/ports";

/** A server that answers who it is and what it saw, sets two cookies, and echoes WebSocket messages tagged with its name. */
async function namedServer(name: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      res.setHeader("set-cookie", ["a=1; Path=/", "b=2; Path=/"]);
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ name, method: req.method, url: req.url, host: req.headers.host, origin: req.headers.origin ?? null, body }));
    });
  });
  const sockets = new WebSocketServer({ server });
  sockets.on("connection", (socket, req) => {
    socket.on("message", (data: Buffer) => {
      socket.send(`${name} ${req.url ?? ""} ${req.headers.host ?? ""}: ${data.toString()}`);
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${port}`, server };
}

let api: Awaited<ReturnType<typeof namedServer>>;
let pages: Awaited<ReturnType<typeof namedServer>>;
let front: OneOrigin;
let port: number;

beforeAll(async () => {
  api = await namedServer("api");
  pages = await namedServer("pages");
  port = await freePort();
  front = await startOneOrigin({ host: "127.0.0.1", port, routes: [{ prefix: "/api/", target: api.url }], fallback: pages.url });
});

afterAll(async () => {
  await front.stop();
  for (const { server } of [api, pages]) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe("startOneOrigin", () => {
  it("sends /api/ paths to the API and the rest to the fallback, keeping Host, Origin, body and every Set-Cookie", async () => {
    const res = await fetch(`${front.url}/api/projects/demo?x=1`, { method: "POST", headers: { origin: front.url }, body: "hello" });
    expect(await res.json()).toEqual({ name: "api", method: "POST", url: "/api/projects/demo?x=1", host: `localhost:${port}`, origin: front.url, body: "hello" });
    expect(res.headers.getSetCookie()).toEqual(["a=1; Path=/", "b=2; Path=/"]);
    const page = await fetch(`${front.url}/projects/demo`);
    expect(await page.json()).toMatchObject({ name: "pages", url: "/projects/demo", host: `localhost:${port}` });
    expect(await (await fetch(`${front.url}/apiary`)).json()).toMatchObject({ name: "pages" });
  });

  it("relays a WebSocket on an /api/ path to the API, both ways", async () => {
    const socket = new WebSocket(`ws://localhost:${port}/api/projects/demo/live`);
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    const answer = new Promise<string>((resolve) => socket.once("message", (data: Buffer) => resolve(data.toString())));
    socket.send("ping");
    expect(await answer).toBe(`api /api/projects/demo/live localhost:${port}: ping`);
    socket.close();
  });

  it("answers 502 naming the server when it does not answer", async () => {
    const gone = await freePort();
    const broken = await startOneOrigin({ host: "127.0.0.1", port: await freePort(), routes: [], fallback: `http://127.0.0.1:${gone}` });
    try {
      const res = await fetch(`${broken.url}/`);
      expect(res.status).toBe(502);
      expect(await res.text()).toContain(`127.0.0.1:${gone} did not answer`);
    } finally {
      await broken.stop();
    }
  });
});
