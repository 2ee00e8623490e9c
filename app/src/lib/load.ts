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

/**
 * Where to go after sign-in: `next` only when it resolves to a page of this app's own origin,
 * judged the way the browser will resolve it (so `/\\evil.example`, `/%09/evil.example` and
 * `//evil.example` all fail), answered as a path; anything else goes to the start page.
 */
export function safeNext(next: string | null, origin: string): string {
  if (!next) return "/projects";
  let target: URL;
  try {
    target = new URL(next, origin);
  } catch {
    return "/";
  }
  // A path that normalises to `//host` (`/.//evil.example`) would leave the origin once followed.
  if (target.origin !== origin || !next.startsWith("/") || target.pathname.startsWith("//")) return "/";
  return `${target.pathname}${target.search}${target.hash}`;
}
