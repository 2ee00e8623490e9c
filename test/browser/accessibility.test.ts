// Proves every main screen and dialog has no critical or serious axe-core violation, in the light and in the dark colour scheme: sign-in, project list, the project's four tabs, the signed-out page, the bucket and user dialogs, the keys dialog with a new key and its share-link form, the share page (to reveal, opened, used, incomplete) and the 404 page.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { setUp, expectAccessible, openProject, openTab, uniqueBucketName, waitForStatus, waitForUserStatus, type BrowserScenario } from "./harness";

type Scheme = "light" | "dark";
const PASSPHRASE = "blue harbour 42";

/** A bucket and a user granted it, ready, with the project open on the Buckets tab. */
async function project(page: Page, url: string, scheme: Scheme): Promise<{ bucket: string; user: string }> {
  const bucket = uniqueBucketName("a11y");
  const user = `a11y-${scheme}-${Date.now().toString(36)}`;
  await openProject(page, "demo");
  await setUp(page, url, "/buckets", { name: bucket });
  await waitForStatus(page, bucket, "ready");
  await setUp(page, url, "/users", { name: user, description: "Screen check", permissions: [{ bucket, access: "read" }] });
  await waitForUserStatus(page, user, "ready");
  return { bucket, user };
}

/** Creates a key for `user` in the keys dialog and a link with a passphrase; leaves the dialog open on the new key. */
async function keyAndLink(page: Page, user: string): Promise<string> {
  await openTab(page, "users");
  await page.getByTestId(`keys-${user}`).click();
  const keys = page.getByTestId("keys-dialog");
  await keys.getByTestId("create-key").click();
  await keys.getByTestId("new-key-secret").waitFor();
  await keys.getByTestId("share-use-passphrase").check();
  await keys.getByTestId("share-passphrase-input").fill(PASSPHRASE);
  await keys.getByTestId("create-share").click();
  return ((await keys.getByTestId("share-link").textContent()) ?? "").trim();
}

function managerScreens(colorScheme: Scheme): BrowserScenario {
  return {
    name: `manager screens and dialogs pass axe in ${colorScheme} mode`,
    async run({ url, signedIn, anonymous, screenshot }) {
      const check = async (page: Page, screen: string) => {
        await expectAccessible(page, screen);
        await screenshot(page, `${colorScheme} ${screen}`);
      };
      const dialog = async (page: Page, open: string, testid: string, screen: string) => {
        await page.getByTestId(open).click();
        await page.getByTestId(testid).waitFor();
        await check(page, screen);
        await page.keyboard.press("Escape");
        await page.getByTestId(testid).waitFor({ state: "detached" });
      };

      const visitor = await anonymous({ colorScheme });
      await visitor.goto(`${url}/`);
      await visitor.getByTestId("demo-alice").waitFor();
      await check(visitor, "sign-in");

      const alice = await signedIn("alice@example.com", { colorScheme });
      await check(alice, "project list");
      const { bucket, user } = await project(alice, url, colorScheme);
      await check(alice, "buckets tab");
      await dialog(alice, "new-bucket", "new-bucket-dialog", "new bucket");
      await alice.getByTestId("new-bucket").click();
      await alice.getByTestId("create-bucket").click();
      await alice.getByTestId("bucket-name-error").waitFor();
      await check(alice, "new bucket with errors");
      await alice.keyboard.press("Escape");
      await dialog(alice, `edit-${bucket}`, "edit-bucket-dialog", "edit bucket");
      await dialog(alice, `delete-${bucket}`, "delete-bucket-dialog", "delete bucket");

      await openTab(alice, "users");
      await alice.getByTestId("shares-card").locator("table, [data-testid=no-shares]").first().waitFor();
      await check(alice, "users tab");
      await dialog(alice, "new-user", "new-user-dialog", "new user");
      await dialog(alice, `edit-user-${user}`, "edit-user-dialog", "edit user");

      await alice.getByTestId(`keys-${user}`).click();
      const keys = alice.getByTestId("keys-dialog");
      await keys.getByTestId("create-key").click();
      await keys.getByTestId("share-use-passphrase").check();
      await check(alice, "keys dialog with a new key and the link form");
      await keys.getByTestId("share-passphrase-input").fill(PASSPHRASE);
      await keys.getByTestId("create-share").click();
      await keys.getByTestId("share-link").waitFor();
      await check(alice, "keys dialog with the link made");
      await keys.getByTestId("key-done").click();
      await keys.locator("table").first().waitFor();
      await check(alice, "keys dialog key list");
      await alice.keyboard.press("Escape");
      await keys.waitFor({ state: "detached" });

      await openTab(alice, "permissions");
      await check(alice, "permissions tab");
      await openTab(alice, "members");
      await alice.getByTestId("member-list").waitFor();
      await check(alice, "members tab");

      // Last, as it ends the session: the page another tab shows once its sign-in ended.
      const other = await alice.context().newPage();
      await other.goto(`${url}/projects/demo`);
      await other.locator('[data-testid="connection"][data-status="live"]').waitFor({ timeout: 15_000 });
      await alice.getByTestId("sign-out").click();
      await other.getByTestId("signed-out").waitFor();
      await check(other, "project page after signing out elsewhere");
    },
  };
}

function sharePages(colorScheme: Scheme): BrowserScenario {
  return {
    name: `share and error pages pass axe in ${colorScheme} mode`,
    async run({ url, signedIn, anonymous, screenshot }) {
      const check = async (page: Page, screen: string) => {
        await expectAccessible(page, screen);
        await screenshot(page, `${colorScheme} ${screen}`);
      };
      const alice = await signedIn("alice@example.com", { colorScheme });
      const { user } = await project(alice, url, colorScheme);
      const link = await keyAndLink(alice, user);

      const recipient = await anonymous({ colorScheme });
      await recipient.goto(link);
      await recipient.getByTestId("share-passphrase").waitFor();
      await check(recipient, "share page before reveal");
      await recipient.getByTestId("share-passphrase").fill(PASSPHRASE);
      await recipient.getByTestId("share-reveal-button").click();
      await recipient.getByTestId("share-secret").waitFor();
      await check(recipient, "share page opened");

      const again = await recipient.context().newPage();
      await again.goto(link);
      await again.getByTestId("share-passphrase").fill(PASSPHRASE);
      await again.getByTestId("share-reveal-button").click();
      await again.locator('[data-testid="share-problem"][data-problem="used"]').waitFor();
      await check(again, "share page already used");

      await again.goto(`${url}/share/demo.AAAAAAAAAAAAAAAAAAAAAA#short`);
      await again.locator('[data-testid="share-problem"][data-problem="incomplete"]').waitFor();
      await check(again, "share page incomplete link");

      await again.goto(`${url}/no-such-page`);
      await again.getByTestId("error-page").waitFor();
      await check(again, "404 page");
    },
  };
}

export const scenarios: BrowserScenario[] = [managerScreens("light"), managerScreens("dark"), sharePages("light"), sharePages("dark")];
