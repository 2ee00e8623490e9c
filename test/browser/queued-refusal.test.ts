// Proves no edit looks stuck: a queued edit that can no longer start when its turn comes leaves the queue on every open page live, said in words without ids; and an edit that would be refused is refused when it is submitted, in the dialog, with the same words.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { KIND_KEYS, KINDS } from "../../core/kinds";
import { apiCall, openProject, setUp, uniqueBucketName, untilView, waitForStatus, type BrowserScenario } from "./harness";

const HOLD_SECONDS = 6;
const OPERATION_MS = (HOLD_SECONDS + 12) * 1000;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

/** Waits until no resource of the demo project is locked (earlier scenarios' operations and this one's writer have finished). */
async function nothingRunning(page: Page, url: string): Promise<void> {
  await untilView(
    page,
    url,
    (view) => {
      const lists: ReadonlyArray<ReadonlyArray<{ lock?: unknown }>> = KIND_KEYS.map((kind) => view[KINDS[kind].listKey]);
      return lists.flat().some((r) => r.lock) ? undefined : true;
    },
    "something in the project still runs",
    OPERATION_MS,
  );
}

export const scenarios: BrowserScenario[] = [
  {
    name: "a queued edit dropped at start leaves both pages' queues; the same edit later is refused in the dialog",
    holdSeconds: HOLD_SECONDS,
    async run({ url, signedIn, screenshot }) {
      const alice = await signedIn("alice@example.com");
      const bucket = uniqueBucketName("guarded");
      const writer = `w-${bucket.slice(-8)}`;
      await setUp(alice, url, "/buckets", { name: bucket, versioning: true });
      const bob = await signedIn("bob@example.com");
      await openProject(alice, "demo");
      await openProject(bob, "demo");
      await waitForStatus(alice, bucket, "ready", OPERATION_MS);

      // Alice's update runs (held); bob's "versioning off" is fine now and waits behind it…
      const path = `/api/projects/demo/buckets/${bucket}`;
      assert.equal((await apiCall(alice, url, "PATCH", path, { expireAfterDays: 30 })).status(), 202);
      const queued = await apiCall(bob, url, "PATCH", path, { versioning: false });
      assert.equal(queued.status(), 202, await queued.text());
      // …until a user who can write is created before it starts: then it can no longer run.
      await setUp(alice, url, "/users", { name: writer, permissions: [{ bucket, access: "write" }] });
      for (const page of [alice, bob]) await page.getByTestId(`queue-count-${bucket}`).waitFor();

      for (const page of [alice, bob]) await page.getByTestId(`queue-count-${bucket}`).waitFor({ state: "detached", timeout: OPERATION_MS });
      const feed = await bob.getByTestId("activity").innerText();
      assert.match(feed, new RegExp(`could not start and was dropped: ${writer} can write`));
      assert.doesNotMatch(feed, UUID);
      await screenshot(bob, "queued-edit-dropped");

      // The same edit now, behind another running update (and nothing else running, so the room can
      // tell how it will start): refused in the dialog, nothing queued.
      await waitForStatus(alice, bucket, "ready", OPERATION_MS);
      await nothingRunning(alice, url);
      assert.equal((await apiCall(alice, url, "PATCH", path, { expireAfterDays: 60 })).status(), 202);
      await bob.locator(`[data-testid="lock-${bucket}"]`).waitFor();
      await bob.getByTestId(`edit-${bucket}`).click();
      const dialog = bob.getByTestId("edit-bucket-dialog");
      await dialog.getByTestId("versioning").click();
      await dialog.getByTestId("save-bucket").click();
      const error = dialog.getByTestId("form-error").or(dialog.locator(".field-error"));
      await error.first().waitFor({ timeout: 5_000 });
      assert.match(await dialog.innerText(), new RegExp(`${writer} can write to bucket “${bucket}”`));
      assert.doesNotMatch(await dialog.innerText(), UUID);
      await screenshot(bob, "queued-edit-refused-at-submit");
      await bob.keyboard.press("Escape");
      assert.equal(await bob.getByTestId(`queue-count-${bucket}`).count(), 0, "the refused edit was queued");
    },
  },
];
