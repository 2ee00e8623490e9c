import type { Context } from "hono";
import { ApiError } from "../errors";
import type { AppEnv } from "../app-env";

/** The caller's address as Cloudflare saw it (set by the edge; absent only in local tests). */
export function clientAddress(c: Context<AppEnv>): string {
  return c.req.header("CF-Connecting-IP") ?? "unknown";
}

/**
 * Counts one request against a Workers Rate Limiting binding; over the limit it throws 429
 * `rate_limited` with Retry-After (the binding's period). The binding counts per Cloudflare
 * location, which is what it is for: slowing a guesser down, not exact accounting.
 */
export async function takeRateLimit(limiter: RateLimit, key: string, periodSeconds: number, what: string): Promise<void> {
  const { success } = await limiter.limit({ key });
  if (!success) throw new ApiError("rate_limited", `Too many ${what} from your address. Try again in a minute.`, undefined, periodSeconds);
}
