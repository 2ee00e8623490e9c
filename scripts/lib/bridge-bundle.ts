import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { zipSync } from "fflate";

/**
 * The bridge Lambda as deployed: aws-bridge/handler.ts bundled for Node (ESM, one file, no
 * node_modules to ship) into `handler.mjs` with its source map, zipped. The template's handler
 * `handler.handler` names this file's `handler` export.
 */
export async function bundleBridge(root: string, outDir: string): Promise<{ zip: string; bytes: number; bundleBytes: number }> {
  const bundle = join(outDir, "handler.mjs");
  await build({
    entryPoints: [join(root, "aws-bridge", "handler.ts")],
    outfile: bundle,
    bundle: true,
    platform: "node",
    target: "node24",
    format: "esm",
    minify: true,
    sourcemap: true,
    legalComments: "none",
    logLevel: "warning",
  });
  const files = { "handler.mjs": readFileSync(bundle), "handler.mjs.map": readFileSync(`${bundle}.map`) };
  // A fixed date: the same code gives the same zip, so an unchanged bridge is an unchanged S3 object.
  const zip = zipSync(files, { level: 9, mtime: new Date("2026-01-01T00:00:00Z") });
  const path = join(outDir, "aws-bridge.zip");
  writeFileSync(path, zip);
  return { zip: path, bytes: zip.byteLength, bundleBytes: files["handler.mjs"].byteLength };
}
