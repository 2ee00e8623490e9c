// Proves sessions end everywhere at once (a second tab shows "signed out" within 5 s, with dev sign-in and with Cloudflare Access) and that owners manage members live: an added viewer sees the project, a removed one loses it in the tab they have open.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { expectAccessible, openProject, openTab, type BrowserScenario } from "./harness";

/** A second tab of the same browser (same cookies) on the project, live. */
async function secondTab(first: Page, url: string): Promise<Page> {
  const tab = await first.context().newPage();
  await tab.goto(`${url}/projects/demo`);
  await tab.locator('[data-testid="connection"][data-status="live"]').waitFor({ timeout: 15_000 });
  return tab;
}

async function signOutShowsInOtherTab(first: Page, url: string, screenshot: (p: Page, n: string) => Promise<string>): Promise<Page> {
  await openProject(first, "demo");
  const other = await secondTab(first, url);
  const started = Date.now();
  await first.getByTestId("sign-out").click();
  await other.getByTestId("signed-out").waitFor({ timeout: 5_000 });
  assert.ok(Date.now() - started < 5_000, "the other tab took more than 5 s");
  assert.equal(await other.getByTestId("connection").count(), 0, "the other tab still shows a live connection");
  assert.equal(await other.getByTestId("tab-buckets").count(), 0, "the other tab still shows the project's state");
  await screenshot(other, "other-tab-signed-out");
  return other;
}

export const scenarios: BrowserScenario[] = [
  {
    name: "alice signs out in one tab; her second tab shows she is signed out within 5 s",
    async run({ url, signedIn, screenshot }) {
      const alice = await signedIn("alice@example.com");
      const other = await signOutShowsInOtherTab(alice, url, screenshot);
      await alice.waitForURL(`${url}/`);
      await other.getByTestId("sign-in-again").click();
      await other.getByTestId("demo-alice").waitFor();
      assert.match(other.url(), /\/\?next=%2Fprojects%2Fdemo/);
    },
  },
  {
    name: "an owner adds a viewer who then sees the project; removing them takes it out of their open tab",
    async run({ url, signedIn, screenshot }) {
      const email = `dana-${Date.now().toString(36)}@example.com`;
      const dana = await signedIn(email);
      await dana.getByTestId("no-projects").waitFor();

      const alice = await signedIn("alice@example.com");
      await openProject(alice, "demo");
      await openTab(alice, "members");
      await alice.getByTestId("member-email").fill(email.toUpperCase());
      await alice.getByTestId("member-role").selectOption("viewer");
      await alice.getByTestId("add-member").click();
      await alice.getByTestId(`member-${email}`).waitFor();
      await screenshot(alice, "member-added");

      await dana.reload();
      await openProject(dana, "demo");
      assert.equal(await dana.getByTestId("role").first().textContent(), "Viewer");
      await openTab(dana, "members");
      await dana.getByTestId(`member-${email}`).waitFor();
      assert.equal(await dana.getByTestId("add-member").count(), 0, "a viewer can add members");

      await alice.getByTestId(`remove-member-${email}`).click();
      await alice.getByTestId(`remove-member-${email}-confirm`).click();
      await dana.getByTestId("access-lost").waitFor({ timeout: 5_000 });
      await screenshot(dana, "removed-member-tab");
      await alice.getByTestId(`member-${email}`).waitFor({ state: "detached" });
      await dana.getByTestId("back-to-projects").click();
      await dana.getByTestId("no-projects").waitFor();
    },
  },
  {
    name: "with Cloudflare Access: sign in through Access, sign out through Access's logout; the other tab shows signed out",
    auth: "access",
    async run({ url, signedIn, anonymous, screenshot }) {
      const visitor = await anonymous();
      await visitor.goto(`${url}/`);
      await visitor.getByTestId("access-sign-in").waitFor();
      await expectAccessible(visitor, "sign-in with Cloudflare Access");
      await screenshot(visitor, "access-sign-in");
      const alice = await signedIn("alice@example.com");
      assert.equal(await alice.getByTestId("signed-in-as").textContent(), "alice@example.com");
      const other = await signOutShowsInOtherTab(alice, url, screenshot);
      // Access's own logout page: the CF_Authorization cookie is gone.
      await alice.getByTestId("access-back").waitFor();
      assert.equal((await alice.context().cookies()).some((c) => c.name === "CF_Authorization" && c.value !== ""), false);
      await other.getByTestId("sign-in-again").click();
      await other.getByTestId("access-sign-in").waitFor();
    },
  },
];
