import type { Context } from "hono";
import { setCookie, deleteCookie } from "hono/cookie";
import { jwtVerify, SignJWT } from "jose";
import * as z from "zod";
import type { AppEnv } from "../app-env";

/** The dev-mode session: an HS256 cookie signed with SESSION_SECRET, revocable by its id (jti). */
export const SESSION_COOKIE = "stackroom_session";
const SESSION_TTL_SECONDS = 12 * 60 * 60;
const ISSUER = "stackroom";

const SessionClaims = z.object({ sub: z.email(), jti: z.string().min(16), exp: z.number() });

interface DevSession {
  email: string;
  sessionId: string;
  expiresAt: number;
}

const key = (secret: string) => new TextEncoder().encode(secret);

/** Signs a session token and sets it as an HttpOnly, SameSite=Lax cookie. */
export async function startSession(c: Context<AppEnv>, secret: string, email: string): Promise<void> {
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(email)
    .setJti(crypto.randomUUID())
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(`${SESSION_TTL_SECONDS}s`)
    .sign(key(secret));
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "Lax",
    secure: new URL(c.req.url).protocol === "https:",
    path: "/",
    maxAge: SESSION_TTL_SECONDS,
  });
}

export function endSession(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/" });
}

/** The session a cookie's token names, or null when it is not ours / expired. */
export async function readSession(token: string, secret: string): Promise<DevSession | null> {
  try {
    const { payload } = await jwtVerify(token, key(secret), { issuer: ISSUER, algorithms: ["HS256"] });
    const claims = SessionClaims.safeParse(payload);
    return claims.success ? { email: claims.data.sub, sessionId: `dev:${claims.data.jti}`, expiresAt: claims.data.exp } : null;
  } catch {
    return null;
  }
}
