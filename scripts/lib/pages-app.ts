import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startOneOrigin, type OneOrigin } from "./one-origin";
import { API_ROUTES, readAppConfig } from "./pages-output";
import { freePort, waitForHttp } from "./ports";
import { startProcess, stopProcess, type Managed } from "./processes";

export interface PagesApp {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * The app's production build served as users get it: `wrangler pages dev` runs the build folder
 * (its bundled `_worker.js`, `_routes.json`, `_headers` and assets, exactly what `pages deploy`
 * uploads) in workerd, behind one origin that sends the API Worker's routes to the Worker and
 * `/cdn-cgi/access` to the Access team, as Cloudflare's routing and Access do on the real host.
 *
 * Why not `vite preview`, which the app's vite config also proxies: it serves
 * app/.svelte-kit/output in place, which any `vite build` or `npm run build` in this shared working
 * tree rewrites while a browser run is serving it, and it runs the server in Node with its own
 * static file server rather than Pages' routing and headers. This serves a private copy of the
 * deployable folder (scripts/lib/app-build.ts) in the runtime that will run it.
 */
export async function startPagesApp(at: {
  root: string;
  port: number;
  buildDir: string;
  apiUrl: string;
  accessTeamUrl?: string;
  /** wrangler's environment (kept off the network, its own config home), as the stack runs `wrangler dev`. */
  wranglerEnv: NodeJS.ProcessEnv;
  quiet?: boolean;
}): Promise<PagesApp> {
  const config = readAppConfig(at.root);
  const pagesPort = await freePort();
  // wrangler pages dev keeps its .wrangler folder (local state, its bundle) in its working
  // folder: a scratch one, so it never reads app/wrangler.toml's output path instead of ours.
  const scratch = mkdtempSync(join(tmpdir(), "stackroom-pages-dev-"));
  const args = [
    join(at.root, "node_modules/wrangler/bin/wrangler.js"),
    "pages", "dev", at.buildDir,
    "--ip", "127.0.0.1",
    "--port", String(pagesPort),
    "--inspector-port", String(await freePort()),
    "--compatibility-date", config.compatibilityDate,
    ...config.compatibilityFlags.flatMap((flag) => ["--compatibility-flags", flag]),
    "--show-interactive-dev-session=false",
  ];
  const pages: Managed = startProcess("app", process.execPath, args, {
    cwd: scratch,
    env: at.wranglerEnv,
    quiet: at.quiet,
  });
  let front: OneOrigin | undefined;
  const stop = async () => {
    await front?.stop();
    await stopProcess(pages);
    rmSync(scratch, { recursive: true, force: true });
  };
  try {
    await waitForHttp(`http://127.0.0.1:${pagesPort}/favicon.svg`, 60_000);
    const worker = API_ROUTES.map((route) => ({ prefix: route.replace(/\*$/, ""), target: at.apiUrl }));
    const access = at.accessTeamUrl ? [{ prefix: "/cdn-cgi/access/", target: at.accessTeamUrl }] : [];
    front = await startOneOrigin({ host: "127.0.0.1", port: at.port, routes: [...worker, ...access], fallback: `http://127.0.0.1:${pagesPort}` });
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: front.url, pid: pages.pid, stop };
}
