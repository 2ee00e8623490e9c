// Proves a role change reaches the person's open page at once: demoted, the header, the buttons and an open dialog follow (the dialog says why it can no longer save); promoted again, the actions come back, all without a reload.
import assert from "node:assert/strict";
import { openProject, openTab, type BrowserScenario } from "./harness";

export const scenarios: BrowserScenario[] = [
  {
    name: "an editor demoted while a dialog is open sees why it cannot save; promoted again, the actions return live",
    async run({ signedIn, screenshot }) {
      const email = `erin-${Date.now().toString(36)}@example.com`;
      const alice = await signedIn("alice@example.com");
      await openProject(alice, "demo");
      await openTab(alice, "members");
      await alice.getByTestId("member-email").fill(email);
      await alice.getByTestId("member-role").selectOption("editor");
      await alice.getByTestId("add-member").click();
      await alice.getByTestId(`member-${email}`).waitFor();

      const erin = await signedIn(email);
      await openProject(erin, "demo");
      assert.equal(await erin.getByTestId("role").first().textContent(), "Editor");
      await erin.getByTestId("new-bucket").click();
      await erin.getByTestId("bucket-name").fill("erins-drop");

      const order = async () => alice.getByTestId("member-list").locator(":scope > li").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-testid")));
      const before = await order();
      await alice.getByTestId(`member-role-${email}`).selectOption("viewer");
      await erin.getByTestId("form-blocked").waitFor({ timeout: 5_000 });
      assert.match((await erin.getByTestId("form-blocked").textContent()) ?? "", /now Viewer, so you can no longer make changes/);
      assert.equal(await erin.getByTestId("create-bucket").isDisabled(), true, "a viewer's dialog still offers to save");
      assert.deepEqual(await order(), before, "the member list reordered on a role change");
      assert.equal(await erin.getByTestId("role").first().textContent(), "Viewer");
      await screenshot(erin, "demoted-with-dialog-open");
      await erin.keyboard.press("Escape");
      await erin.getByTestId("viewer-hint").waitFor();
      assert.equal(await erin.getByTestId("new-bucket").count(), 0, "a viewer is still offered New bucket");

      await alice.getByTestId(`member-role-${email}`).selectOption("editor");
      await erin.getByTestId("new-bucket").waitFor({ timeout: 5_000 });
      assert.equal(await erin.getByTestId("role").first().textContent(), "Editor");
      assert.equal(await erin.getByTestId("viewer-hint").count(), 0);

      await alice.getByTestId(`remove-member-${email}`).click();
      await alice.getByTestId(`remove-member-${email}-confirm`).click();
    },
  },
];
