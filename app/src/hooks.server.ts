import type { Handle } from "@sveltejs/kit";

/**
 * Headers of every page (the CSP itself comes from `kit.csp` in svelte.config.js). The share
 * page holds a decryption key in its URL's #fragment: browsers never send fragments, but
 * `no-referrer` keeps even the path (the link id) out of any request the page makes elsewhere.
 */
export const handle: Handle = async ({ event, resolve }) => {
  const response = await resolve(event);
  response.headers.set("X-Content-Type-Options", "nosniff");
  response.headers.set("X-Frame-Options", "DENY");
  response.headers.set("Referrer-Policy", event.route.id?.startsWith("/share/") ? "no-referrer" : "same-origin");
  response.headers.set("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
  return response;
};
