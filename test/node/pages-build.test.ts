// Proves the app deploys to Pages as designed: app/wrangler.toml is a Pages config wrangler's Pages reader accepts, and a built dist/app (when there is one) is self-contained and leaves /api/* and /webhooks/* to the API Worker.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { experimental_readRawConfig } from "wrangler";
import { API_ROUTES, importsLeaving, readAppConfig, routesExclude } from "../../scripts/lib/pages-output";
import { ROOT, WRANGLER_ENV } from "../../scripts/lib/stack";

const APP_CONFIG = join(ROOT, "app", "wrangler.toml");
const DIST_APP = join(ROOT, "dist", "app");

describe("app/wrangler.toml", () => {
  it("is a Pages config, so adapter-cloudflare builds for Pages: pages_build_output_dir, no main, no [assets]", () => {
    const { rawConfig } = experimental_readRawConfig({ config: APP_CONFIG });
    expect(rawConfig.pages_build_output_dir).toBe(".svelte-kit/cloudflare");
    expect(rawConfig).not.toHaveProperty("main");
    expect(rawConfig).not.toHaveProperty("assets");
    expect(readAppConfig(ROOT).compatibilityFlags).toContain("nodejs_compat");
  });

  it("is accepted by wrangler's Pages config reader (the one `pages deploy` and Pages CI use)", () => {
    // An invalid Pages config is silently ignored by `pages deploy` (then the dashboard's
    // compatibility settings apply); `build-env` says so with exit code 159 instead.
    const scratch = mkdtempSync(join(tmpdir(), "stackroom-pages-env-"));
    try {
      const outfile = join(scratch, "env.json");
      const result = spawnSync(process.execPath, [join(ROOT, "node_modules/wrangler/bin/wrangler.js"), "pages", "functions", "build-env", join(ROOT, "app"), "--outfile", outfile], {
        encoding: "utf8",
        env: { ...process.env, ...WRANGLER_ENV, XDG_CONFIG_HOME: join(ROOT, ".dev", "xdg") },
      });
      expect(result.status, result.stdout + result.stderr).toBe(0);
      expect(JSON.parse(readFileSync(outfile, "utf8"))).toMatchObject({ pages_build_output_dir: ".svelte-kit/cloudflare" });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!existsSync(DIST_APP))("dist/app (from npm run build)", () => {
  it("holds one bundled _worker.js and no import in it or the browser's chunks leaves the folder", async () => {
    expect(statSync(join(DIST_APP, "_worker.js")).isFile()).toBe(true);
    expect(await importsLeaving(DIST_APP)).toEqual([]);
  });

  it("routes /api/* and /webhooks/* away from the app's function, and static assets too", () => {
    const exclude = routesExclude(DIST_APP);
    expect(exclude).toEqual(expect.arrayContaining([...API_ROUTES, "/_app/immutable/*", "/favicon.svg"]));
  });
});
