import { invalidate } from "$app/navigation";
import { onSignedOut } from "./api";
import { toasts } from "./toasts.svelte";

/**
 * A 401 from a button's action (the session cookie lapsed while the page was open): re-check
 * the session once. The root layout's load asks /api/me again, gets no one, and the /projects
 * layout sends the manager to sign-in with `?next=` pointing back here. Parallel 401s (a matrix
 * save sends several requests) cost one re-check and one notice.
 */
export function watchSession(): () => void {
  let checking = false;
  onSignedOut(() => {
    if (checking) return;
    checking = true;
    toasts.show("error", "Your session has ended. Sign in again to continue where you were.");
    void invalidate("app:session").finally(() => (checking = false));
  });
  return () => onSignedOut(null);
}
