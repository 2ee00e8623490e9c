/**
 * `npm run test:browser`: starts the whole local stack on free ports, drives the app in Debian's
 * Chromium through every scenario in test/browser/*.test.ts, keeps screenshots under
 * test-artifacts/browser/, prints `N passed, M failed` and exits non-zero on any failure.
 * Scenarios that set `holdSeconds` run last, on a second stack whose bridge holds back completion
 * events; both stacks boot side by side (about 7 s more than one alone).
 * Recorded CloudFormation sequences (failures moto cannot produce) reach the Worker through the
 * real signed webhook of the demo project: the runner signs them with the project's secret
 * derived from a root of its own, installed in the rotation slot (WEBHOOK_SECRET_PREVIOUS) so
 * the local bridge keeps its own.
 * The app is its production build as Pages serves it (scripts/lib/pages-app.ts), from a private
 * copy of dist/app; when dist/app is missing or older than the app's sources, it is built first
 * (the app steps of `npm run build`) and the run says so. BROWSER_APP=dev runs against `vite dev`
 * instead (to compare, or to debug with dev-mode Svelte).
 * Options: a substring argument runs only matching scenarios; VERBOSE=1 shows the stack's logs;
 * README_SCREENSHOTS=1 also saves the screens the README shows to docs/screenshots/ (the visible
 * window: 1360 × 900, or the phone's 390 × 844), e.g. `README_SCREENSHOTS=1 npm run test:browser -- "sftp ›"`.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ROOT, startStack, type Stack, type StackOptions } from "./lib/stack";
import { appBuildSnapshot } from "./lib/app-build";
import { launchChromium, signIn, type BrowserScenario, type ContextOptions, type ScenarioEnv } from "../test/browser/harness";
import { SIGNATURE_HEADER } from "../core/contract";
import { signBody } from "../core/webhook-signature";
import { projectWebhookSecret } from "../core/webhook-secret";
import { projectWebhookUrl } from "../aws-bridge/project-scope";
import { DEMO } from "./lib/demo";

const ARTIFACTS = join(ROOT, "test-artifacts", "browser");
/** Screens the README shows, by the name a scenario gives its screenshot. */
const README_SHOTS = new Set(["sftp-off-waits-for-users", "bucket-page-running", "share-with-sftp", "grants-pending", "burst-folded", "phone-light-buckets"]);
const README_DIR = join(ROOT, "docs", "screenshots");
const SCENARIO_TIMEOUT_SECONDS = 90;
/** Signs replayed stack events; never leaves this process and the stacks it starts. */
const REPLAY_SECRET = randomBytes(24).toString("hex");

/** POSTs the demo project's stack events to its webhook exactly as its bridge would, signed with its own secret. */
async function deliver(apiUrl: string, events: readonly unknown[]): Promise<void> {
  const body = JSON.stringify({ events });
  const secret = await projectWebhookSecret(REPLAY_SECRET, DEMO.id, 1);
  const res = await fetch(projectWebhookUrl(apiUrl, DEMO.id), {
    method: "POST",
    headers: { "content-type": "application/json", [SIGNATURE_HEADER]: await signBody(body, [secret], Date.now() / 1000) },
    body,
  });
  if (res.status !== 202) throw new Error(`the webhook refused the replayed events: ${res.status} ${await res.text()}`);
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60);
}

async function loadScenarios(filter: string | undefined): Promise<BrowserScenario[]> {
  const dir = join(ROOT, "test", "browser");
  const files = readdirSync(dir).filter((f) => f.endsWith(".test.ts")).sort();
  const all: BrowserScenario[] = [];
  for (const file of files) {
    const mod: { scenarios?: BrowserScenario[] } = await import(pathToFileURL(join(dir, file)).href);
    all.push(...(mod.scenarios ?? []).map((s) => ({ ...s, name: `${file.replace(/\.test\.ts$/, "")} › ${s.name}` })));
  }
  return filter ? all.filter((s) => s.name.includes(filter)) : all;
}

/** Runs one scenario in its own browser contexts; page errors fail it, screenshots tell why. */
async function runScenario(browser: Browser, stack: Stack, scenario: BrowserScenario): Promise<void> {
  const { url } = stack;
  const contexts: BrowserContext[] = [];
  const pages: Page[] = [];
  const pageErrors: string[] = [];
  const consoleLines: string[] = [];
  const base = slug(scenario.name);
  const newContext = async (who: string, options: ContextOptions = {}) => {
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1360, height: 900 }, colorScheme: options.colorScheme ?? "light" });
    context.setDefaultTimeout(15_000);
    contexts.push(context);
    context.on("page", (page) => {
      pages.push(page);
      page.on("pageerror", (err) => pageErrors.push(`${who}: ${err.message}`));
      page.on("console", (msg) => consoleLines.push(`[${who}] ${msg.type()}: ${msg.text()}`));
    });
    return context;
  };
  const env: ScenarioEnv = {
    url,
    async signedIn(email, options) {
      return signIn(await newContext(email, options), url, email);
    },
    async anonymous(options) {
      return (await newContext("anonymous", options)).newPage();
    },
    motoEndpoint: stack.motoEndpoint,
    apiUrl: stack.apiUrl,
    opsToken: stack.opsToken,
    deliverStackEvents: (events) => deliver(stack.apiUrl, events),
    async screenshot(page, name) {
      const path = join(ARTIFACTS, `${base}--${slug(name)}.png`);
      await page.screenshot({ path, fullPage: true });
      if (process.env["README_SCREENSHOTS"] === "1" && README_SHOTS.has(name)) {
        mkdirSync(README_DIR, { recursive: true });
        await page.screenshot({ path: join(README_DIR, `${name}.png`) });
      }
      return path;
    },
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      scenario.run(env),
      new Promise<never>((_, reject) => {
        const seconds = scenario.timeoutSeconds ?? SCENARIO_TIMEOUT_SECONDS;
        timer = setTimeout(() => reject(new Error(`timed out after ${seconds} s`)), seconds * 1000);
      }),
    ]);
    if (pageErrors.length) throw new Error(`uncaught errors in the page:\n  ${pageErrors.join("\n  ")}`);
  } catch (err) {
    for (const [i, page] of pages.entries()) {
      await page.screenshot({ path: join(ARTIFACTS, `${base}--failure-${i + 1}.png`), fullPage: true }).catch(() => undefined);
    }
    throw err;
  } finally {
    clearTimeout(timer);
    if (consoleLines.length) writeFileSync(join(ARTIFACTS, `${base}--console.log`), consoleLines.join("\n") + "\n");
    for (const context of contexts) await context.close().catch(() => undefined);
  }
}

/** Scenarios that need the same kind of stack (hold time, sign-in mode) share one. */
interface Profile {
  hold: number;
  auth: "dev" | "access";
}
const profileOf = (s: BrowserScenario): Profile => ({ hold: s.holdSeconds ?? 0, auth: s.auth ?? "dev" });
const keyOf = (p: Profile) => `${p.auth}${p.hold ? `-hold${p.hold}` : ""}`;
const describeProfile = (p: Profile) => [p.hold ? `completion events held ${p.hold} s` : "", p.auth === "access" ? "Cloudflare Access sign-in" : ""].filter(Boolean).join(", ");
const stateDir = (key: string) => join(ROOT, ".dev", `browser-state-${process.pid}-${key}`);

async function main(): Promise<number> {
  const scenarios = await loadScenarios(process.argv[2]);
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });

  // One stack per profile the selected scenarios ask for; scenarios on the default run first.
  const profiles = new Map(scenarios.map((s) => [keyOf(profileOf(s)), profileOf(s)]));
  const order = (s: BrowserScenario) => profileOf(s).hold * 10 + (profileOf(s).auth === "access" ? 1 : 0);
  const stacks = new Map<string, Stack>();
  const launches = new Map<string, Promise<Stack>>();
  let browser: Browser | undefined;
  let home: string | undefined;
  let appBuild: string | undefined;
  const stopAll = async () => {
    await browser?.close().catch(() => undefined);
    await Promise.all([...stacks.values()].map((stack) => stack.stop().catch(() => undefined)));
    if (home) rmSync(home, { recursive: true, force: true });
    if (appBuild) rmSync(appBuild, { recursive: true, force: true });
  };
  // A stack still booting when the run is interrupted must finish booting to be stopped, or its
  // processes (moto, wrangler, vite) would outlive the run.
  const onSignal = () => void Promise.allSettled(launches.values()).then(stopAll).then(() => process.exit(130));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  let passed = 0;
  let failed = 0;
  try {
    let app: StackOptions["app"] = "dev";
    if (process.env["BROWSER_APP"] !== "dev") {
      appBuild = await appBuildSnapshot(ROOT, (why) => console.log(`Building the app first: ${why}…`));
      app = { build: appBuild };
    }
    console.log(`Starting the local stack${profiles.size > 1 ? "s" : ""} (moto, bridge, wrangler dev, app: ${app === "dev" ? "vite dev" : "production build"})…`);
    // All at once, before any scenario: booting one while another's scenarios run slows those
    // scenarios' first page loads past their timeouts.
    for (const [key, profile] of profiles) {
      const options = {
        port: 0,
        app,
        holdSeconds: profile.hold,
        auth: { mode: profile.auth },
        quiet: !process.env.VERBOSE,
        stateDir: stateDir(key),
        workerVars: { WEBHOOK_SECRET_PREVIOUS: REPLAY_SECRET },
      };
      launches.set(key, startStack(options).then((stack) => (stacks.set(key, stack), stack)));
    }
    await Promise.all(launches.values());
    ({ browser, home } = await launchChromium());
    for (const [key, stack] of stacks) {
      const profile = profiles.get(key);
      const about = profile ? describeProfile(profile) : "";
      console.log(`App at ${stack.url}${about ? ` (${about})` : ""}`);
    }
    console.log(`Chromium ${browser.version()}\n`);
    for (const scenario of [...scenarios].sort((a, b) => order(a) - order(b))) {
      const stack = stacks.get(keyOf(profileOf(scenario)));
      if (!stack) throw new Error(`no stack for ${scenario.name}`);
      const started = Date.now();
      try {
        await runScenario(browser, stack, scenario);
        passed++;
        console.log(`  ✓ ${scenario.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      } catch (err) {
        failed++;
        console.log(`  ✗ ${scenario.name}\n      ${(err instanceof Error ? err.message : String(err)).split("\n").join("\n      ")}`);
      }
    }
  } catch (err) {
    console.error(`The browser tests could not run: ${err instanceof Error ? err.message : String(err)}`);
    failed = Math.max(1, scenarios.length - passed);
  } finally {
    // A stack still booting must finish first, or its processes would outlive this run.
    await Promise.allSettled(launches.values());
    await stopAll();
    for (const key of profiles.keys()) rmSync(stateDir(key), { recursive: true, force: true });
  }
  console.log(`\nScreenshots: ${ARTIFACTS}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    console.log("0 passed, 1 failed");
    process.exit(1);
  },
);
