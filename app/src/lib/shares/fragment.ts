/**
 * Takes the `#fragment` (a share link's key) out of the address bar and out of the current
 * history entry, so it is not left in the tab's history, session restore or a screen share.
 * SvelteKit's own `replaceState` keeps the page's full URL (with the fragment) inside
 * `history.state`, so the entry is rewritten directly, keeping SvelteKit's keys but without any
 * fragment in them. (In `vite dev` SvelteKit warns once about direct history calls.)
 */
export function forgetFragment(): void {
  if (!location.hash) return;
  const state: unknown = history.state;
  const clean: Record<string, unknown> = {};
  if (state && typeof state === "object") {
    for (const [key, value] of Object.entries(state)) clean[key] = typeof value === "string" ? value.split("#")[0] : value;
  }
  history.replaceState(clean, "", location.pathname + location.search);
}
