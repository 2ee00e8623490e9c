import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "./app-env";
import type { z } from "zod";
import { ApiError } from "./errors";
import { describeIssues } from "../core/zod-issues";

/** The largest JSON body any API route takes (a share link's ciphertext is the biggest, 16 KB). */
export const MAX_JSON_BODY_BYTES = 64 * 1024;

/** The one route that takes more: a whole deployment's export, restored by ops (its own limit). */
const IMPORT_PATH = "/api/ops/import";
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;

/**
 * Refuses an oversized body before it is read: from Content-Length at once, and by counting the
 * bytes of a chunked body as they arrive (hono/body-limit), with 413 `too_large`.
 */
export function jsonBodyLimit(maxSize = MAX_JSON_BODY_BYTES): MiddlewareHandler<AppEnv> {
  const limit = bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError("too_large", `The request body is larger than ${maxSize / 1024} KB.`);
    },
  });
  return async function jsonBodyLimit(c, next) {
    return maxSize === MAX_JSON_BODY_BYTES && c.req.path === IMPORT_PATH ? next() : limit(c, next);
  };
}

/** Turns zod issues into `{ "field.path": "message" }` and one summary line. */
export function zodToApiError(error: z.ZodError, what = "The request"): ApiError {
  const { message, fields } = describeIssues(error, what);
  return new ApiError("invalid", message, fields);
}

/** Reads a JSON body (bounded by `jsonBodyLimit`) and validates it with `schema`; 400 `invalid` otherwise. */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const text = await c.req.text();
  let parsed: unknown;
  try {
    parsed = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw new ApiError("invalid", "The request body is not valid JSON.");
  }
  const result = schema.safeParse(parsed);
  if (!result.success) throw zodToApiError(result.error);
  return result.data;
}

/** Validates a path or query value; 404 for params that cannot name anything, 400 for queries. */
export function parseParam<S extends z.ZodType>(schema: S, value: string | undefined, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ApiError("not_found", `No ${what} named “${value ?? ""}”.`);
  return result.data;
}
