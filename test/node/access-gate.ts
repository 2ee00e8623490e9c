import { createServer, request as forward, type Server } from "node:http";
import { freePort } from "../../scripts/lib/ports";

/**
 * A stand-in for Cloudflare Access in front of the Worker, as it treats a non-browser client: a
 * request without a service token is redirected (302) to the team's login page; one with a wrong
 * token gets Access's 403 HTML page; one with the right CF-Access-Client-Id / CF-Access-Client-Secret
 * passes to the Worker. For testing the ops CLI as it runs in production.
 */
export interface AccessGate {
  url: string;
  clientId: string;
  clientSecret: string;
  stop(): Promise<void>;
}

export async function startAccessGate(workerUrl: string): Promise<AccessGate> {
  const clientId = "ops-cli.access";
  const clientSecret = "service-token-secret-0123456789";
  const upstream = new URL(workerUrl);
  const server: Server = createServer((req, res) => {
    const id = req.headers["cf-access-client-id"];
    const secret = req.headers["cf-access-client-secret"];
    if (id === undefined && secret === undefined) {
      res.writeHead(302, { location: `https://team.cloudflareaccess.com/cdn-cgi/access/login/${req.headers.host ?? ""}?redirect_url=${encodeURIComponent(req.url ?? "/")}` });
      res.end();
      return;
    }
    if (id !== clientId || secret !== clientSecret) {
      res.writeHead(403, { "content-type": "text/html" });
      res.end("<!DOCTYPE html><html><head><title>Forbidden · Cloudflare Access</title></head><body>You don't have permission to view this application.</body></html>");
      return;
    }
    const proxied = forward({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    proxied.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(proxied);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${port}`, clientId, clientSecret, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}
