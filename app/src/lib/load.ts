import { error, redirect } from "@sveltejs/kit";
import { ApiError } from "./api";

/** The query parameter that tells the root layout the session lapsed (see `+layout.ts`). */
export const SESSION_PARAM = "session";

/** Sign-in, coming back to `url` afterwards; `expired` makes the root layout ask the API again. */
export function signInPath(url: URL, expired = false): string {
  const query = new URLSearchParams({ next: url.pathname + url.search });
  if (expired) query.set(SESSION_PARAM, "expired");
  return `/?${query}`;
}

/**
 * Turns a failed API call inside `load` into what SvelteKit understands: a lapsed session goes
 * back to sign-in (and returns here afterwards), anything else becomes the error page.
 * The root layout cached `me` when the session was still good, and `/` sends a signed-in manager
 * on to `next`: without `session=expired` (which the root layout's load reads, so it re-runs and
 * asks the API again) that would bounce back here until SvelteKit gives up on a redirect loop.
 */
export function failLoad(err: unknown, url: URL): never {
  if (!(err instanceof ApiError)) throw err;
  if (err.status === 401) redirect(307, signInPath(url, true));
  error(err.status >= 400 ? err.status : 503, { message: err.message, code: err.code });
}

/** Only same-site paths are followed after sign-in (no `//evil.example`). */
export function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/projects";
}
