// Proves a name's limit is stated and enforced in the field, never by silent truncation: a pasted name longer than the limit stays as pasted, is counted against the limit and refused with the rule, and nothing is created.
import assert from "node:assert/strict";
import { openProject, type BrowserScenario } from "./harness";

export const scenarios: BrowserScenario[] = [
  {
    name: "a pasted bucket name over 54 characters is counted and refused, not cut",
    async run({ signedIn, screenshot }) {
      const alice = await signedIn("alice@example.com");
      await openProject(alice, "demo");
      await alice.getByTestId("new-bucket").click();
      const dialog = alice.getByTestId("new-bucket-dialog");
      const long = `partner-${"x".repeat(52)}`;
      const field = dialog.getByTestId("bucket-name");
      await field.focus();
      await alice.keyboard.insertText(long);
      assert.equal(await field.inputValue(), long, "the pasted name was cut");
      assert.equal(await dialog.getByTestId("bucket-name-count").innerText(), `${long.length} / 54`);
      await dialog.getByTestId("create-bucket").click();
      assert.match(await dialog.getByTestId("bucket-name-error").innerText(), /at most 54 characters/);
      await screenshot(alice, "bucket-name-too-long");
      await dialog.waitFor();
      assert.equal(await alice.getByTestId(`bucket-${long}`).count(), 0);
      await field.fill(long.slice(0, 54));
      assert.equal(await dialog.getByTestId("bucket-name-error").count(), 0);
      assert.equal(await dialog.getByTestId("bucket-name-count").innerText(), "54 / 54");
    },
  },
];
