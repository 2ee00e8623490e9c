import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { ApiError } from "../errors";
import { logEvent } from "../../core/log";
import type { AppEnv } from "../app-env";
import { readAuthConfig, type AuthConfig } from "./config";
import { verifyAccessToken } from "./access";
import { readSession, SESSION_COOKIE } from "./session";
import { isRevoked } from "./revocation";
import { VerifiedTokens } from "./verified-tokens";

/** This isolate's verified sign-in tokens (verified-tokens.ts). */
const verified = new VerifiedTokens();

export interface Identity {
  email: string;
  /** Names this sign-in (one browser): sign-out revokes it and closes its live sockets. */
  sessionId: string;
  /** Unix seconds. */
  expiresAt: number;
}

/**
 * First middleware of `/api/*`: reads the sign-in configuration and fails closed (503 naming
 * the problem) when it is missing or unknown, so a half-configured deployment never guesses.
 */
export function requireAuthConfig(): MiddlewareHandler<AppEnv> {
  return async function requireAuthConfig(c, next) {
    const check = readAuthConfig(c.env);
    if (!check.ok) {
      logEvent("error", "sign_in_misconfigured", { problem: check.problem, requestId: c.get("requestId") });
      throw new ApiError("unavailable", `This Stackroom deployment is misconfigured: ${check.problem}`);
    }
    c.set("auth", check.config);
    await next();
  };
}

/** Access sends its token as a header to the origin; browsers also hold it as a cookie (WebSockets). */
function accessToken(c: Context<AppEnv>): string | undefined {
  return c.req.header("Cf-Access-Jwt-Assertion") || getCookie(c, "CF_Authorization") || undefined;
}

/** Who is calling, by the configured mode; an ApiError (401, or 503 when Access's keys are unreachable) otherwise. */
export async function identify(c: Context<AppEnv>, auth: AuthConfig): Promise<Identity> {
  const identity = await verifiedIdentity(c, auth);
  if (await isRevoked(c.env.STACK_CACHE, identity.sessionId)) throw new ApiError("unauthenticated", "You signed out. Sign in again to continue.");
  return identity;
}

/** Who the request's token names: remembered when this isolate verified it before, else verified now. */
async function verifiedIdentity(c: Context<AppEnv>, auth: AuthConfig): Promise<Identity> {
  const token = auth.mode === "dev" ? getCookie(c, SESSION_COOKIE) : accessToken(c);
  if (!token) throw new ApiError("unauthenticated", auth.mode === "dev" ? "Sign in to continue." : "Sign in with Cloudflare Access to continue.");
  // What the token was verified against is part of the key: another team, audience or secret verifies afresh.
  const key = auth.mode === "dev" ? `dev\n${auth.sessionSecret}\n${token}` : `access\n${auth.teamDomain}\n${auth.audience}\n${token}`;
  const now = Math.floor(Date.now() / 1000);
  const known = verified.get(key, now);
  if (known) return known;
  let identity: Identity;
  if (auth.mode === "dev") {
    const session = await readSession(token, auth.sessionSecret);
    if (!session) throw new ApiError("unauthenticated", "Sign in to continue.");
    identity = session;
  } else {
    const verdict = await verifyAccessToken(token, auth.teamDomain, auth.audience);
    if (!verdict.ok) throw new ApiError(verdict.kind, verdict.reason);
    identity = { email: verdict.email, sessionId: verdict.sessionId, expiresAt: verdict.expiresAt };
  }
  verified.set(key, identity, now);
  return identity;
}

/** Middleware: 401 `unauthenticated` (saying why) unless the caller is a signed-in person. */
export function requireIdentity(): MiddlewareHandler<AppEnv> {
  return async function requireIdentity(c, next) {
    const identity = await identify(c, c.get("auth"));
    c.set("email", identity.email);
    c.set("sessionId", identity.sessionId);
    c.set("sessionExpiresAt", identity.expiresAt);
    await next();
  };
}
