import type { Context, MiddlewareHandler } from "hono";
import { ApiError } from "../errors";
import type { AppEnv } from "../app-env";

/** The caller's address as Cloudflare saw it (set by the edge; absent only in local tests). */
export function clientAddress(c: Context<AppEnv>): string {
  return c.req.header("CF-Connecting-IP") ?? "unknown";
}

/** Seconds of the AWS_READ_LIMITER binding's period (wrangler.toml). */
const AWS_READ_PERIOD_SECONDS = 60;

/**
 * Middleware for reads that call AWS for a person (a bucket's usage, a user's keys): counted per
 * person and project, so nobody can make the project's role hammer AWS. The room also answers
 * them from memory for a while (durable-objects/read-cache.ts).
 */
export function limitAwsReads(): MiddlewareHandler<AppEnv> {
  return async function limitAwsReads(c, next) {
    await takeRateLimit(c.env.AWS_READ_LIMITER, `aws-read:${c.get("project").id}:${c.get("email")}`, AWS_READ_PERIOD_SECONDS, "reads from AWS");
    await next();
  };
}

/**
 * Counts one request against a Workers Rate Limiting binding; over the limit it throws 429
 * `rate_limited` with Retry-After (the binding's period). The binding counts per Cloudflare
 * location, which is what it is for: slowing a guesser down, not exact accounting.
 */
export async function takeRateLimit(limiter: RateLimit, key: string, periodSeconds: number, what: string): Promise<void> {
  const { success } = await limiter.limit({ key });
  if (!success) throw new ApiError("rate_limited", `Too many ${what}. Try again in a minute.`, undefined, periodSeconds);
}
