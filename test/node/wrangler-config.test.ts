// Proves the committed wrangler.toml is the production configuration: it never enables dev sign-in, anywhere, and it asks for Cloudflare Access.
import { describe, expect, it } from "vitest";
import { experimental_readRawConfig, unstable_readConfig } from "wrangler";

const CONFIG = new URL("../../wrangler.toml", import.meta.url).pathname;

describe("wrangler.toml", () => {
  it("signs in with Cloudflare Access at the top level, the configuration `wrangler deploy` publishes", () => {
    const config = unstable_readConfig({ config: CONFIG }, { hideWarnings: true });
    expect(config.vars.AUTH_MODE).toBe("access");
    expect(config.vars).toHaveProperty("ACCESS_TEAM_DOMAIN");
    expect(config.vars).toHaveProperty("ACCESS_AUD");
  });

  it("enables dev sign-in in no environment", () => {
    const { rawConfig } = experimental_readRawConfig({ config: CONFIG });
    for (const name of Object.keys(rawConfig.env ?? {})) {
      const env = unstable_readConfig({ config: CONFIG, env: name }, { hideWarnings: true });
      expect(env.vars.AUTH_MODE, `[env.${name}]`).not.toBe("dev");
    }
  });
});
