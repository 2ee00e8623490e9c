// Proves every screen works on a 390 px phone, light and dark: the page never scrolls sideways, and each screen's primary actions lie inside the viewport (sign-in, projects, each project tab, each dialog, each resource page, the recipient's page).
import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";
import * as z from "zod";
import { openProject, openTab, setUp, uniqueBucketName, waitForStatus, waitForUserStatus, type BrowserScenario, type ScenarioEnv } from "./harness";

const PHONE = { width: 390, height: 844 };
const Width = z.object({ page: z.number(), view: z.number() });

/** The page is no wider than the phone, and each action can be reached on it (scrolled to vertically, never sideways). */
async function fits(page: Page, screen: string, actions: Locator[]): Promise<void> {
  const width = Width.parse(await page.evaluate("({ page: document.documentElement.scrollWidth, view: window.innerWidth })"));
  assert.ok(width.page <= width.view, `${screen}: the page is ${width.page} px wide on a ${width.view} px screen`);
  for (const action of actions) {
    await action.scrollIntoViewIfNeeded();
    const box = await action.boundingBox();
    assert.ok(box, `${screen}: ${action} is not shown`);
    assert.ok(box.x >= 0 && box.x + box.width <= PHONE.width + 0.5, `${screen}: ${action} spans ${Math.round(box.x)}–${Math.round(box.x + box.width)} px, outside the screen`);
  }
}

async function sweep({ url, signedIn, anonymous, screenshot }: ScenarioEnv, colorScheme: "light" | "dark"): Promise<void> {
  const visitor = await anonymous({ viewport: PHONE, colorScheme });
  await visitor.goto(`${url}/`);
  await visitor.getByTestId("demo-alice").waitFor();
  await fits(visitor, "sign-in", [visitor.getByTestId("demo-alice")]);

  const alice = await signedIn("alice@example.com", { viewport: PHONE, colorScheme });
  await fits(alice, "projects", [alice.getByTestId("project-demo"), alice.getByTestId("sign-out")]);
  await openProject(alice, "demo");
  const bucket = uniqueBucketName(`phone-${colorScheme}`);
  const user = `p-${bucket.slice(-10)}`;
  await setUp(alice, url, "/buckets", { name: bucket });
  await waitForStatus(alice, bucket, "ready");
  await setUp(alice, url, "/users", { name: user, permissions: [{ bucket, access: "read" }] });

  await screenshot(alice, `phone-${colorScheme}-buckets`);
  await fits(alice, "buckets tab", [alice.getByTestId("new-bucket"), alice.getByTestId(`edit-${bucket}`), alice.getByTestId(`delete-${bucket}`), alice.getByTestId("tab-members")]);
  await alice.getByTestId("new-bucket").click();
  const newBucket = alice.getByTestId("new-bucket-dialog");
  await fits(alice, "new bucket dialog", [newBucket.getByTestId("bucket-name"), newBucket.getByTestId("create-bucket")]);
  await alice.keyboard.press("Escape");
  await alice.getByTestId(`edit-${bucket}`).click();
  await fits(alice, "edit bucket dialog", [alice.getByTestId("edit-bucket-dialog").getByTestId("save-bucket")]);
  await alice.keyboard.press("Escape");

  await openTab(alice, "users");
  await waitForUserStatus(alice, user, "ready");
  await fits(alice, "users tab", [alice.getByTestId("new-user"), alice.getByTestId(`keys-${user}`)]);
  await screenshot(alice, `phone-${colorScheme}-users`);
  await alice.getByTestId("new-user").click();
  await fits(alice, "new user dialog", [alice.getByTestId("new-user-dialog").getByTestId("create-user")]);
  await alice.keyboard.press("Escape");
  await alice.getByTestId(`keys-${user}`).click();
  const keys = alice.getByTestId("keys-dialog");
  await keys.getByTestId("create-key").click();
  await keys.getByTestId("new-key-secret").waitFor();
  await fits(alice, "new key", [keys.getByTestId("new-key-secret-copy"), keys.getByTestId("create-share"), keys.getByTestId("key-done")]);
  await keys.getByTestId("create-share").click();
  const link = ((await keys.getByTestId("share-link").textContent()) ?? "").trim();
  await fits(alice, "link made", [keys.getByTestId("key-done")]);
  await screenshot(alice, `phone-${colorScheme}-new-key`);
  // Done goes back to the user's key list; Escape closes the dialog.
  await keys.getByTestId("key-done").click();
  await keys.getByTestId("new-key").waitFor({ state: "detached" });
  await alice.keyboard.press("Escape");
  await keys.waitFor({ state: "detached" });

  for (const tab of ["permissions", "sftp", "members"] as const) {
    await openTab(alice, tab);
    const primary = { permissions: alice.getByTestId(`tab-${tab}`), sftp: alice.getByTestId("sftp-enable").or(alice.getByTestId("sftp-details")), members: alice.getByTestId("add-member") }[tab];
    await fits(alice, `${tab} tab`, [primary]);
    await screenshot(alice, `phone-${colorScheme}-${tab}`);
  }

  await alice.goto(`${url}/projects/demo/buckets/${bucket}`);
  await alice.getByTestId("resource-page").waitFor();
  await fits(alice, "bucket page", await alice.getByTestId("resource-page").getByRole("button", { name: /^Copy/ }).all());
  await screenshot(alice, `phone-${colorScheme}-bucket-page`);
  await alice.goto(`${url}/projects/demo/users/${user}`);
  await alice.getByTestId("resource-page").waitFor();
  await fits(alice, "user page", await alice.getByTestId("resource-page").getByRole("button").all());

  const recipient = await anonymous({ viewport: PHONE, colorScheme });
  await recipient.goto(link);
  await recipient.getByTestId("share-reveal").waitFor();
  await fits(recipient, "recipient before reveal", [recipient.getByTestId("share-reveal-button")]);
  await recipient.getByTestId("share-reveal-button").click();
  await recipient.getByTestId("share-secret").waitFor();
  await fits(recipient, "recipient after reveal", await recipient.getByRole("button", { name: /^Copy|Download/ }).all());
  await screenshot(recipient, `phone-${colorScheme}-recipient`);
}

export const scenarios: BrowserScenario[] = [
  { name: "every screen fits a 390 px phone, light", run: (env) => sweep(env, "light") },
  { name: "every screen fits a 390 px phone, dark", run: (env) => sweep(env, "dark") },
];
