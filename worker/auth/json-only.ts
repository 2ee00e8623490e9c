import type { MiddlewareHandler } from "hono";
import { ApiError } from "../errors";
import type { AppEnv } from "../app-env";

/**
 * CSRF defence for a cookie-authenticated JSON API: a cross-site page can only send "simple"
 * requests without a CORS preflight — POST with a form or text body. Every POST here must carry
 * `Content-Type: application/json`, which a cross-site page cannot send without a preflight that
 * we never grant. PUT/PATCH/DELETE are always preflighted.
 */
export function jsonOnlyPosts(): MiddlewareHandler<AppEnv> {
  return async function jsonOnlyPosts(c, next) {
    if (c.req.method === "POST" && !/^application\/json\b/i.test(c.req.header("content-type") ?? "")) {
      throw new ApiError("invalid", "Send the request body as JSON (Content-Type: application/json).");
    }
    await next();
  };
}
