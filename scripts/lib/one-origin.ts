import { createServer, request as httpRequest, Agent, type IncomingMessage, type ServerResponse } from "node:http";
import { request as httpsRequest, Agent as HttpsAgent } from "node:https";
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import type { Duplex } from "node:stream";

/** Requests whose path starts with `prefix` go to `target` (an origin, `http://127.0.0.1:8787`). */
export interface OriginRoute {
  prefix: string;
  target: string;
}

export interface OneOrigin {
  url: string;
  stop(): Promise<void>;
}

/**
 * One origin for the browser in front of several local servers, as production has one host where
 * Cloudflare routes `/api/*` to the API Worker and the rest to Pages: HTTP and WebSocket upgrades
 * go to the first route whose prefix matches the path, else to `fallback`. The Host header and
 * everything else pass unchanged (the Worker checks Origin against its own URL, which wrangler
 * builds from Host), so cookies, Origin checks and `ws://<page host>/api/...` work as deployed.
 */
export async function startOneOrigin(options: { host: string; port: number; routes: OriginRoute[]; fallback: string }): Promise<OneOrigin> {
  const targetOf = (path: string): URL => new URL(options.routes.find((r) => path.startsWith(r.prefix))?.target ?? options.fallback);
  const agents = { http: new Agent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  // Upgraded sockets leave the server's bookkeeping: stop() ends them itself.
  const relayed = new Set<Duplex>();

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const target = targetOf(req.url ?? "/");
    const secure = target.protocol === "https:";
    const upstream = (secure ? httpsRequest : httpRequest)(
      {
        host: target.hostname,
        port: target.port || (secure ? 443 : 80),
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: secure ? agents.https : agents.http,
      },
      (answer) => {
        // Raw headers keep every Set-Cookie and the upstream's spelling.
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
        answer.pipe(res);
      },
    );
    upstream.on("error", (err) => {
      if (res.headersSent) res.destroy(err);
      else res.writeHead(502, { "content-type": "text/plain" }).end(`${target.origin} did not answer: ${err.message}\n`);
    });
    // The browser gave up (navigated away): so does the request it made.
    res.on("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  };

  // A WebSocket is relayed byte for byte: the upgrade request as it came, then both directions.
  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const target = targetOf(req.url ?? "/");
    const secure = target.protocol === "https:";
    const port = Number(target.port || (secure ? 443 : 80));
    const onConnect = () => {
      const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    };
    const upstream: Socket = secure ? tlsConnect({ host: target.hostname, port, servername: target.hostname }, onConnect) : netConnect(port, target.hostname, onConnect);
    relayed.add(socket).add(upstream);
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
    upstream.on("close", () => socket.destroy());
    socket.on("close", () => {
      upstream.destroy();
      relayed.delete(socket);
      relayed.delete(upstream);
    });
  };

  const server = createServer(forward);
  server.on("upgrade", upgrade);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    url: `http://localhost:${options.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        agents.http.destroy();
        agents.https.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of relayed) socket.destroy();
      }),
  };
}
