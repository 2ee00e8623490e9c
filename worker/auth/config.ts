/**
 * How this deployment signs people in, read from the Worker's vars. Anything missing or unknown
 * is a configuration error: the Worker then refuses every `/api/*` request (fails closed) instead
 * of guessing a mode, and says what to fix.
 */
export type AuthConfig =
  | { mode: "dev"; sessionSecret: string }
  | { mode: "access"; teamDomain: string; audience: string };

type AuthConfigCheck = { ok: true; config: AuthConfig } | { ok: false; problem: string };

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.has(hostname);
}

interface AuthVars {
  AUTH_MODE?: string;
  SESSION_SECRET?: string;
  ACCESS_TEAM_DOMAIN?: string;
  ACCESS_AUD?: string;
}

/** The team domain as an origin (`https://<team>.cloudflareaccess.com`): plain http only on loopback. */
function teamDomain(raw: string | undefined): { ok: true; origin: string } | { ok: false; problem: string } {
  if (!raw) return { ok: false, problem: "ACCESS_TEAM_DOMAIN is not set (e.g. https://your-team.cloudflareaccess.com)." };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, problem: `ACCESS_TEAM_DOMAIN “${raw}” is not a URL (e.g. https://your-team.cloudflareaccess.com).` };
  }
  if (url.pathname !== "/" || url.search || url.hash || url.username) {
    return { ok: false, problem: "ACCESS_TEAM_DOMAIN must be just the team's origin, without a path." };
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    return { ok: false, problem: "ACCESS_TEAM_DOMAIN must use https (plain http only for a loopback test team)." };
  }
  return { ok: true, origin: url.origin };
}

export function readAuthConfig(env: AuthVars): AuthConfigCheck {
  switch (env.AUTH_MODE) {
    case "access": {
      const team = teamDomain(env.ACCESS_TEAM_DOMAIN);
      if (!team.ok) return team;
      if (!env.ACCESS_AUD) return { ok: false, problem: "ACCESS_AUD is not set: use the Application Audience (AUD) tag of the Access application." };
      return { ok: true, config: { mode: "access", teamDomain: team.origin, audience: env.ACCESS_AUD } };
    }
    case "dev":
      if (!env.SESSION_SECRET || env.SESSION_SECRET.length < 16) {
        return { ok: false, problem: "AUTH_MODE is dev but SESSION_SECRET is missing or shorter than 16 characters." };
      }
      return { ok: true, config: { mode: "dev", sessionSecret: env.SESSION_SECRET } };
    case undefined:
    case "":
      return { ok: false, problem: "AUTH_MODE is not set. Production uses AUTH_MODE=access (Cloudflare Access); `npm run dev` sets dev." };
    default:
      return { ok: false, problem: `AUTH_MODE “${env.AUTH_MODE}” is not a sign-in mode; use “access” (or “dev” for local runs).` };
  }
}
