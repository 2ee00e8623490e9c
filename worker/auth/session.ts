import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie, deleteCookie } from "hono/cookie";
import { jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import { ApiError } from "../errors";
import type { AppEnv } from "../app-env";

export const SESSION_COOKIE = "stackroom_session";
const SESSION_TTL_SECONDS = 12 * 60 * 60;
const ISSUER = "stackroom";

const SessionClaims = z.object({ sub: z.email() });

function key(secret: string): Uint8Array {
  if (secret.length < 16) throw new Error("SESSION_SECRET must be at least 16 characters");
  return new TextEncoder().encode(secret);
}

/** Signs an HS256 session token and sets it as an HttpOnly, SameSite=Lax cookie. */
export async function startSession(c: Context<AppEnv>, email: string): Promise<void> {
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(email)
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(`${SESSION_TTL_SECONDS}s`)
    .sign(key(c.env.SESSION_SECRET));
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

async function sessionEmail(c: Context<AppEnv>): Promise<string | null> {
  const token = getCookie(c, SESSION_COOKIE);
  if (!token) return null;
  try {
    const { payload } = await jwtVerify(token, key(c.env.SESSION_SECRET), { issuer: ISSUER, algorithms: ["HS256"] });
    const claims = SessionClaims.safeParse(payload);
    return claims.success ? claims.data.sub : null;
  } catch {
    return null;
  }
}

/** Middleware: 401 `unauthenticated` unless a valid session cookie names the caller. */
export function requireSession(): MiddlewareHandler<AppEnv> {
  return async function requireSession(c, next) {
    const email = await sessionEmail(c);
    if (!email) throw new ApiError("unauthenticated", "Sign in to continue.");
    c.set("email", email);
    await next();
  };
}
