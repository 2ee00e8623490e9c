import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { build } from "esbuild";
import { unstable_readConfig } from "wrangler";

/**
 * What makes a folder a deployable Pages build of the app, checked the same way by
 * `npm run build` (scripts/lib/pages-bundle.ts) and test/node/pages-build.test.ts.
 */

/** Routes the API Worker owns on the app's host: Pages must never run the app's function for them. */
export const API_ROUTES = ["/api/*", "/webhooks/*"];

export interface AppConfig {
  pagesBuildOutputDir: string;
  compatibilityDate: string;
  compatibilityFlags: string[];
}

/** app/wrangler.toml as wrangler reads it; it must be a Pages config (no `main`, no `[assets]`). */
export function readAppConfig(root: string): AppConfig {
  const path = join(root, "app", "wrangler.toml");
  const config = unstable_readConfig({ config: path }, { hideWarnings: true });
  if (!config.pages_build_output_dir || config.main || config.assets) {
    throw new Error(`${relative(root, path)} must be a Pages config (pages_build_output_dir, no main, no [assets]), or adapter-cloudflare builds for Workers`);
  }
  if (!config.compatibility_date) throw new Error(`${relative(root, path)} has no compatibility_date`);
  return { pagesBuildOutputDir: config.pages_build_output_dir, compatibilityDate: config.compatibility_date, compatibilityFlags: config.compatibility_flags };
}

/**
 * Every import in the folder's JavaScript that would not resolve inside it, as esbuild parses
 * them (static, re-export and literal dynamic imports). The Pages Function (`_worker.js`) may
 * import only the runtime's `node:` and `cloudflare:` modules, which is also all that
 * `pages deploy --no-bundle` lets through; the browser's chunks only each other.
 */
export async function importsLeaving(dir: string): Promise<string[]> {
  const leaks: string[] = [];
  const worker = join(dir, "_worker.js");
  await build({
    entryPoints: filesUnder(dir).filter((file) => /\.m?js$/.test(file)),
    bundle: true,
    write: false,
    outdir: join(dir, ".import-scan"),
    format: "esm",
    platform: "neutral",
    logLevel: "silent",
    plugins: [
      {
        name: "imports-leaving",
        setup(scan) {
          scan.onResolve({ filter: /.*/ }, (args) => {
            if (args.kind === "entry-point") return undefined;
            const spec = args.path;
            const target = resolve(args.resolveDir, spec);
            const inside = spec.startsWith(".") && !relative(dir, target).startsWith("..") && existsSync(target);
            const runtime = /^(node|cloudflare):/.test(spec);
            if (args.importer === worker ? !runtime : !inside) leaks.push(`${relative(dir, args.importer)} imports "${spec}"`);
            return { path: spec, external: true };
          });
        },
      },
    ],
  });
  return leaks;
}

/** The `exclude` list of the folder's `_routes.json` (empty when there is none or it is malformed). */
export function routesExclude(dir: string): string[] {
  const path = join(dir, "_routes.json");
  if (!existsSync(path)) return [];
  const routes: unknown = JSON.parse(readFileSync(path, "utf8"));
  if (typeof routes !== "object" || routes === null || !("exclude" in routes) || !Array.isArray(routes.exclude)) return [];
  return routes.exclude.filter((rule): rule is string => typeof rule === "string");
}

export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}
