import { Hono, type Context } from "hono";
import * as z from "zod";
import { Email, type AuthInfo, type Me, type SignedOut } from "../../core/contract";
import { ApiError } from "../errors";
import { endSession, startSession } from "../auth/session";
import { identify, requireIdentity, type Identity } from "../auth/identity";
import { isLoopbackHost, type AuthConfig } from "../auth/config";
import { revokeSession } from "../auth/revocation";
import { clientAddress, takeRateLimit } from "../auth/rate-limit";
import { listProjects } from "../registry";
import { membershipsOf } from "../membership";
import { projectRoom } from "../room";
import { jsonBody } from "../validate";
import type { AppEnv } from "../app-env";

const DevLogin = z.strictObject({ email: Email });
/** Seconds of the DEV_LOGIN_LIMITER binding's period (wrangler.toml). */
const DEV_LOGIN_PERIOD_SECONDS = 60;

/** Where Access signs people in for this host: the team's login page, back to `/` afterwards. */
function accessInfo(c: Context<AppEnv>, auth: Extract<AuthConfig, { mode: "access" }>): Extract<AuthInfo, { mode: "access" }> {
  const host = new URL(c.req.url).host;
  const signIn = new URL(`/cdn-cgi/access/login/${host}`, auth.teamDomain);
  signIn.searchParams.set("kid", auth.audience);
  signIn.searchParams.set("redirect_url", "/");
  // On the application's own host, Access ends the sign-in (all Access applications of the team).
  return { mode: "access", signInUrl: signIn.toString(), signOutUrl: "/cdn-cgi/access/logout" };
}

/** Rooms told of a sign-out at once; projects are AWS accounts, so this is rarely more than one round. */
const SIGN_OUT_FAN_OUT = 20;

async function endSessionEverywhere(env: Env, sessionId: string, expiresAt: number): Promise<void> {
  const projects = await listProjects(env);
  for (let i = 0; i < projects.length; i += SIGN_OUT_FAN_OUT) {
    await Promise.all(projects.slice(i, i + SIGN_OUT_FAN_OUT).map((p) => projectRoom(env, p.id).endSession(sessionId, expiresAt)));
  }
}

/** Sign-in mode, dev sign-in, sign-out and `GET /api/me`. */
export const authRoutes = new Hono<AppEnv>()
  .get("/auth", (c) => {
    const auth = c.get("auth");
    return c.json(auth.mode === "access" ? accessInfo(c, auth) : ({ mode: "dev" } satisfies AuthInfo));
  })
  // Dev sign-in exists only in dev mode, and only for loopback hosts (a local `npm run dev`).
  .post("/dev/login", async (c) => {
    const auth = c.get("auth");
    if (auth.mode !== "dev" || !isLoopbackHost(new URL(c.req.url).hostname)) throw new ApiError("not_found", `No route for POST ${c.req.path}.`);
    await takeRateLimit(c.env.DEV_LOGIN_LIMITER, `dev-login:${clientAddress(c)}`, DEV_LOGIN_PERIOD_SECONDS, "sign-in attempts from your address");
    const { email } = await jsonBody(c, DevLogin);
    await startSession(c, auth.sessionSecret, email);
    return c.body(null, 204);
  })
  // Ends this sign-in everywhere Stackroom can: revoked server-side, its live sockets closed in
  // every project, the dev cookie cleared; with Access the browser then goes to Access's logout.
  .post("/logout", async (c) => {
    const auth = c.get("auth");
    let identity: Identity | null = null;
    try {
      identity = await identify(c, auth);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
    }
    if (identity) {
      const { sessionId, expiresAt } = identity;
      await revokeSession(c.env.STACK_CACHE, sessionId, expiresAt);
      // Every project's room, not only those a (possibly stale) KV copy says the person is in:
      // the rooms are where the sign-in is refused from now on, and its sockets closed.
      await endSessionEverywhere(c.env, sessionId, expiresAt);
    }
    if (auth.mode === "dev") endSession(c);
    return c.json({ signOutUrl: auth.mode === "access" ? accessInfo(c, auth).signOutUrl : null } satisfies SignedOut);
  })
  .get("/me", requireIdentity(), async (c) => {
    const email = c.get("email");
    const memberships = await membershipsOf(c.env, await listProjects(c.env), email);
    const projects = memberships.map(({ project, role }) => ({ id: project.id, name: project.name, role }));
    return c.json({ email, projects } satisfies Me);
  });
