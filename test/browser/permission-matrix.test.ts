// Proves the permission matrix: edits stay pending until saved, a bad prefix is explained inline and blocks the save, each changed user costs exactly one PATCH carrying its full permissions, and a viewer gets no controls.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { setUp, openProject, openTab, uniqueBucketName, waitForStatus, waitForUserStatus, type BrowserScenario } from "./harness";

interface Grant {
  bucket: string;
  access: string;
  prefix?: string;
}

const byBucket = (a: Grant, b: Grant) => `${a.bucket}/${a.prefix ?? ""}`.localeCompare(`${b.bucket}/${b.prefix ?? ""}`);

export const scenarios: BrowserScenario[] = [
  {
    name: "bob edits two users in the matrix and saves them as one PATCH each; carol sees the result read-only",
    async run({ url, signedIn, screenshot }) {
      const bob = await signedIn("bob@example.com");
      await openProject(bob, "demo");
      const [b1, b2] = [uniqueBucketName("matrix-a"), uniqueBucketName("matrix-b")];
      const suffix = Date.now().toString(36);
      const [u1, u2] = [`reader-${suffix}`, `writer-${suffix}`];
      await setUp(bob, url, "/buckets", { name: b1 });
      await setUp(bob, url, "/buckets", { name: b2 });
      await waitForStatus(bob, b1, "ready");
      await waitForStatus(bob, b2, "ready");
      await setUp(bob, url, "/users", { name: u1, permissions: [{ bucket: b1, access: "read" }] });
      await setUp(bob, url, "/users", { name: u2, description: "Uploads from Acme", permissions: [] });
      await waitForUserStatus(bob, u1, "ready");
      await waitForUserStatus(bob, u2, "ready");

      const patches: { user: string; body: { permissions?: Grant[] } }[] = [];
      bob.on("request", (r) => {
        if (r.method() === "PATCH" && r.url().includes("/users/")) {
          patches.push({ user: decodeURIComponent(r.url().split("/users/")[1] ?? ""), body: r.postDataJSON() });
        }
      });

      await openTab(bob, "permissions");
      await bob.getByTestId(`access-${u1}-${b1}`).selectOption("write");
      await bob.getByTestId(`access-${u1}-${b2}`).selectOption("readwrite");
      await bob.getByTestId(`prefix-${u1}-${b2}`).fill("incoming/");
      await bob.getByTestId(`access-${u2}-${b2}`).selectOption("read");
      assert.equal(patches.length, 0, "an edit was sent before saving");

      const pending = bob.getByTestId("pending-changes");
      await pending.getByTestId(`pending-${u1}`).waitFor();
      await pending.getByTestId(`pending-${u2}`).waitFor();
      assert.equal(await bob.getByTestId("tab-permissions").getByText("2 unsaved").count(), 1);

      await bob.getByTestId(`prefix-${u2}-${b2}`).fill("no*wildcards");
      await bob.getByTestId(`cell-${u2}-${b2}`).getByText("no * or ?").waitFor();
      assert.equal(await bob.getByTestId("save-permissions").isDisabled(), true, "save allowed with an invalid prefix");
      await screenshot(bob, "matrix-invalid-prefix");
      await bob.getByTestId(`prefix-${u2}-${b2}`).fill("");
      await screenshot(bob, "matrix-pending");

      await bob.getByTestId("save-permissions").click();
      await pending.getByText("No unsaved changes").waitFor();
      assert.equal(patches.length, 2, `expected one PATCH per user, got ${patches.length}`);
      const sent = Object.fromEntries(patches.map((p) => [p.user, p.body]));
      assert.deepEqual(Object.keys(sent).sort(), [u1, u2].sort());
      assert.deepEqual(sent[u1]?.permissions?.sort(byBucket), [
        { bucket: b1, access: "write" },
        { bucket: b2, access: "readwrite", prefix: "incoming/" },
      ].sort(byBucket));
      assert.deepEqual(sent[u2]?.permissions, [{ bucket: b2, access: "read" }]);
      assert.equal(Object.keys(sent[u2] ?? {}).includes("description"), false, "the matrix sent more than permissions");

      // Rows take edits again once their PATCH answered, showing what was saved.
      assert.equal(await bob.getByTestId(`access-${u1}-${b1}`).inputValue(), "write");
      assert.equal(await bob.getByTestId(`access-${u1}-${b2}`).inputValue(), "readwrite");
      assert.equal(await bob.getByTestId(`prefix-${u1}-${b2}`).inputValue(), "incoming/");
      assert.equal(await bob.getByTestId(`access-${u2}-${b2}`).inputValue(), "read");
      await waitForUserStatus(bob, u1, "ready");
      await waitForUserStatus(bob, u2, "ready");
      await screenshot(bob, "matrix-saved");

      const carol = await signedIn("carol@example.com");
      await openProject(carol, "demo");
      await openTab(carol, "permissions");
      const row = carol.getByTestId(`matrix-row-${u1}`);
      await row.getByText("incoming/").waitFor();
      assert.equal(await carol.getByTestId("permission-matrix").locator("select, input").count(), 0, "a viewer got controls");
      assert.equal(await carol.getByTestId("pending-changes").count(), 0);
      await screenshot(carol, "matrix-viewer");
    },
  },
];
