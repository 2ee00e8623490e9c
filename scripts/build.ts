/**
 * `npm run build`: everything Stackroom deploys, built as it is deployed, into dist/:
 *   dist/worker/        the API Worker exactly as `wrangler deploy` bundles it (--dry-run --outdir)
 *   dist/app/           the SvelteKit app for Pages: adapter-cloudflare's assets and _routes.json,
 *                       its _worker.js bundled by wrangler's Pages tooling into one file, proven
 *                       self-contained (scripts/lib/pages-bundle.ts)
 *   dist/aws-bridge.zip the bridge Lambda (handler.mjs + source map), ready to upload to S3
 * `npm test` runs it first, so a change that breaks a deploy cannot land green.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./lib/stack";
import { bundleBridge } from "./lib/bridge-bundle";
import { bundlePages } from "./lib/pages-bundle";
import { bundleWorker } from "./lib/worker-bundle";

const DIST = join(ROOT, "dist");
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

async function step<T>(label: string, work: () => T | Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await work();
  console.log(`  ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return result;
}

async function main(): Promise<void> {
  rmSync(DIST, { recursive: true, force: true });
  mkdirSync(DIST, { recursive: true });
  console.log("Building into dist/ …");
  const worker = await step("Worker (wrangler deploy --dry-run)", () => bundleWorker(ROOT, join(DIST, "worker")));
  await step("App (vite build, adapter-cloudflare)", () => {
    try {
      execFileSync(process.execPath, [join(ROOT, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "warn"], { cwd: join(ROOT, "app"), stdio: ["ignore", "pipe", "pipe"] });
    } catch (err) {
      throw new Error(`vite build failed:\n${err instanceof Error && "stderr" in err ? String(err.stderr) : String(err)}`);
    }
  });
  const app = await step("App for Pages (wrangler pages functions build, checked alone)", () => bundlePages(ROOT, join(DIST, "app")));
  const bridge = await step("Bridge Lambda (esbuild + zip)", () => bundleBridge(ROOT, DIST));
  console.log(`dist/worker/index.js   ${kib(worker.gzipBytes)} gzip (${kib(worker.bytes)} minified)
dist/app/              Pages Function ${kib(app.workerGzipBytes)} gzip (${kib(app.workerBytes)} as pages deploy bundles _worker.js); ${app.assetFiles} static files, ${kib(app.assetBytes)}
                       deploy with: cd app && npx wrangler pages deploy ../dist/app
dist/aws-bridge.zip    ${kib(bridge.bytes)} (handler.mjs ${kib(bridge.bundleBytes)})`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
