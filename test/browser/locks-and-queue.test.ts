// Proves working together on one bucket with completion events held back: presence shows who is here, bob sees alice's lock with her name and what it changes, his edit waits as `queued` (for both of them) and starts by itself when hers ends with both changes applied; a queued edit its author cancels never runs.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { setUp, createBucketThroughUi, openProject, uniqueBucketName, waitForStatus, type BrowserScenario } from "./harness";

/** Long enough to look at a lock and queue an edit behind it; every second is paid twice per scenario. */
const HOLD_SECONDS = 6;
/** A held operation plus the room's and the browser's share of the work. */
const OPERATION_MS = (HOLD_SECONDS + 12) * 1000;

async function createBucket(page: Page, url: string, name: string): Promise<void> {
  await setUp(page, url, "/buckets", { name, versioning: true });
}

/** Opens the bucket's edit dialog and sets its expiry; returns the dialog. */
async function setExpiry(page: Page, bucket: string, days: number) {
  await page.getByTestId(`edit-${bucket}`).click();
  const dialog = page.getByTestId("edit-bucket-dialog");
  await dialog.getByTestId("expires").check();
  await dialog.getByTestId("expire-days").fill(String(days));
  return dialog;
}

const queuedBy = (page: Page, bucket: string, email: string) =>
  page.getByTestId(`queue-${bucket}`).locator(`[data-testid="queued-edit"][data-status="queued"][data-by="${email}"]`);

export const scenarios: BrowserScenario[] = [
  {
    name: "bob sees alice's lock, queues his edit behind it, and it runs by itself when hers finishes",
    holdSeconds: HOLD_SECONDS,
    async run({ url, signedIn, screenshot }) {
      const alice = await signedIn("alice@example.com");
      // The bucket's creation is held back too: let it run while bob signs in.
      const name = uniqueBucketName("shared");
      await createBucket(alice, url, name);
      const bob = await signedIn("bob@example.com");
      await openProject(alice, "demo");
      await openProject(bob, "demo");

      await bob.getByTestId("presence").locator('[data-testid="presence-person"][data-email="alice@example.com"]').waitFor();
      await bob.locator('[data-testid="presence-person"][data-email="bob@example.com"][data-you]').waitFor();
      await alice.getByTestId("presence").locator('[data-email="bob@example.com"]').waitFor();
      assert.match(await bob.getByTestId("presence").innerText(), /Alice and you/);

      await waitForStatus(alice, name, "ready", OPERATION_MS);
      await waitForStatus(bob, name, "ready", OPERATION_MS);

      await alice.getByTestId(`edit-${name}`).click();
      const aliceDialog = alice.getByTestId("edit-bucket-dialog");
      await aliceDialog.getByTestId("versioning").uncheck();
      await aliceDialog.getByTestId("save-bucket").click();
      await aliceDialog.waitFor({ state: "detached" });

      // Bob's page: who holds the lock, and what it changes, before he touches anything.
      const lock = bob.getByTestId(`lock-${name}`);
      await lock.waitFor();
      assert.equal(await lock.getAttribute("data-by"), "alice@example.com");
      assert.match(await lock.innerText(), /Alice\s+is\s+updating this bucket: versioning on → off/);
      assert.equal(await bob.getByTestId(`edit-${name}`).getAttribute("data-access"), "queues");

      const bobDialog = await setExpiry(bob, name, 30);
      assert.match(await bobDialog.getByTestId("queue-notice").innerText(), /Alice’s update is running[\s\S]*will be queued and start by itself/);
      assert.equal((await bobDialog.getByTestId("save-bucket").innerText()).trim(), "Queue change");
      await bobDialog.getByTestId("save-bucket").click();
      await bobDialog.waitFor({ state: "detached" });

      // Queued, with his name, for both of them — while alice's update still holds the lock.
      await queuedBy(bob, name, "bob@example.com").waitFor();
      await queuedBy(alice, name, "bob@example.com").waitFor();
      assert.match(await alice.getByTestId(`queue-${name}`).innerText(), /Bob[\s\S]*Objects expire after 30 days/);
      assert.match(await bob.getByTestId(`queue-${name}`).innerText(), /You[\s\S]*Objects expire after 30 days/);
      assert.equal(await alice.getByTestId(`queue-count-${name}`).getAttribute("data-count"), "1");
      assert.equal(await bob.getByTestId(`lock-${name}`).getAttribute("data-by"), "alice@example.com", "alice's update ended before the screenshot");
      await screenshot(bob, "bob-sees-alice-lock-and-his-queued-edit");
      await screenshot(alice, "alice-sees-bob-queued");

      // Alice's update ends; bob's starts on its own (his name on the lock), then ends ready.
      await alice.locator(`[data-testid="lock-${name}"][data-by="bob@example.com"]`).waitFor({ timeout: OPERATION_MS });
      assert.equal(await alice.getByTestId(`queue-${name}`).count(), 0, "the started edit is still shown as queued");
      await waitForStatus(bob, name, "ready", OPERATION_MS);
      await waitForStatus(alice, name, "ready", OPERATION_MS);
      for (const page of [alice, bob]) {
        const settings = await page.getByTestId(`bucket-${name}`).getByRole("list", { name: `Settings of ${name}` }).innerText();
        assert.match(settings, /Versioning off/);
        assert.match(settings, /Expires after 30 d/);
      }
      await alice.getByTestId("activity").getByText(`Bob updated bucket ${name}`).waitFor();
      await screenshot(alice, "both-changes-applied");
    },
  },
  {
    name: "a queued edit cancelled by its author never runs",
    holdSeconds: HOLD_SECONDS,
    async run({ signedIn, screenshot }) {
      const alice = await signedIn("alice@example.com");
      const bob = await signedIn("bob@example.com");
      await openProject(alice, "demo");
      await openProject(bob, "demo");

      // Alice's create holds the lock; bob's edit has to wait for it.
      const name = uniqueBucketName("cancel");
      await createBucketThroughUi(alice, name);
      await bob.locator(`[data-testid="lock-${name}"][data-action="create"]`).waitFor();
      const dialog = await setExpiry(bob, name, 7);
      await dialog.getByTestId("save-bucket").click();
      await dialog.waitFor({ state: "detached" });

      const mine = queuedBy(bob, name, "bob@example.com");
      await mine.waitFor();
      // Alice is an owner: she may cancel bob's edit too.
      await queuedBy(alice, name, "bob@example.com").getByTestId("cancel-queued").waitFor();
      await mine.getByTestId("cancel-queued").click();
      await screenshot(bob, "bob-confirms-cancel");
      await mine.getByTestId("cancel-queued-confirm").click();
      await alice.getByTestId(`queue-${name}`).waitFor({ state: "detached" });
      await bob.getByTestId(`queue-${name}`).waitFor({ state: "detached" });
      await alice.getByTestId("activity").getByText(`Bob cancelled their queued update of bucket ${name}`).first().waitFor();

      await waitForStatus(alice, name, "ready", OPERATION_MS);
      // A queued edit would start in the same turn as the create's end, so its frame would reach
      // alice before anything the room sends later: bob leaving now is such a later frame (the
      // presence delta), and once alice no longer sees bob, a start would have shown.
      const bobHere = alice.locator('[data-testid="presence-person"][data-email="bob@example.com"]');
      await bobHere.waitFor();
      await bob.close();
      await bobHere.waitFor({ state: "detached" });
      assert.equal(await alice.getByTestId(`lock-${name}`).count(), 0, "a cancelled edit started");
      assert.equal(await alice.getByTestId(`status-${name}`).getAttribute("data-status"), "ready");
      assert.match(await alice.getByTestId(`bucket-${name}`).innerText(), /No expiry/);
      assert.equal(await alice.getByTestId("activity").getByText(`Bob updated bucket ${name}`).count(), 0);
      assert.equal(await alice.getByTestId("activity").getByText(`Bob is updating bucket ${name}`).count(), 0);
    },
  },
  {
    name: "a bucket's page shows its running change live: elapsed time, CloudFormation's events, then its history and ARN",
    holdSeconds: HOLD_SECONDS,
    async run({ signedIn, screenshot }) {
      const alice = await signedIn("alice@example.com");
      await openProject(alice, "demo");
      const name = uniqueBucketName("page");
      await createBucketThroughUi(alice, name);
      // The table's name is a link to the bucket's own page (same socket: the layout keeps it).
      await alice.getByTestId(`details-${name}`).click();
      await alice.waitForURL(`**/projects/demo/buckets/${name}`);
      const page = alice.getByTestId("resource-page");
      await page.getByTestId("resource-elapsed").waitFor();
      assert.match(await page.getByTestId("resource-progress").innerText(), /^Creating for \d+ sec\./);
      // CloudFormation's events arrive while the final one is held back.
      await page.getByTestId("resource-event").first().waitFor({ timeout: OPERATION_MS });
      assert.match(await page.getByTestId("resource-events").innerText(), /CREATE_IN_PROGRESS/);
      // The elapsed time follows a clock that ticks each second: its next tick changes it.
      const elapsed = page.getByTestId("resource-elapsed");
      const first = await elapsed.textContent();
      await alice
        .waitForFunction(({ el, was }) => el?.textContent !== was, { el: await elapsed.elementHandle(), was: first }, { timeout: 5_000, polling: 100 })
        .catch(() => assert.fail("the elapsed time does not move"));
      await screenshot(alice, "bucket-page-running");

      await page.locator('[data-testid="resource-status"][data-status="ready"]').waitFor({ timeout: OPERATION_MS });
      await page.getByTestId("resource-history").getByText(`You created bucket ${name}`).waitFor();
      const physical = await page.getByTestId("bucket-aws-name").innerText();
      assert.match(physical, new RegExp(`^${name}-`));
      assert.equal(await page.getByTestId("bucket-arn").innerText(), `arn:aws:s3:::${physical}`);
      // What it holds, counted through the project's role once it exists.
      await page.getByTestId("bucket-usage-text").waitFor();
      assert.equal((await page.getByTestId("bucket-usage-text").innerText()).trim(), "Holds 0 objects, 0 bytes");
      await screenshot(alice, "bucket-page-ready");
      await alice.goBack();
      await alice.getByTestId(`bucket-${name}`).waitFor();
    },
  },
];
