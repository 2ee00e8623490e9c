import type { MiddlewareHandler } from "hono";
import { ApiError } from "../errors";
import { logEvent } from "../../core/log";
import type { AppEnv } from "../app-env";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** `ALLOWED_ORIGINS`: extra origins (comma- or space-separated) allowed besides the app's own. */
function allowedOrigins(ownOrigin: string, extra: string | undefined): Set<string> {
  const origins = new Set([ownOrigin]);
  for (const item of (extra ?? "").split(/[\s,]+/)) {
    if (!item) continue;
    try {
      origins.add(new URL(item).origin);
    } catch {
      logEvent("warn", "allowed_origins_item_ignored", { item: item.slice(0, 100) });
    }
  }
  return origins;
}

/**
 * Cookie-authenticated state changes and the live socket need an allowed `Origin`: the app's own
 * (the API is served on the app's host) or one in ALLOWED_ORIGINS. Browsers always send Origin
 * on these requests, and a WebSocket upgrade is not covered by CORS at all, so this is what stops
 * another site from acting, or listening, with a manager's cookies.
 */
export function requireAllowedOrigin(): MiddlewareHandler<AppEnv> {
  return async function requireAllowedOrigin(c, next) {
    const upgrade = c.req.header("Upgrade")?.toLowerCase() === "websocket";
    if (!upgrade && SAFE_METHODS.has(c.req.method)) return next();
    const origin = c.req.header("Origin");
    const own = new URL(c.req.url).origin;
    if (!origin) throw new ApiError("forbidden", "This request has no Origin header; Stackroom accepts changes only from its own app.");
    if (!allowedOrigins(own, c.env.ALLOWED_ORIGINS).has(origin)) {
      throw new ApiError("forbidden", `Requests from ${origin.slice(0, 100)} are not allowed; Stackroom accepts changes only from its own app.`);
    }
    await next();
  };
}
