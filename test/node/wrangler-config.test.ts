// Proves the committed wrangler.toml: its top level is a safe base (Access sign-in, no workers.dev or preview URL, no routes, observability on, source maps) that cannot go live as it is, never enables dev sign-in anywhere, and each environment has its own KV, dataset, rate-limit namespaces and /api/* + /webhooks/* routes on one host — and that the deploy preflight names every placeholder still in it (and any local stand-in left in an environment), and none once they are filled.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { experimental_readRawConfig, unstable_readConfig } from "wrangler";
import { configFindings } from "../../scripts/lib/deploy-preflight";

const CONFIG = new URL("../../wrangler.toml", import.meta.url).pathname;
const ENVIRONMENTS = ["staging", "production"] as const;

describe("wrangler.toml", () => {
  it("is a safe base at the top level: Access sign-in, nothing public, logs and source maps on", () => {
    const config = unstable_readConfig({ config: CONFIG }, { hideWarnings: true });
    expect(config.vars.AUTH_MODE).toBe("access");
    expect(config.vars).toHaveProperty("ACCESS_TEAM_DOMAIN");
    expect(config.vars).toHaveProperty("ACCESS_AUD");
    expect(config.workers_dev).toBe(false);
    expect(config.preview_urls).toBe(false);
    expect(config.routes ?? []).toEqual([]);
    expect(config.observability?.enabled).toBe(true);
    expect(config.upload_source_maps).toBe(true);
  });

  it("enables dev sign-in in no environment", () => {
    const { rawConfig } = experimental_readRawConfig({ config: CONFIG });
    expect(Object.keys(rawConfig.env ?? {}).sort()).toEqual(["production", "staging"]);
    for (const name of Object.keys(rawConfig.env ?? {})) {
      const env = unstable_readConfig({ config: CONFIG, env: name }, { hideWarnings: true });
      expect(env.vars.AUTH_MODE, `[env.${name}]`).toBe("access");
    }
  });

  it("gives each environment its own bindings and routes on one host", () => {
    const [staging, production] = ENVIRONMENTS.map((env) => unstable_readConfig({ config: CONFIG, env }, { hideWarnings: true }));
    for (const config of [staging, production]) {
      expect(config?.workers_dev).toBe(false);
      expect(config?.preview_urls).toBe(false);
      const patterns: string[] = (config?.routes ?? []).map((r: string | { pattern: string }) => (typeof r === "string" ? r : r.pattern));
      expect(patterns.map((p) => p.slice(p.indexOf("/")))).toEqual(["/api/*", "/webhooks/*"]);
      expect(new Set(patterns.map((p) => p.split("/")[0])).size).toBe(1);
      expect(config?.durable_objects.bindings.map((b: { name: string }) => b.name).sort()).toEqual(["PROJECT_REGISTRY", "PROJECT_ROOM"]);
      expect(config?.ratelimits.map((r: { name: string }) => r.name).sort()).toEqual(["AWS_READ_LIMITER", "DEV_LOGIN_LIMITER", "SHARE_OPEN_LIMITER", "WEBHOOK_FAILURE_LIMITER"]);
      expect(config?.analytics_engine_datasets.map((d: { binding: string }) => d.binding)).toEqual(["METRICS"]);
    }
    expect(staging?.kv_namespaces[0]?.id).not.toBe(production?.kv_namespaces[0]?.id);
    expect(staging?.analytics_engine_datasets[0]?.dataset).not.toBe(production?.analytics_engine_datasets[0]?.dataset);
    const namespaces = [staging, production].flatMap((c) => c?.ratelimits.map((r: { namespace_id: string }) => r.namespace_id) ?? []);
    expect(new Set(namespaces).size).toBe(namespaces.length);
  });

  it("makes the deploy preflight name every placeholder, and none once they are filled", () => {
    for (const env of ENVIRONMENTS) {
      const problems = configFindings(env, CONFIG).map((f) => f.problem);
      expect(problems.join("\n"), env).toMatch(/KV namespace STACK_CACHE has no real id/);
      expect(problems.join("\n"), env).toMatch(/ACCESS_TEAM_DOMAIN is not set/);
      expect(problems.join("\n"), env).toMatch(/ACCESS_AUD is not set/);
      expect(problems.join("\n"), env).toMatch(/route host .*example\.com is a placeholder/);
      for (const f of configFindings(env, CONFIG)) expect(f.fix.length).toBeGreaterThan(10);
    }
    const filled = readFileSync(CONFIG, "utf8")
      .replace(/REPLACE_WITH_(STAGING|PRODUCTION)_KV_NAMESPACE_ID/g, (_m, env: string) => `0f2ac74b498b48028cb68387c421e2${env === "STAGING" ? "79" : "80"}`)
      .replace(/REPLACE_WITH_TEAM/g, "acme")
      .replace(/REPLACE_WITH_(STAGING|PRODUCTION)_ACCESS_AUD/g, "4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2")
      .replace(/example\.com/g, "acme-corp.net");
    const dir = mkdtempSync(join(tmpdir(), "stackroom-wrangler-"));
    writeFileSync(join(dir, "wrangler.toml"), filled.replace('main = "worker/index.ts"', `main = "${new URL("../../worker/index.ts", import.meta.url).pathname}"`));
    for (const env of ENVIRONMENTS) expect(configFindings(env, join(dir, "wrangler.toml")), env).toEqual([]);
    writeFileSync(join(dir, "wrangler.toml"), filled.replace(/\[env\.staging\]\nname = "stackroom-staging"\nworkers_dev = false/, '[env.staging]\nname = "stackroom-staging"\nworkers_dev = true'));
    expect(configFindings("staging", join(dir, "wrangler.toml")).map((f) => f.problem)).toEqual([expect.stringMatching(/workers_dev is not false/)]);
    // A local stand-in left in a deployed environment's vars is named too.
    const staging = filled.indexOf("[env.staging.vars]");
    const withStandIn = filled.slice(0, staging) + filled.slice(staging).replace('LOCAL_SFTP_HOST_KEY = ""', 'LOCAL_SFTP_HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFake"');
    writeFileSync(join(dir, "wrangler.toml"), withStandIn);
    expect(configFindings("staging", join(dir, "wrangler.toml")).map((f) => f.problem)).toEqual([expect.stringMatching(/LOCAL_SFTP_HOST_KEY is set .*local runs only/)]);
  });
});
