import { error, redirect } from "@sveltejs/kit";
import { ApiError } from "./api";

/**
 * Turns a failed API call inside `load` into what SvelteKit understands: a lapsed session goes
 * back to sign-in (and returns here afterwards), anything else becomes the error page.
 */
export function failLoad(err: unknown, url: URL): never {
  if (!(err instanceof ApiError)) throw err;
  if (err.status === 401) redirect(307, `/?next=${encodeURIComponent(url.pathname + url.search)}`);
  error(err.status >= 400 ? err.status : 503, { message: err.message, code: err.code });
}

/** Only same-site paths are followed after sign-in (no `//evil.example`). */
export function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/projects";
}
