import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from "jose";
import * as z from "zod";
import worker from "../../worker/index";
import { ORIGIN } from "./harness";

/**
 * Access-mode helpers for workerd tests: the Worker runs with AUTH_MODE=access against a local
 * Access team (test/global-setup.ts starts it; scripts/lib/access-team.ts), and tests mint the
 * tokens themselves with jose from the team's private keys — valid ones and every kind of bad one.
 */
const TestTeams = z.object({ TEST_ACCESS_TEAM: z.string(), TEST_ACCESS_TEAM_ROTATING: z.string() });
const TeamKeys = z.object({ audience: z.string(), keys: z.array(z.looseObject({ kid: z.string() })) });

export interface Team {
  url: string;
  audience: string;
  keys: JWK[];
}

export async function accessTeam(which: "stable" | "rotating" = "stable"): Promise<Team> {
  const teams = TestTeams.parse(env);
  const url = which === "stable" ? teams.TEST_ACCESS_TEAM : teams.TEST_ACCESS_TEAM_ROTATING;
  const keys = TeamKeys.parse(await (await fetch(`${url}/test/keys`)).json());
  return { url, audience: keys.audience, keys: keys.keys };
}

/** Publishes a new signing key in the team's JWKS and returns the team with it. */
export async function rotateTeam(team: Team): Promise<Team> {
  await fetch(`${team.url}/test/rotate`, { method: "POST" });
  const keys = TeamKeys.parse(await (await fetch(`${team.url}/test/keys`)).json());
  return { ...team, keys: keys.keys };
}

export interface TokenOptions {
  email?: string | null;
  commonName?: string;
  audience?: string;
  issuer?: string;
  /** Seconds relative to now. */
  expiresIn?: number;
  notBeforeIn?: number;
  /** Which of the team's keys signs (default: the newest); or a key the team never published. */
  key?: JWK | "unpublished";
}

const b64url = (text: string) => btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

function claims(team: Team, o: TokenOptions) {
  const now = Math.floor(Date.now() / 1000);
  return {
    ...(o.email === null ? {} : { email: o.email ?? "owner@example.com" }),
    ...(o.commonName ? { common_name: o.commonName } : {}),
    type: "app",
    iss: o.issuer ?? team.url,
    aud: [o.audience ?? team.audience],
    sub: crypto.randomUUID(),
    iat: now,
    nbf: now + (o.notBeforeIn ?? 0),
    exp: now + (o.expiresIn ?? 600),
  };
}

/** An RS256 token as Access mints it (options make it bad in one way). */
export async function mintToken(team: Team, o: TokenOptions = {}): Promise<string> {
  let jwk = o.key === "unpublished" ? undefined : (o.key ?? team.keys.at(-1));
  let kid = jwk?.kid ?? "unpublished-key";
  if (!jwk) {
    // A well-formed key of the right kind that the team never published.
    const { privateKey } = await generateKeyPair("RS256", { extractable: true });
    jwk = await exportJWK(privateKey);
    kid = "unpublished-key";
  }
  const key = await importJWK({ ...jwk, alg: "RS256" }, "RS256");
  return new SignJWT(claims(team, o)).setProtectedHeader({ alg: "RS256", kid }).sign(key);
}

/** `alg: none`: a token with no signature at all. */
export function unsignedToken(team: Team): string {
  return `${b64url(JSON.stringify({ alg: "none", typ: "JWT", kid: team.keys[0]?.kid }))}.${b64url(JSON.stringify(claims(team, {})))}.`;
}

/** HS256 with the team's public modulus as the "secret": the classic algorithm-confusion forgery. */
export async function hmacToken(team: Team): Promise<string> {
  const jwk = team.keys[0];
  const secret = new TextEncoder().encode(String(jwk?.n ?? "secret"));
  return new SignJWT(claims(team, {})).setProtectedHeader({ alg: "HS256", kid: jwk?.kid }).sign(secret);
}

/** The real Worker with AUTH_MODE=access for `team` (vars overridden; KV and rooms as configured). */
export function accessEnv(team: Pick<Team, "url" | "audience">, overrides: Partial<Record<string, string>> = {}): Env {
  return { ...env, AUTH_MODE: "access", ACCESS_TEAM_DOMAIN: team.url, ACCESS_AUD: team.audience, ...overrides };
}

/** Sends one request (a path on ORIGIN, or a full URL) through the real Worker with `workerEnv`. */
export async function fetchWith(workerEnv: Env, pathOrUrl: string, init: RequestInit = {}): Promise<Response> {
  const url = new URL(pathOrUrl, ORIGIN);
  const headers = new Headers(init.headers);
  if (!headers.has("origin")) headers.set("origin", url.origin);
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(url, { ...init, headers }), workerEnv, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}
