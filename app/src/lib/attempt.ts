import { ApiError } from "./api";
import { humanizeTimes } from "./format";
import { toasts } from "./toasts.svelte";

/** What to tell a manager about any failure: the API's own words, or a plain sentence for the rest. */
export function errorMessage(err: unknown, fallback = "Something went wrong in this page. Try again; if it keeps failing, reload the page."): string {
  if (err instanceof ApiError) return humanizeTimes(err.message);
  if (err instanceof Error) console.error(err);
  return fallback;
}

/**
 * Runs a fire-and-forget action (a button's click) and turns any failure into an error toast.
 * Resolves true when it succeeded, so the caller can move on; it never rejects, so a failure can
 * never leave a spinner turning. A 401 also ends the session (see `api.ts`).
 */
export async function attempt(action: () => Promise<unknown>, fallback?: string): Promise<boolean> {
  try {
    await action();
    return true;
  } catch (err) {
    toasts.show("error", errorMessage(err, fallback));
    return false;
  }
}
