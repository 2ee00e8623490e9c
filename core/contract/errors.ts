import * as z from "zod";

/** Machine codes of the error envelope; each maps to one HTTP status. */
export const ErrorCode = z.enum([
  "invalid",
  "unauthenticated",
  "forbidden",
  "not_found",
  "conflict",
  "locked",
  "gone",
  "too_large",
  "rate_limited",
  "upstream",
  "unavailable",
  "internal",
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const errorStatus: Record<ErrorCode, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  locked: 409,
  gone: 410,
  too_large: 413,
  rate_limited: 429,
  upstream: 502,
  /** The deployment itself is not usable (e.g. misconfigured sign-in); nothing the client sent is wrong. */
  unavailable: 503,
  internal: 500,
};

/** `{"error": {"code", "message", "fields?"}}` — the only error shape the API answers with. */
export const ErrorEnvelope = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    /** Per-field messages for form validation, keyed by the dotted field path. */
    fields: z.record(z.string(), z.string()).optional(),
  }),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;
