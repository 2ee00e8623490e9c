import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { errorStatus, type ErrorCode, type ErrorEnvelope } from "../core/contract";
import type { RoomResult } from "../core/room-result";
import { routePath } from "hono/route";
import { errorText, logEvent } from "../core/log";
import type { AppEnv } from "./app-env";

/** The one error class of the API: a machine `code`, a human `message`, optional per-field messages. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
    /** Sent as Retry-After (429 answers). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }

  get status(): number {
    return errorStatus[this.code];
  }

  toJSON(): ErrorEnvelope {
    return { error: { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}) } };
  }
}

/** Turns a room's refusal back into the ApiError the route answers with. */
export function unwrap<R extends RoomResult<object>>(result: R): Extract<R, { ok: true }> {
  const checked: RoomResult<object> = result;
  if (!checked.ok) throw new ApiError(checked.error.code, checked.error.message, checked.error.fields);
  // Narrowing a generic union is beyond TypeScript; `ok` was just checked.
  return result as Extract<R, { ok: true }>;
}

/**
 * Browsers hide the HTTP status of a refused WebSocket upgrade, so a refusal is answered by
 * accepting and closing at once with close code 4000 + status (4401 sign in, 4404 no access).
 */
function refuseUpgrade(err: ApiError): Response {
  const { 0: client, 1: server } = new WebSocketPair();
  server.accept();
  server.close(4000 + err.status, err.message.slice(0, 120));
  return new Response(null, { status: 101, webSocket: client });
}

/** Hono onError: ApiErrors become the envelope; anything else is logged and answered with a generic 500. */
export function onError(err: Error, c: Context<AppEnv>): Response {
  if (err instanceof ApiError) {
    if (c.req.header("Upgrade")?.toLowerCase() === "websocket") return refuseUpgrade(err);
    if (err.retryAfterSeconds !== undefined) c.header("Retry-After", String(err.retryAfterSeconds));
    return c.json(err.toJSON(), err.status as 400);
  }
  if (err instanceof HTTPException) {
    // Raised by Hono's own middleware: a client error, never a 500.
    return c.json(new ApiError(err.status === 401 ? "unauthenticated" : "invalid", err.message || "The request was refused.").toJSON(), err.status === 401 ? 401 : 400);
  }
  const requestId = c.get("requestId");
  logEvent("error", "unhandled_error", { method: c.req.method, route: routePath(c, -1), requestId, project: c.get("project")?.id, error: errorText(err), stack: err.stack?.slice(0, 2000) });
  return c.json(new ApiError("internal", `Something went wrong on our side (request ${requestId ?? "unknown"}). Please try again.`).toJSON(), 500);
}

export function notFound(c: Context): Response {
  return c.json(new ApiError("not_found", `No route for ${c.req.method} ${c.req.path}.`).toJSON(), 404);
}
