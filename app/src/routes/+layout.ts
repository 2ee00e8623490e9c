import { ApiError, getMe } from "$lib/api";
import { failLoad, SESSION_PARAM } from "$lib/load";
import type { LayoutLoad } from "./$types";

// A client-rendered SPA over the Worker's JSON API: no SvelteKit server code at all.
export const ssr = false;

export const load: LayoutLoad = async ({ fetch, depends, url, route, untrack }) => {
  // A share link's recipient has no account, and that page must call no API but its own.
  // Untracked: reading the route must not re-run this load on every navigation.
  if (untrack(() => route.id)?.startsWith("/share/")) return { me: null };
  depends("app:session");
  // Read (and so tracked) on purpose: a load that met a 401 redirects with `session=expired`,
  // which re-runs this load, so the cached `me` is never trusted after the session lapsed.
  const lapsed = url.searchParams.get(SESSION_PARAM) === "expired";
  try {
    return { me: await getMe(fetch), lapsed };
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return { me: null, lapsed };
    failLoad(err, url);
  }
};
