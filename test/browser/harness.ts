import { mkdtempSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import { chromium, type APIResponse, type Browser, type BrowserContext, type Page } from "playwright-core";
import * as z from "zod";
import { ProjectView, type StackEvent } from "../../core/contract";

/** TOOLCHAIN pitfall 10; Playwright adds `--headless` and a fresh `--user-data-dir` itself. */
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
];

export async function launchChromium(): Promise<{ browser: Browser; home: string }> {
  const home = mkdtempSync(join(tmpdir(), "stackroom-chromium-"));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, ".config") },
  });
  return { browser, home };
}

/** How a scenario's browser context looks: the system colour scheme and the window size. */
export interface ContextOptions {
  colorScheme?: "light" | "dark";
  /** Defaults to 1360 × 900; phones are 390 × 844. */
  viewport?: { width: number; height: number };
}

/** What a scenario gets: the app's URL and managers' pages, each in its own browser context. */
export interface ScenarioEnv {
  url: string;
  /** A page in a fresh context, signed in through the sign-in page as `email`. */
  signedIn(email: string, options?: ContextOptions): Promise<Page>;
  /** A page in a fresh context with no session at all (a share link's recipient). */
  anonymous(options?: ContextOptions): Promise<Page>;
  /** The stack's moto (local AWS): where a scenario acts as a partner would, e.g. uploads with the AWS CLI. */
  motoEndpoint: string;
  /**
   * The Worker's own address and its ops token, for set-ups no manager could make through the app
   * (e.g. stacks made straight in moto and healed into the room with `POST /api/ops/projects/:p/resync`).
   */
  apiUrl: string;
  opsToken: string;
  /** Sends CloudFormation stack events to the Worker's webhook, signed like the bridge's (for recorded failures). */
  deliverStackEvents(events: readonly StackEvent[]): Promise<void>;
  /** Saves a full-page screenshot under test-artifacts/browser/ and returns its path. */
  screenshot(page: Page, name: string): Promise<string>;
}

export interface BrowserScenario {
  name: string;
  /**
   * Run against a stack whose local bridge holds back each stack operation's final event this
   * many seconds (moto finishes at once; locks and queues need time to be seen). Scenarios with
   * the same value share one stack, started alongside the default one.
   */
  holdSeconds?: number;
  /** Sign-in of the scenario's stack: dev (default) or Cloudflare Access through a local Access team. */
  auth?: "dev" | "access";
  /** How long the scenario may take (default 90 s): more only for one that makes and removes many resources. */
  timeoutSeconds?: number;
  run(env: ScenarioEnv): Promise<void>;
}

export const DEMO_BUTTON: Record<string, string> = {
  "alice@example.com": "demo-alice",
  "bob@example.com": "demo-bob",
  "carol@example.com": "demo-carol",
};

/**
 * An API call with the page's own session, for a scenario's set-up: sent like the app sends it,
 * with the app's Origin (the Worker refuses state changes without it).
 */
export async function apiCall(page: Page, url: string, method: "POST" | "PATCH" | "PUT" | "DELETE", path: string, data?: object): Promise<APIResponse> {
  return page.request.fetch(`${url}${path}`, { method, headers: { origin: url }, ...(data ? { data } : {}) });
}

/** The demo project as `GET /api/projects/demo` answers it: the KV snapshot, which the room writes at most once a second. */
export async function projectView(page: Page, url: string): Promise<ProjectView> {
  const res = await page.request.get(`${url}/api/projects/demo`);
  assert.equal(res.status(), 200);
  return ProjectView.parse(await res.json());
}

/**
 * Reads the demo project until `pick` finds what the scenario waits for (the snapshot trails the
 * room by up to a second) and answers it; fails naming `what` after `timeoutMs`.
 */
export async function untilView<T>(page: Page, url: string, pick: (view: ProjectView) => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = pick(await projectView(page, url));
    if (found !== undefined) return found;
    assert.ok(Date.now() < deadline, `${what} (waited ${timeoutMs / 1000} s)`);
    await page.waitForTimeout(250);
  }
}

/** Creates something in the demo project through the API (the set-up, not what a scenario tests) and expects 202. */
export async function setUp(page: Page, url: string, path: string, data: object): Promise<void> {
  const res = await apiCall(page, url, "POST", `/api/projects/demo${path}`, data);
  assert.equal(res.status(), 202, `POST ${path}: ${await res.text()}`);
}

/**
 * Signs in on `/` and lands on /projects: with dev sign-in through a demo manager's button or the
 * email form; with Cloudflare Access through the (local) team's login page, as a person would.
 */
export async function signIn(context: BrowserContext, url: string, email: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${url}/`);
  const access = page.getByTestId("access-sign-in");
  await Promise.race([access.waitFor(), page.getByTestId("email").waitFor()]);
  const button = DEMO_BUTTON[email];
  if (await access.count()) {
    await access.click();
    await page.getByTestId("access-email").fill(email);
    await page.getByTestId("access-login-submit").click();
  } else if (button) await page.getByTestId(button).click();
  else {
    await page.getByTestId("email").fill(email);
    await page.getByTestId("email").press("Enter");
  }
  await page.waitForURL(`${url}/projects`);
  return page;
}

/** Opens a project from the project list and waits for the live connection. */
export async function openProject(page: Page, id: string): Promise<void> {
  await page.getByTestId(`project-${id}`).click();
  await page.waitForURL(/\/projects\/[a-z0-9]+$/);
  await page.locator('[data-testid="connection"][data-status="live"]').waitFor({ timeout: 15_000 });
}

/** Waits until the bucket's status badge shows `status`. */
export async function waitForStatus(page: Page, bucket: string, status: string, timeout = 20_000): Promise<void> {
  await page.locator(`[data-testid="status-${bucket}"][data-status="${status}"]`).waitFor({ timeout });
}

/** A bucket name no earlier run used (the stack's state is fresh, but names stay readable). */
export function uniqueBucketName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}

/** Shows a tab of the project page (Buckets, Users, Permissions, SFTP, Members). */
export async function openTab(page: Page, tab: "buckets" | "users" | "permissions" | "sftp" | "members"): Promise<void> {
  await page.getByTestId(`tab-${tab}`).click();
  await page.locator(`#panel-${tab}`).waitFor({ state: "visible" });
}

const TABS = ["buckets", "users", "permissions", "sftp", "members"] as const;

/**
 * Waits until the user's status badge in the Users tab shows `status`. The project page renders
 * only the tab shown, so from another tab this looks in Users and then shows that tab again.
 */
export async function waitForUserStatus(page: Page, user: string, status: string, timeout = 20_000): Promise<void> {
  const selected = await page.locator('[role="tab"][aria-selected="true"]').getAttribute("data-testid");
  const back = TABS.find((t) => `tab-${t}` === selected && t !== "users");
  if (back) await openTab(page, "users");
  await page.locator(`[data-testid="user-status-${user}"][data-status="${status}"]`).waitFor({ timeout });
  if (back) await openTab(page, back);
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const AxeViolations = z.array(
  z.object({
    id: z.string(),
    impact: z.string().nullable(),
    help: z.string(),
    helpUrl: z.string(),
    nodes: z.array(z.object({ target: z.array(z.unknown()), failureSummary: z.string().optional() })),
  }),
);

/**
 * Runs axe-core (WCAG 2.x A/AA and best practices, as axe ships them) on the page as it is now
 * and fails naming each critical or serious rule with the nodes it found. `screen` names the
 * screen in the message (and the colour scheme, which the page reports).
 */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  // Colours are measured as painted: let opening animations (a dialog fading in) finish first.
  await page.evaluate(`Promise.all(document.getAnimations().filter((a) => a.effect?.getTiming().iterations !== Infinity).map((a) => a.finished.catch(() => undefined)))`);
  // Evaluated through the DevTools protocol, not as an inline <script>: the app's CSP (no inline
  // scripts) stays in force while axe looks at the page.
  if (!(await page.evaluate("typeof window.axe === 'object'"))) await page.evaluate(AXE_SOURCE);
  const violations = AxeViolations.parse(await page.evaluate(`window.axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations)`));
  const serious = violations.filter((v) => v.impact === "critical" || v.impact === "serious");
  if (serious.length === 0) return;
  const scheme = (await page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")) ? "dark" : "light";
  const lines = serious.flatMap((v) => [
    `${v.impact} ${v.id}: ${v.help} (${v.helpUrl})`,
    ...v.nodes.slice(0, 5).map((n) => `    ${n.target.join(" ")}${n.failureSummary ? ` — ${n.failureSummary.replace(/\s+/g, " ").slice(0, 200)}` : ""}`),
    ...(v.nodes.length > 5 ? [`    … and ${v.nodes.length - 5} more`] : []),
  ]);
  throw new Error(`axe: ${serious.length} serious/critical ${serious.length === 1 ? "rule" : "rules"} on "${screen}" (${scheme}):\n  ${lines.join("\n  ")}`);
}

/** Fills and submits the "New bucket" dialog. */
export async function createBucketThroughUi(page: Page, name: string): Promise<void> {
  await page.getByTestId("new-bucket").click();
  const dialog = page.getByTestId("new-bucket-dialog");
  await dialog.getByTestId("bucket-name").fill(name);
  await dialog.getByTestId("create-bucket").click();
  await dialog.waitFor({ state: "detached" });
}
