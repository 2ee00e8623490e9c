import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { freePort } from "./scripts/lib/ports.ts";

// One moto, two local Access teams and a notification receiver for the whole run. Their ports are chosen here (before the
// workerd project is built) so they can be baked into the Worker's bindings; test/global-setup.ts
// starts them on these ports.
process.env.STACKROOM_TEST_MOTO_PORT ??= String(await freePort());
process.env.STACKROOM_TEST_AWS_PORT ??= String(await freePort());
process.env.STACKROOM_TEST_ACCESS_PORT ??= String(await freePort());
process.env.STACKROOM_TEST_ACCESS_ROTATING_PORT ??= String(await freePort());
process.env.STACKROOM_TEST_RECEIVER_PORT ??= String(await freePort());
const motoEndpoint = `http://127.0.0.1:${process.env.STACKROOM_TEST_MOTO_PORT}`;

export default defineConfig({
  test: {
    globalSetup: ["./test/global-setup.ts"],
    projects: [
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                AUTH_MODE: "dev",
                // moto, with recorded answers for what moto lacks (test/recorded-aws.ts).
                AWS_ENDPOINT: `http://127.0.0.1:${process.env.STACKROOM_TEST_AWS_PORT}`,
                SESSION_SECRET: "test-session-secret-0123456789abcdef",
                WEBHOOK_SECRET: "test-webhook-secret",
                WEBHOOK_SECRET_PREVIOUS: "test-webhook-secret-old",
                OPS_TOKEN: "test-ops-token",
                // Short, so tests see AWS's new answer soon after the cached one (read-cache.ts).
                AWS_READ_CACHE_SECONDS: "1",
                // The Worker's log lines are checked on the real runtime (test/node/observability.test.ts);
                // here tens of thousands of them stall the pool's console relay.
                LOG_LEVEL: process.env.STACKROOM_TEST_LOGS ? "info" : "silent",
                AWS_ACCESS_KEY_ID: "AKIAHUBTEST000000000",
                AWS_SECRET_ACCESS_KEY: "hub-secret",
                // Test-only: the local Access teams (test/global-setup.ts) that access-mode tests use.
                TEST_ACCESS_TEAM: `http://127.0.0.1:${process.env.STACKROOM_TEST_ACCESS_PORT}`,
                TEST_ACCESS_TEAM_ROTATING: `http://127.0.0.1:${process.env.STACKROOM_TEST_ACCESS_ROTATING_PORT}`,
                // Test-only: the receiver of projects' notifications (test/notification-receiver.ts).
                TEST_NOTIFICATION_RECEIVER: `http://127.0.0.1:${process.env.STACKROOM_TEST_RECEIVER_PORT}`,
              },
            },
          }),
        ],
        test: {
          name: "workers",
          testTimeout: 20_000,
          // core/'s AWS client runs on the runtime it signs from; the rest of core/ is pure logic.
          // test/kinds/: a test-only kind registered at run time (a kind is a plugin).
          include: ["worker/**/*.test.ts", "durable-objects/**/*.test.ts", "core/aws/**/*.test.ts", "test/kinds/**/*.test.ts"],
          exclude: ["**/*.unit.test.ts"],
        },
      },
      {
        test: {
          name: "node",
          testTimeout: 30_000,
          environment: "node",
          // Pure logic runs in plain Node; the runtime is what the workers project tests.
          include: ["aws-bridge/**/*.test.ts", "core/**/*.test.ts", "test/node/**/*.test.ts", "durable-objects/**/*.unit.test.ts"],
          exclude: ["core/aws/**"],
          env: { STACKROOM_TEST_MOTO_ENDPOINT: motoEndpoint },
        },
      },
      {
        // The app's pure modules and rune classes (`*.svelte.ts`, compiled by the svelte plugin
        // with the browser runtime so $state/$derived react as in the page). No DOM: tests that
        // need window, WebSocket or timers bring small fakes.
        plugins: [svelte({ configFile: false })],
        resolve: {
          conditions: ["browser"],
          alias: {
            $contract: fileURLToPath(new URL("./core/contract", import.meta.url)),
            $core: fileURLToPath(new URL("./core", import.meta.url)),
            $lib: fileURLToPath(new URL("./app/src/lib", import.meta.url)),
          },
        },
        test: {
          name: "app",
          environment: "node",
          include: ["app/src/**/*.test.ts"],
        },
      },
    ],
  },
});
