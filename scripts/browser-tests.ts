/**
 * `npm run test:browser`: starts the whole local stack on free ports, drives the app in Debian's
 * Chromium through every scenario in test/browser/*.test.ts, keeps screenshots under
 * test-artifacts/browser/, prints `N passed, M failed` and exits non-zero on any failure.
 * Scenarios that set `holdSeconds` run last, on a second stack whose bridge holds back completion
 * events; both stacks boot side by side (about 7 s more than one alone).
 * Recorded CloudFormation sequences (failures moto cannot produce) reach the Worker through the
 * real signed webhook: the runner signs them with a secret of its own, installed in the
 * rotation slot (WEBHOOK_SECRET_PREVIOUS) so the local bridge keeps its own.
 * Options: a substring argument runs only matching scenarios; VERBOSE=1 shows the stack's logs.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ROOT, startStack, type Stack } from "./lib/stack";
import { launchChromium, signIn, type BrowserScenario, type ScenarioEnv } from "../test/browser/harness";
import { SIGNATURE_HEADER } from "../worker/domain/contract";
import { signBody } from "../worker/domain/webhook-signature";

const ARTIFACTS = join(ROOT, "test-artifacts", "browser");
const SCENARIO_TIMEOUT_MS = 90_000;
/** Signs replayed stack events; never leaves this process and the stacks it starts. */
const REPLAY_SECRET = randomBytes(24).toString("hex");

/** POSTs stack events to the Worker's webhook exactly as the bridge would, signed. */
async function deliver(apiUrl: string, events: readonly unknown[]): Promise<void> {
  const body = JSON.stringify({ events });
  const res = await fetch(`${apiUrl}/webhooks/cloudformation`, {
    method: "POST",
    headers: { "content-type": "application/json", [SIGNATURE_HEADER]: await signBody(body, [REPLAY_SECRET], Date.now() / 1000) },
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
  const newContext = async (who: string) => {
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
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
    async signedIn(email) {
      return signIn(await newContext(email), url, email);
    },
    async anonymous() {
      return (await newContext("anonymous")).newPage();
    },
    deliverStackEvents: (events) => deliver(stack.apiUrl, events),
    async screenshot(page, name) {
      const path = join(ARTIFACTS, `${base}--${slug(name)}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      scenario.run(env),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${SCENARIO_TIMEOUT_MS / 1000} s`)), SCENARIO_TIMEOUT_MS);
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

const stateDir = (hold: number) => join(ROOT, ".dev", `browser-state-${process.pid}${hold ? `-hold${hold}` : ""}`);

async function main(): Promise<number> {
  const scenarios = await loadScenarios(process.argv[2]);
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });

  // One stack per hold time the selected scenarios ask for; scenarios on the default (0) run first.
  const holds = [...new Set(scenarios.map((s) => s.holdSeconds ?? 0))].sort((a, b) => a - b);
  const stacks = new Map<number, Stack>();
  const launches = new Map<number, Promise<Stack>>();
  let browser: Browser | undefined;
  let home: string | undefined;
  const stopAll = async () => {
    await browser?.close().catch(() => undefined);
    await Promise.all([...stacks.values()].map((stack) => stack.stop().catch(() => undefined)));
    if (home) rmSync(home, { recursive: true, force: true });
  };
  const onSignal = () => void stopAll().then(() => process.exit(130));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  let passed = 0;
  let failed = 0;
  try {
    console.log(`Starting the local stack${holds.length > 1 ? "s" : ""} (moto, bridge, wrangler dev, app)…`);
    // All at once, before any scenario: booting one while another's scenarios run slows those
    // scenarios' first page loads past their timeouts.
    for (const hold of holds) {
      const options = { port: 0, holdSeconds: hold, quiet: !process.env.VERBOSE, stateDir: stateDir(hold), workerVars: { WEBHOOK_SECRET_PREVIOUS: REPLAY_SECRET } };
      launches.set(hold, startStack(options).then((stack) => (stacks.set(hold, stack), stack)));
    }
    await Promise.all(launches.values());
    ({ browser, home } = await launchChromium());
    for (const [hold, stack] of stacks) console.log(`App at ${stack.url}${hold ? ` (completion events held ${hold} s)` : ""}`);
    console.log(`Chromium ${browser.version()}\n`);
    for (const scenario of [...scenarios].sort((a, b) => (a.holdSeconds ?? 0) - (b.holdSeconds ?? 0))) {
      const stack = stacks.get(scenario.holdSeconds ?? 0);
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
    for (const hold of holds) rmSync(stateDir(hold), { recursive: true, force: true });
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
