/**
 * A local stand-in for a Cloudflare Access team, so the production sign-in mode runs on one
 * machine (as moto stands in for AWS): it publishes its signing keys where Access does
 * (`/cdn-cgi/access/certs`), and plays Access's browser flow — a login page for the application
 * (`/cdn-cgi/access/login/<app host>?kid=<aud>&redirect_url=`), `/cdn-cgi/access/authorized`
 * (sets `CF_Authorization` on the application's host; the app's dev server proxies `/cdn-cgi`
 * here) and `/cdn-cgi/access/logout`. Tokens are RS256 JWTs shaped like Access's.
 * With `testEndpoints`, tests can fetch the private keys (to mint their own tokens) and rotate.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";

export interface AccessTeam {
  /** The team domain (= JWT issuer): `http://127.0.0.1:<port>`. */
  url: string;
  audience: string;
  /** Mints an application token for `email` (as Access does after a login). */
  mint(email: string, ttlSeconds?: number): Promise<string>;
  /** Publishes a new key and signs with it from now on; the old key stays published. */
  rotate(): Promise<string>;
  stop(): Promise<void>;
}

interface SigningKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
  privateKey: CryptoKey;
}

async function newKey(): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
  const kid = randomUUID().replace(/-/g, "");
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: "RS256" };
  return { kid, publicJwk, privateJwk, privateKey };
}

const COOKIE = "CF_Authorization";

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store", ...headers });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      text += chunk;
      if (text.length > 10_000) req.destroy();
    });
    req.on("end", () => resolve(text));
    req.on("error", reject);
  });
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Only same-site paths are followed after login/logout. */
const safePath = (value: string | null) => (value && value.startsWith("/") && !value.startsWith("//") ? value : "/");

function loginPage(appHost: string, redirect: string, audience: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in · local Access</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px system-ui,sans-serif;max-width:26rem;margin:4rem auto;padding:0 1rem;color:#1d2633}
label{display:block;margin:1rem 0 .3rem;font-weight:600}input{width:100%;padding:.55rem;font:inherit;box-sizing:border-box}
button{margin-top:1rem;padding:.6rem 1rem;font:inherit;background:#1f4f8f;color:#fff;border:0;border-radius:6px}
p{color:#4a5565}</style></head><body>
<h1>Sign in to ${escapeHtml(appHost)}</h1>
<p>Local stand-in for Cloudflare Access: whoever you type here is who Stackroom sees.</p>
<form method="post" action="/cdn-cgi/access/login/${encodeURIComponent(appHost)}">
<input type="hidden" name="redirect_url" value="${escapeHtml(redirect)}"><input type="hidden" name="kid" value="${escapeHtml(audience)}">
<label for="email">Email</label><input id="email" name="email" type="email" required autofocus autocomplete="email" data-testid="access-email">
<button type="submit" data-testid="access-login-submit">Sign in</button></form></body></html>`;
}

export async function startAccessTeam(options: { port: number; audience?: string; testEndpoints?: boolean; ttlSeconds?: number }): Promise<AccessTeam> {
  const url = `http://127.0.0.1:${options.port}`;
  const audience = options.audience ?? randomUUID().replace(/-/g, "");
  const keys: SigningKey[] = [await newKey()];
  const current = () => keys[keys.length - 1] as SigningKey;
  const ttl = options.ttlSeconds ?? 60 * 60;

  async function mint(email: string, ttlSeconds = ttl): Promise<string> {
    const key = current();
    return new SignJWT({ email, type: "app", identity_nonce: randomUUID(), country: "XX" })
      .setProtectedHeader({ alg: "RS256", kid: key.kid })
      .setIssuer(url)
      .setAudience([audience])
      .setSubject(randomUUID())
      .setIssuedAt()
      .setNotBefore("0s")
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(key.privateKey);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reqUrl = new URL(req.url ?? "/", url);
    const path = reqUrl.pathname;
    if (path === "/cdn-cgi/access/certs") {
      send(res, 200, "application/json", JSON.stringify({ keys: keys.map((k) => k.publicJwk), public_cert: { kid: current().kid } }));
      return;
    }
    const login = /^\/cdn-cgi\/access\/login\/([^/]+)$/.exec(path);
    if (login && req.method === "GET") {
      send(res, 200, "text/html; charset=utf-8", loginPage(decodeURIComponent(login[1] ?? ""), safePath(reqUrl.searchParams.get("redirect_url")), audience));
      return;
    }
    if (login && req.method === "POST") {
      const form = new URLSearchParams(await readBody(req));
      const email = (form.get("email") ?? "").trim().toLowerCase();
      if (!/^[^\s@]+@[^\s@]+$/.test(email)) return send(res, 400, "text/plain", "Enter an email address.");
      const appHost = decodeURIComponent(login[1] ?? "");
      const back = new URL(`http://${appHost}/cdn-cgi/access/authorized`);
      back.searchParams.set("token", await mint(email));
      back.searchParams.set("redirect_url", safePath(form.get("redirect_url")));
      send(res, 303, "text/plain", "", { location: back.toString() });
      return;
    }
    // Reached through the application's host (its dev server proxies /cdn-cgi here), so the
    // cookie lands on the application's host, as Access's does.
    if (path === "/cdn-cgi/access/authorized") {
      const token = reqUrl.searchParams.get("token") ?? "";
      send(res, 303, "text/plain", "", {
        location: safePath(reqUrl.searchParams.get("redirect_url")),
        "set-cookie": `${COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${ttl}`,
      });
      return;
    }
    if (path === "/cdn-cgi/access/logout") {
      send(res, 200, "text/html; charset=utf-8", `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signed out</title></head><body style="font:16px system-ui;max-width:26rem;margin:4rem auto"><h1>You are signed out</h1><p><a href="/" data-testid="access-back">Back to the application</a></p></body></html>`, {
        "set-cookie": `${COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`,
      });
      return;
    }
    if (options.testEndpoints && path === "/test/keys") {
      send(res, 200, "application/json", JSON.stringify({ audience, keys: keys.map((k) => k.privateJwk) }));
      return;
    }
    if (options.testEndpoints && path === "/test/rotate" && req.method === "POST") {
      keys.push(await newKey());
      send(res, 200, "application/json", JSON.stringify({ kid: current().kid }));
      return;
    }
    send(res, 404, "text/plain", "not found");
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, "text/plain", String(err)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  return {
    url,
    audience,
    mint,
    async rotate() {
      keys.push(await newKey());
      return current().kid;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
