import { fileURLToPath } from "node:url";
import adapter from "@sveltejs/adapter-cloudflare";
import { vitePreprocess } from "@sveltejs/vite-plugin-svelte";

/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  kit: {
    // The adapter reads the nearest wrangler config; point it at ours so it never climbs to the
    // API Worker's (TOOLCHAIN pitfall 3).
    adapter: adapter({ config: fileURLToPath(new URL("./wrangler.toml", import.meta.url)) }),
    alias: {
      // The same zod schemas the Worker, ProjectRoom and bridge use.
      $contract: "../worker/domain/contract",
    },
  },
};
