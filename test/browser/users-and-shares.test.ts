// Proves the hand-off end to end: a user granted a bucket, a key shown once, a one-time link whose key never reaches the server, "already opened on <date> at <time>" on the second open, and "viewed" arriving live.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  createBucketThroughUi,
  openProject,
  openTab,
  uniqueBucketName,
  waitForStatus,
  waitForUserStatus,
  type BrowserScenario,
} from "./harness";

function uniqueUserName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}

/** Fills and submits the "New user" dialog with one grant. */
async function createUserThroughUi(page: Page, name: string, grant: { bucket: string; access: string }): Promise<void> {
  await page.getByTestId("new-user").click();
  const dialog = page.getByTestId("new-user-dialog");
  await dialog.getByTestId("user-name").fill(name);
  await dialog.getByTestId("add-grant").click();
  await dialog.getByTestId("grant-bucket").selectOption(grant.bucket);
  await dialog.getByTestId("grant-access").selectOption(grant.access);
  await dialog.getByTestId("create-user").click();
  await dialog.waitFor({ state: "detached" });
}

async function text(page: Page, testid: string): Promise<string> {
  return ((await page.getByTestId(testid).first().textContent()) ?? "").trim();
}

export const scenarios: BrowserScenario[] = [
  {
    name: "alice hands a read key over with a one-time link; the recipient opens it once, the key never leaves the fragment",
    async run({ signedIn, anonymous, screenshot }) {
      const alice = await signedIn("alice@example.com");
      await openProject(alice, "demo");
      await alice.evaluate("window.__stackroomNoReload = true");

      const bucket = uniqueBucketName("handoff");
      await createBucketThroughUi(alice, bucket);
      await waitForStatus(alice, bucket, "ready");
      const physical = ((await alice.getByTestId(`bucket-${bucket}`).locator("code").textContent()) ?? "").trim();
      assert.match(physical, new RegExp(`^${bucket}-`));

      await openTab(alice, "users");
      const user = uniqueUserName("partner");
      await createUserThroughUi(alice, user, { bucket, access: "read" });
      await waitForUserStatus(alice, user, "ready");
      await screenshot(alice, "users-tab");

      await alice.getByTestId(`keys-${user}`).click();
      const keys = alice.getByTestId("keys-dialog");
      await keys.getByTestId("create-key").click();
      const accessKeyId = await text(alice, "new-key-id");
      await alice.getByTestId("new-key-secret-show").click();
      const secret = await text(alice, "new-key-secret");
      assert.match(accessKeyId, /^[A-Z0-9]{16,}$/);
      assert.ok(secret.length >= 20, "secret shown");
      await keys.getByTestId("create-share").click();
      const link = await text(alice, "share-link");
      await screenshot(alice, "key-shown-once-and-link");

      const url = new URL(link);
      const fragment = url.hash.slice(1);
      const shareId = decodeURIComponent(url.pathname.split("/").pop() ?? "");
      assert.equal(fragment.length, 43, "the link carries a 256-bit key in its fragment");
      await keys.getByTestId("key-done").click();
      await keys.getByTestId(`key-${accessKeyId}`).waitFor();
      await alice.keyboard.press("Escape");
      await keys.waitFor({ state: "detached" });
      const shareStatus = alice.getByTestId("shares-card").locator(`[data-testid="share-row"][data-key="${accessKeyId}"] [data-testid="share-status"]`);
      assert.equal(await shareStatus.getAttribute("data-status"), "pending");

      const recipient = await anonymous();
      const requested: string[] = [];
      recipient.on("request", (r) => requested.push(r.url()));
      await recipient.goto(link);
      // Nothing is fetched until the recipient asks (mail scanners run JavaScript too).
      await recipient.getByTestId("share-reveal").waitFor();
      assert.deepEqual(requested.map((u) => new URL(u).pathname).filter((p) => p.startsWith("/api/")), [], "the page fetched the share before Reveal");
      await recipient.getByTestId("share-reveal-button").click();
      await recipient.getByTestId("share-secret").waitFor();
      assert.equal(new URL(recipient.url()).hash, "", "the key stayed in the address bar");
      assert.equal(await text(recipient, "share-access-key-id"), accessKeyId);
      assert.equal(await text(recipient, "share-secret"), secret);
      assert.equal(await text(recipient, "share-region"), "eu-west-1");
      assert.equal(await text(recipient, "share-bucket"), physical);
      assert.match(await text(recipient, "snippet-aws"), new RegExp(`aws s3 ls s3://${physical}/`));
      assert.match(await text(recipient, "snippet-rclone-config"), /type = s3\nprovider = AWS\nenv_auth = false/);
      await screenshot(recipient, "recipient-sees-credentials");

      for (const u of requested) assert.ok(!u.includes(fragment), `a request carried the key: ${u}`);
      const apiCalls = requested.map((u) => new URL(u).pathname).filter((p) => p.startsWith("/api/"));
      assert.deepEqual(apiCalls, [`/api/shares/${shareId}`]);

      // "viewed" reaches alice through the room, without a reload.
      await alice.getByTestId("shares-card").locator(`[data-testid="share-row"][data-key="${accessKeyId}"] [data-testid="share-status"][data-status="viewed"]`).waitFor();
      await alice.getByTestId("activity").getByText(/was opened at/).first().waitFor();
      assert.equal(await alice.evaluate("window.__stackroomNoReload === true"), true, "alice's page was reloaded");
      await screenshot(alice, "alice-sees-viewed");

      const again = await recipient.context().newPage();
      await again.goto(link);
      await again.getByTestId("share-reveal-button").click();
      await again.locator('[data-testid="share-problem"][data-problem="used"]').waitFor();
      await again.getByRole("heading", { name: /^This link was already opened on .+ at / }).waitFor();
      assert.equal(await again.getByTestId("share-secret").count(), 0, "the secret was shown twice");
      await screenshot(again, "second-open-already-used");
    },
  },
  {
    name: "a link without its key explains itself and does not use up the link",
    async run({ url, anonymous, screenshot }) {
      const page = await anonymous();
      const api: string[] = [];
      page.on("request", (r) => {
        if (new URL(r.url()).pathname.startsWith("/api/")) api.push(r.url());
      });
      await page.goto(`${url}/share/demo.AAAAAAAAAAAAAAAAAAAAAA`);
      await page.locator('[data-testid="share-problem"][data-problem="incomplete"]').waitFor();
      // Only its status is asked (a used link would say so); that uses nothing up.
      assert.deepEqual(api.map((u) => new URL(u).pathname), ["/api/shares/demo.AAAAAAAAAAAAAAAAAAAAAA/status"], "a link without its key was fetched");
      await screenshot(page, "incomplete-link");
    },
  },
];
