// Proves a session that lapses mid-use ends on sign-in once, with ?next= back to where the manager was, whether the next thing is a navigation (a load meets the 401) or an action (a button's request meets it), and never in SvelteKit's redirect-loop error.
import assert from "node:assert/strict";
import type { Page, Request } from "playwright-core";
import { openProject, openTab, type BrowserScenario } from "./harness";

interface Seen {
  navigations: string[];
  unauthorized: string[];
  /** Requests sent and not answered yet. */
  inFlight: Set<Request>;
  onAnswer?: () => void;
}

/** Counts the page's own navigations and the API's 401s from now on, and what it has in flight. */
function watch(page: Page): Seen {
  const seen: Seen = { navigations: [], unauthorized: [], inFlight: new Set() };
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) seen.navigations.push(frame.url());
  });
  page.on("response", (res) => {
    if (res.status() === 401) seen.unauthorized.push(new URL(res.url()).pathname);
  });
  page.on("request", (req) => seen.inFlight.add(req));
  const answered = (req: Request) => {
    seen.inFlight.delete(req);
    seen.onAnswer?.();
  };
  page.on("requestfinished", answered);
  page.on("requestfailed", answered);
  return seen;
}

/**
 * Waits until everything the page asked has been answered and it has drawn two frames since (each
 * answer's handler has run, and a navigation one of them started has sent its first request), so
 * a bounce still to come would have started: "no redirect loop" without waiting a fixed time.
 * Stops early once the page has bounced more than the assertion allows.
 */
async function settled(page: Page, seen: Seen): Promise<void> {
  while (seen.navigations.length <= 3) {
    while (seen.inFlight.size > 0) await new Promise<void>((resolve) => (seen.onAnswer = resolve));
    const drawn = await page
      .evaluate("new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(true))))")
      .then(() => true)
      .catch(() => false); // a navigation replaced the document: look again
    if (drawn && seen.inFlight.size === 0) return;
  }
}

async function expectSignIn(page: Page, next: string): Promise<void> {
  await page.getByTestId("demo-alice").waitFor();
  const url = new URL(page.url());
  assert.equal(url.pathname, "/");
  assert.equal(url.searchParams.get("next"), next);
  assert.equal(await page.getByTestId("error-page").count(), 0, "an error page instead of sign-in");
  assert.equal(await page.getByTestId("signed-in-as").count(), 0, "the header still shows a signed-in manager");
}

export const scenarios: BrowserScenario[] = [
  {
    name: "a session that expires mid-use ends on sign-in with next=, after a navigation or an action, with no redirect loop",
    async run({ url, signedIn, screenshot }) {
      const alice = await signedIn("alice@example.com");
      await openProject(alice, "demo");

      // A navigation: the /projects load meets the 401.
      await alice.context().clearCookies();
      const first = watch(alice);
      await alice.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: "Projects" }).click();
      await expectSignIn(alice, "/projects");
      await settled(alice, first);
      assert.ok(first.navigations.length <= 3, `bounced: ${first.navigations.join(" → ")}`);
      await screenshot(alice, "signed-out-after-navigation");

      // Signing in again goes back to where the manager was.
      await alice.getByTestId("demo-alice").click();
      await alice.waitForURL(`${url}/projects`);
      await openProject(alice, "demo");
      await openTab(alice, "users");

      // An action: a button's request meets the 401.
      await alice.context().clearCookies();
      const second = watch(alice);
      await alice.getByTestId("new-user").click();
      await alice.getByTestId("user-name").fill(`late-${Date.now().toString(36)}`);
      await alice.getByTestId("create-user").click();
      // The tab is part of the URL, so signing in again comes back to it.
      await expectSignIn(alice, "/projects/demo?tab=users");
      await settled(alice, second);
      assert.ok(second.navigations.length <= 3, `bounced: ${second.navigations.join(" → ")}`);
      assert.ok(second.unauthorized.filter((p) => p === "/api/me").length <= 2, `asked /api/me ${second.unauthorized.length} times`);
      await screenshot(alice, "signed-out-after-action");
    },
  },
  {
    name: "after sign-in, next= leads only to pages of this app: other sites, backslash and tab tricks go to the start page",
    async run({ url, anonymous }) {
      const page = await anonymous();
      const attempts = ["/%5Cexample.invalid/phish", "/%09/example.invalid/phish", "//example.invalid/phish", "/.//example.invalid/phish", "https://example.invalid/", "javascript:alert(1)"];
      for (const next of attempts) {
        await page.goto(`${url}/?next=${next}`);
        await page.getByTestId("demo-alice").click();
        await page.waitForURL((u) => u.pathname === "/projects", { timeout: 5_000 }).catch(() => undefined);
        const landed = new URL(page.url());
        assert.equal(landed.origin, url, `next=${next} left the app for ${landed.href}`);
        assert.equal(landed.pathname, "/projects", `next=${next} landed on ${landed.href}`);
        await page.context().clearCookies();
      }
      // A page of the app's own is followed, query included.
      await page.goto(`${url}/?next=${encodeURIComponent("/projects/demo?tab=users")}`);
      await page.getByTestId("demo-alice").click();
      await page.waitForURL(`${url}/projects/demo?tab=users`);
      await page.getByRole("heading", { name: "Demo project" }).waitFor();
    },
  },
];
