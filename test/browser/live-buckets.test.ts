// Proves that what one manager does reaches every other open page live (create -> ready, delete -> gone, no reload), also after a dropped connection.
import assert from "node:assert/strict";
import { createBucketThroughUi, openProject, uniqueBucketName, waitForStatus, type BrowserScenario } from "./harness";

export const scenarios: BrowserScenario[] = [
  {
    name: "alice creates a bucket; bob's open page shows it reach ready without reload",
    async run({ signedIn, screenshot }) {
      const alice = await signedIn("alice@example.com");
      const bob = await signedIn("bob@example.com");
      await openProject(alice, "demo");
      await openProject(bob, "demo");
      await bob.evaluate("window.__stackroomNoReload = true");

      const name = uniqueBucketName("live");
      await createBucketThroughUi(alice, name);

      await bob.getByTestId(`bucket-${name}`).waitFor({ timeout: 15_000 });
      await waitForStatus(bob, name, "ready");
      await waitForStatus(alice, name, "ready");
      // One line for the whole change, in names: alice's start and CloudFormation's end folded together.
      const line = bob.locator(`[data-testid="activity-entry"][data-kind="bucket"][data-name="${name}"]`);
      await line.getByText(`Alice created bucket ${name}`, { exact: true }).waitFor();
      assert.equal(await line.count(), 1, "the create is one line");
      assert.ok(Number(await line.getAttribute("data-entries")) >= 2, "start and end are folded into the line");
      assert.match(await line.innerText(), /took \d+ sec\./);

      // Filtering by the resource shows only its lines; by a person, only theirs.
      await bob.getByTestId("activity-filter-resource").selectOption(`bucket:${name}`);
      const kinds = await bob.locator('[data-testid="activity-entry"]').evaluateAll((els) => els.map((el) => `${el.getAttribute("data-kind")}:${el.getAttribute("data-name")}`));
      assert.deepEqual([...new Set(kinds)], [`bucket:${name}`]);
      // By a person: only lines about what they asked for or did.
      await bob.getByTestId("activity-filter-resource").selectOption("");
      await bob.getByTestId("activity-filter-person").selectOption("alice@example.com");
      await line.waitFor();
      const people = await bob.locator('[data-testid="activity-entry"]').evaluateAll((els) => els.map((el) => el.getAttribute("data-people") ?? ""));
      assert.ok(people.length > 0 && people.every((p) => p.split(" ").includes("alice@example.com")), `lines of others shown: ${people.join(" | ")}`);
      await bob.getByTestId("activity-filter-resource").selectOption("");
      await bob.getByTestId("activity-filter-person").selectOption("");
      assert.equal(await bob.evaluate("window.__stackroomNoReload === true"), true, "bob's page was reloaded");
      assert.equal(await bob.getByTestId(`bucket-${name}`).getByText(`${name}-`).count(), 1, "physical name shown");

      await screenshot(alice, "alice-after-create");
      await screenshot(bob, "bob-sees-ready");
    },
  },
  {
    name: "alice deletes a bucket after typing its name; bob sees it deleted, then gone",
    async run({ signedIn, screenshot }) {
      const alice = await signedIn("alice@example.com");
      const bob = await signedIn("bob@example.com");
      await openProject(alice, "demo");
      await openProject(bob, "demo");
      const name = uniqueBucketName("gone");
      await createBucketThroughUi(alice, name);
      await waitForStatus(alice, name, "ready");

      await alice.getByTestId(`delete-${name}`).click();
      const dialog = alice.getByTestId("delete-bucket-dialog");
      assert.equal(await dialog.getByTestId("confirm-delete").isDisabled(), true, "delete is enabled before typing the name");
      await dialog.getByTestId("confirm-name").fill(name);
      await screenshot(alice, "alice-confirms-delete");
      await dialog.getByTestId("confirm-delete").click();
      await dialog.waitFor({ state: "detached" });

      await waitForStatus(bob, name, "deleted");
      await screenshot(bob, "bob-sees-deleted");
      await bob.getByTestId(`bucket-${name}`).waitFor({ state: "detached", timeout: 15_000 });
    },
  },
  {
    name: "bob's page goes offline, misses a change, and catches up when the connection returns",
    async run({ signedIn, screenshot }) {
      const alice = await signedIn("alice@example.com");
      const bob = await signedIn("bob@example.com");
      await openProject(alice, "demo");
      await openProject(bob, "demo");

      await bob.context().setOffline(true);
      await bob.locator('[data-testid="connection"][data-status="offline"]').waitFor();
      await screenshot(bob, "bob-offline");

      const name = uniqueBucketName("missed");
      await createBucketThroughUi(alice, name);
      await waitForStatus(alice, name, "ready");
      assert.equal(await bob.getByTestId(`bucket-${name}`).count(), 0, "an offline page received a change");

      await bob.context().setOffline(false);
      await bob.locator('[data-testid="connection"][data-status="live"]').waitFor({ timeout: 15_000 });
      // Resumed with ?since=<seq>: the missed frames arrive without a reload.
      await waitForStatus(bob, name, "ready");
    },
  },
];
