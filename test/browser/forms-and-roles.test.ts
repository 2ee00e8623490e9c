// Proves that viewers get a read-only page and that bad bucket names are explained inline before anything is sent.
import assert from "node:assert/strict";
import { openProject, type BrowserScenario } from "./harness";

export const scenarios: BrowserScenario[] = [
  {
    name: "carol (viewer) sees the project live but no create, edit or delete buttons",
    async run({ signedIn, screenshot }) {
      const carol = await signedIn("carol@example.com");
      await openProject(carol, "demo");
      assert.equal(await carol.getByTestId("role").first().textContent(), "Viewer");
      await carol.getByTestId("viewer-hint").waitFor();
      assert.equal(await carol.getByTestId("new-bucket").count(), 0, "viewer sees New bucket");
      assert.equal(await carol.locator('[data-testid^="edit-"], [data-testid^="delete-"]').count(), 0, "viewer sees edit/delete");
      await screenshot(carol, "carol-viewer");
    },
  },
  {
    name: "a bad bucket name shows the inline error and sends nothing",
    async run({ signedIn, screenshot }) {
      const alice = await signedIn("alice@example.com");
      await openProject(alice, "demo");
      let posts = 0;
      alice.on("request", (r) => {
        if (r.method() === "POST" && r.url().includes("/buckets")) posts++;
      });
      await alice.getByTestId("new-bucket").click();
      const dialog = alice.getByTestId("new-bucket-dialog");
      const name = dialog.getByTestId("bucket-name");
      const error = dialog.getByTestId("bucket-name-error");

      await name.fill("Team_Uploads");
      assert.match((await error.textContent()) ?? "", /lowercase letters, digits and hyphens/);
      assert.equal(await name.getAttribute("aria-invalid"), "true");
      await screenshot(alice, "bad-name-inline-error");

      await name.fill("ab");
      await dialog.getByTestId("create-bucket").click();
      assert.match((await error.textContent()) ?? "", /at least 3/);
      await name.fill("xn--punycode");
      assert.match((await error.textContent()) ?? "", /two hyphens|reserved/);
      assert.equal(posts, 0, "an invalid form reached the API");

      await name.fill("good-name");
      assert.equal(await error.count(), 0, "the error stays after fixing the name");
      await alice.keyboard.press("Escape");
      await dialog.waitFor({ state: "detached" });
    },
  },
];
