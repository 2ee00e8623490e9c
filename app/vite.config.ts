import { sveltekit } from "@sveltejs/kit/vite";
import { defineConfig } from "vite";

const api = process.env.STACKROOM_API_URL ?? "http://127.0.0.1:8787";
const port = Number(process.env.PORT ?? 5173);
/** With Cloudflare Access sign-in, the local Access team whose `/cdn-cgi/access/*` plays Access on this origin. */
const accessTeam = process.env.STACKROOM_ACCESS_TEAM_URL;

// The browser sees one origin: pages from Vite, `/api` (HTTP and the live WebSocket) from the
// Worker, so the session cookie and `ws(s)://<page host>/api/...` work exactly as in production.
const server = {
  host: "127.0.0.1",
  port,
  strictPort: true,
  proxy: {
    "/api": { target: api, ws: true, xfwd: true },
    ...(accessTeam ? { "/cdn-cgi/access": { target: accessTeam } } : {}),
  },
};

export default defineConfig({
  plugins: [sveltekit()],
  server: {
    ...server,
    // The dev server may serve files from the repo (the contract and kind table live in ../core);
    // keep local secrets out of reach.
    fs: { deny: [".env", ".env.*", "*.{crt,pem}", "**/.git/**", "**/.dev.vars"] },
  },
  preview: server,
});
