import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import { API_ROUTES, filesUnder, importsLeaving, readAppConfig, routesExclude, type AppConfig } from "./pages-output";
import { WRANGLER_ENV } from "./stack";

/** Files Pages reads as configuration and never serves (wrangler's `pages deploy` IGNORE_LIST). */
const PAGES_CONTROL_FILES = new Set(["_worker.js", "_routes.json", "_headers", "_redirects"]);

interface PagesBuild {
  /** The Pages Function as `pages deploy` bundles dist/app/_worker.js for upload. */
  workerBytes: number;
  workerGzipBytes: number;
  assetFiles: number;
  assetBytes: number;
}

/**
 * The app as a self-contained Cloudflare Pages deployment in `outDir`. adapter-cloudflare in Pages
 * mode writes static assets, `_routes.json`, `_headers` and a `_worker.js` into app/wrangler.toml's
 * `pages_build_output_dir`, but that `_worker.js` imports `../output/server` and
 * `../cloudflare-tmp` outside the folder (TOOLCHAIN pitfall 17), so a copy of it cannot deploy.
 * wrangler's own Pages tooling (`pages functions build`, what `pages deploy` runs) bundles it into
 * one file; then wrangler builds the finished folder again, alone, and every import in it is
 * checked to stay inside. Any failure throws with wrangler's own words.
 */
export async function bundlePages(root: string, outDir: string): Promise<PagesBuild> {
  const config = readAppConfig(root);
  const adapterOut = config.pagesBuildOutputDir;
  if (!existsSync(join(adapterOut, "_worker.js"))) throw new Error(`${relative(root, adapterOut)}/_worker.js is missing: did vite build run in Pages mode?`);

  const scratch = mkdtempSync(join(tmpdir(), "stackroom-pages-"));
  try {
    pagesFunctionsBuild(root, config, adapterOut, join(scratch, "bundle"));
    const emitted = readdirSync(join(scratch, "bundle"));
    // Additional modules (wasm, text) would need the `_worker.js/` directory form; the app has none.
    if (emitted.join() !== "_worker.js") throw new Error(`wrangler pages functions build emitted ${emitted.join(", ")}; expected one _worker.js`);
    cpSync(adapterOut, outDir, { recursive: true, filter: (src) => src !== join(adapterOut, "_worker.js") });
    cpSync(join(scratch, "bundle", "_worker.js"), join(outDir, "_worker.js"));

    // The proof, on a copy of the finished folder far from app/ (so an import climbing out of it
    // finds nothing): what `pages deploy` does with it (bundle its _worker.js), then no import
    // leaving it, and the API Worker's routes left to the API Worker.
    cpSync(outDir, join(scratch, "alone"), { recursive: true });
    pagesFunctionsBuild(root, config, join(scratch, "alone"), join(scratch, "check"));
    const leaks = await importsLeaving(outDir);
    if (leaks.length > 0) throw new Error(`${relative(root, outDir)} is not self-contained:\n  ${leaks.join("\n  ")}`);
    const missing = API_ROUTES.filter((route) => !routesExclude(outDir).includes(route));
    if (missing.length > 0) throw new Error(`${relative(root, outDir)}/_routes.json does not exclude ${missing.join(", ")} (the API Worker's routes): see routes in app/svelte.config.js`);
    const worker = readFileSync(join(scratch, "check", "_worker.js"));
    const assets = filesUnder(outDir).filter((file) => !PAGES_CONTROL_FILES.has(relative(outDir, file)));
    return {
      workerBytes: worker.byteLength,
      workerGzipBytes: gzipSync(worker).byteLength,
      assetFiles: assets.length,
      assetBytes: assets.reduce((sum, file) => sum + statSync(file).size, 0),
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * `wrangler pages functions build` of a build output folder's `_worker.js` into
 * `outDir/_worker.js`. The compatibility settings go in as flags: without `--project-directory`
 * the command reads no config, and without `nodejs_compat` the `node:` imports of SvelteKit's
 * server would only warn here and fail at runtime.
 */
function pagesFunctionsBuild(root: string, config: AppConfig, buildOutput: string, outDir: string): void {
  const args = ["pages", "functions", "build", "--build-output-directory", buildOutput, "--outdir", outDir, "--compatibility-date", config.compatibilityDate];
  for (const flag of config.compatibilityFlags) args.push("--compatibility-flags", flag);
  const shown = relative(root, buildOutput).startsWith("..") ? buildOutput : relative(root, buildOutput);
  const command = `wrangler pages functions build --build-output-directory ${shown}`;
  const result = spawnSync(process.execPath, [join(root, "node_modules/wrangler/bin/wrangler.js"), ...args], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...WRANGLER_ENV, XDG_CONFIG_HOME: join(root, ".dev", "xdg") },
  });
  // wrangler colours its log even into a pipe.
  const out = `${result.stdout ?? ""}${result.stderr ?? ""}`.replace(/\x1b\[[0-9;]*m/g, "");
  if (result.error) throw new Error(`${command} could not run: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} failed:\n${out}`);
  // A warning here is a runtime failure later (e.g. a `node:` import without nodejs_compat).
  if (out.includes("[WARNING]")) throw new Error(`${command} warned:\n${out}`);
}
