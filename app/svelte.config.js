import { fileURLToPath } from "node:url";
import adapter from "@sveltejs/adapter-cloudflare";
import { vitePreprocess } from "@sveltejs/vite-plugin-svelte";

// The adapter reads the nearest wrangler config; point it at ours (a Pages config, so the adapter
// builds for Pages) so it never climbs to the API Worker's (TOOLCHAIN pitfall 3).
const cloudflare = adapter({
  config: fileURLToPath(new URL("./wrangler.toml", import.meta.url)),
  // Pages' _routes.json: the API Worker owns `/api/*` and `/webhooks/*` on the same host, so the
  // app's function never runs for them; `<all>` keeps the adapter's own exclusions (the immutable
  // build, static files, prerendered pages) so Pages serves those without invoking it.
  routes: { include: ["/*"], exclude: ["<all>", "/api/*", "/webhooks/*"] },
});

/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  kit: {
    // No `platform` emulation in `vite dev`: the app has no server code (ssr = false; the API is
    // the Worker), and the adapter's emulation starts one workerd per concurrent first request.
    adapter: { ...cloudflare, emulate: undefined },
    // No inline scripts: SvelteKit hashes/nonces its own bootstrap. Styles allow inline (Svelte
    // sets style attributes); the live socket and the API are same-origin.
    csp: {
      mode: "auto",
      directives: {
        "default-src": ["self"],
        "script-src": ["self"],
        "style-src": ["self", "unsafe-inline"],
        "img-src": ["self", "data:"],
        "font-src": ["self"],
        "connect-src": ["self"],
        "object-src": ["none"],
        "base-uri": ["self"],
        "form-action": ["self"],
        "frame-ancestors": ["none"],
      },
    },
    alias: {
      // The same zod schemas the Worker, ProjectRoom and bridge use.
      $contract: "../core/contract",
      // The kind table (core/kinds.ts) and the rest of what every part shares.
      $core: "../core",
    },
  },
};
