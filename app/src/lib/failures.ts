import { errorMessage } from "./attempt";
import { toasts } from "./toasts.svelte";

/**
 * The last line of defence: a promise nobody awaited that rejected, or an error thrown from an
 * event handler, becomes an error toast instead of passing unnoticed (each component still ends
 * its own spinner; see `attempt`). The browser still logs the error for developers.
 */
export function watchFailures(): () => void {
  const onRejection = (event: PromiseRejectionEvent) => toasts.show("error", errorMessage(event.reason));
  const onError = (event: ErrorEvent) => toasts.show("error", errorMessage(event.error));
  window.addEventListener("unhandledrejection", onRejection);
  window.addEventListener("error", onError);
  return () => {
    window.removeEventListener("unhandledrejection", onRejection);
    window.removeEventListener("error", onError);
  };
}
