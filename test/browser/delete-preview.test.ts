// Proves the preview before a bucket is deleted names the user who loses access, and that afterwards the count drops at once and the crossed-out row can be dismissed.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { setUp, openProject, uniqueBucketName, waitForStatus, waitForUserStatus, type BrowserScenario } from "./harness";

const count = async (page: Page, testid: string) => Number(((await page.getByTestId(testid).textContent()) ?? "").trim());

export const scenarios: BrowserScenario[] = [
  {
    name: "deleting a granted bucket previews who loses access; afterwards the count drops and the row can be dismissed",
    async run({ url, signedIn, screenshot }) {
      const bob = await signedIn("bob@example.com");
      await openProject(bob, "demo");
      const bucket = uniqueBucketName("doomed");
      const user = `loser-${Date.now().toString(36)}`;
      await setUp(bob, url, "/buckets", { name: bucket });
      await waitForStatus(bob, bucket, "ready");
      await setUp(bob, url, "/users", { name: user, permissions: [{ bucket, access: "write", prefix: "in/" }] });
      await waitForUserStatus(bob, user, "ready");

      await bob.getByTestId(`delete-${bucket}`).click();
      const dialog = bob.getByTestId("delete-bucket-dialog");
      const preview = dialog.getByTestId("delete-preview");
      const loss = preview.locator(`[data-testid="preview-access"][data-user="${user}"]`);
      await loss.waitFor();
      assert.equal(await loss.getAttribute("data-after"), "none");
      assert.match(await preview.innerText(), new RegExp(`${user} loses write access to ${bucket}/in/`));
      await screenshot(bob, "delete-preview");

      const before = await count(bob, "buckets-count");
      await dialog.getByTestId("remove-grants").check();
      await dialog.getByTestId("confirm-name").fill(bucket);
      await dialog.getByTestId("confirm-delete").click();
      await dialog.waitFor({ state: "detached" });
      await waitForStatus(bob, bucket, "deleted");
      assert.equal(await count(bob, "buckets-count"), before - 1, "the count still includes the deleted bucket");
      assert.match(await bob.getByTestId("tab-buckets").innerText(), new RegExp(`${before - 1}`));
      await screenshot(bob, "deleted-row");
      await bob.getByTestId(`dismiss-${bucket}`).click();
      await bob.getByTestId(`bucket-${bucket}`).waitFor({ state: "detached", timeout: 2_000 });
    },
  },
];
