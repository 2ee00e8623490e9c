import type { Context, MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { configureLogs, logEvent } from "../core/log";
import type { AppEnv } from "./app-env";

/**
 * One JSON line per request (method, route pattern, status, duration, project, request id,
 * operation id), and the request id on the answer (`X-Request-Id`), so a manager's report and the
 * logs meet: `wrangler tail --search <id>`. The id is Cloudflare's Ray ID when there is one.
 */
export function requestLog(): MiddlewareHandler<AppEnv> {
  return async function requestLog(c, next) {
    configureLogs(c.env.LOG_LEVEL);
    const started = Date.now();
    const requestId = c.req.header("cf-ray") ?? crypto.randomUUID();
    c.set("requestId", requestId);
    await next();
    const status = c.res.status;
    // A WebSocket's 101, passed through from its room, has immutable headers: not tried (a throw
    // and its catch on every socket's join cost more than the rest of this middleware).
    if (status !== 101) {
      try {
        c.res.headers.set("X-Request-Id", requestId);
      } catch {
        // Another answer passed through with immutable headers.
      }
    }
    logEvent(status >= 500 ? "error" : "info", "request", {
      method: c.req.method,
      route: routePath(c, -1),
      status,
      ms: Date.now() - started,
      project: c.get("project")?.id,
      requestId,
      operationId: c.get("operationId"),
    });
  };
}

/** Notes the stack operation a request started or queued (for its log line); answers its id. */
export function started(c: Context<AppEnv>, operationId: string): string {
  c.set("operationId", operationId);
  return operationId;
}
