import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { WRANGLER_ENV } from "./stack";

/**
 * The API Worker exactly as `wrangler deploy` bundles it (`--dry-run --outdir`: wrangler.toml's
 * minify, aliases and compatibility settings included), and its size as Cloudflare counts it
 * against the script limit: gzip.
 */
export function bundleWorker(root: string, outDir: string): { bytes: number; gzipBytes: number } {
  try {
    execFileSync(process.execPath, [join(root, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--env=", "--outdir", outDir], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...WRANGLER_ENV, XDG_CONFIG_HOME: join(root, ".dev", "xdg") },
    });
  } catch (err) {
    const out = err instanceof Error && "stderr" in err ? String(err.stderr) : String(err);
    throw new Error(`wrangler deploy --dry-run failed:\n${out}`);
  }
  const script = readFileSync(join(outDir, "index.js"));
  return { bytes: script.byteLength, gzipBytes: gzipSync(script).byteLength };
}
