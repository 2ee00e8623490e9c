// Proves failures are named for what failed and offer the way out that fits: a create CloudFormation rolled back says the bucket was never made and is removed with one in-place confirm (no typed-name dialog, no warning about deleting data), and a refused create leaves no row behind.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { StackEvent } from "../../core/contract";
import { stackName } from "../../core/naming";
import { apiCall, openProject, uniqueBucketName, untilView, waitForStatus, type BrowserScenario } from "./harness";

const HOLD_SECONDS = 6;

/** AWS's documented sequence: a create whose bucket name is taken, rolled back (ROLLBACK_COMPLETE). */
const recording = StackEvent.array().parse(
  JSON.parse(readFileSync(new URL("../fixtures/cloudformation/create-failed-bucket-exists.json", import.meta.url), "utf8")),
);

/** The recording moved onto this test's stack and operation, just after now (it outranks moto's held completion). */
function replayedCreate(bucket: string, operationId: string): StackEvent[] {
  const recorded = recording[0]?.stackName ?? "";
  const stack = stackName("demo", "bucket", bucket);
  const base = Date.now() + 1_000;
  return recording.map((e, i) => ({
    ...e,
    stackId: e.stackId.replace(recorded, stack),
    stackName: stack,
    logicalResourceId: e.logicalResourceId === recorded ? stack : e.logicalResourceId,
    physicalResourceId: e.physicalResourceId?.replace(recorded, stack),
    eventId: `${operationId}-${i}`,
    clientRequestToken: operationId,
    timestamp: new Date(base + i * 20).toISOString(),
  }));
}

export const scenarios: BrowserScenario[] = [
  {
    name: "a rolled-back create says it was never made and is removed with one confirm",
    holdSeconds: HOLD_SECONDS,
    async run({ url, signedIn, deliverStackEvents, screenshot }) {
      const alice = await signedIn("alice@example.com");
      const name = uniqueBucketName("never");
      const created = await apiCall(alice, url, "POST", "/api/projects/demo/buckets", { name });
      assert.equal(created.status(), 202);
      const body: unknown = await created.json();
      assert.ok(body && typeof body === "object" && "operationId" in body && typeof body.operationId === "string");
      await openProject(alice, "demo");
      await deliverStackEvents(replayedCreate(name, body.operationId));
      await waitForStatus(alice, name, "failed");

      const failure = alice.getByTestId(`failure-${name}`);
      const text = await failure.innerText();
      assert.match(text, /Creating the bucket failed: That bucket name is taken in S3 worldwide/);
      assert.match(text, /the bucket was never made: remove it, then create it again/);
      assert.doesNotMatch(text, /delete|try again/i);
      assert.equal(await failure.getByTestId("failure-delete").count(), 0, "the typed-name delete is offered for a bucket that never existed");
      await screenshot(alice, "rolled-back-create");
      // The row says the same: nothing to edit; its Delete asks once, with no name to type and no warning about data.
      assert.equal(await alice.getByTestId(`edit-${name}`).getAttribute("data-access"), "closed");
      await alice.getByTestId(`delete-${name}`).click();
      const dialog = alice.getByTestId("delete-bucket-dialog");
      await dialog.waitFor();
      assert.match(await dialog.innerText(), /never made in AWS: this removes only its failed stack/);
      assert.equal(await dialog.getByTestId("confirm-name").count(), 0);
      assert.equal(await dialog.getByTestId("confirm-delete").isEnabled(), true);
      await alice.keyboard.press("Escape");
      await dialog.waitFor({ state: "detached" });

      await failure.getByTestId("failure-remove").click();
      await failure.getByTestId("failure-remove-confirm").click();
      assert.equal(await alice.getByTestId("delete-bucket-dialog").count(), 0);
      // One confirm starts removing it. The replayed stack id is not moto's, so moto's own delete events
      // are another stack's to the room: CloudFormation's DELETE_COMPLETE for the replayed stack ends it
      // (and leaves nothing running for the scenarios after this one).
      await waitForStatus(alice, name, "deleting");
      const feed = await alice.getByTestId("activity").innerText();
      assert.doesNotMatch(feed, /could not change/i);
      const removal = await untilView(
        alice,
        url,
        (view) => {
          const lock = view.buckets.find((b) => b.name === name)?.lock;
          return lock?.action === "delete" ? lock.operationId : undefined;
        },
        "the removal holds no lock",
        10_000,
      );
      const last = replayedCreate(name, body.operationId).at(-1);
      assert.ok(last);
      await deliverStackEvents([
        { ...last, eventId: `${removal}-done`, logicalResourceId: last.stackName, resourceType: "AWS::CloudFormation::Stack", resourceStatus: "DELETE_COMPLETE", resourceStatusReason: undefined, clientRequestToken: removal, timestamp: new Date(Date.now() + 2_000).toISOString() },
      ]);
      // Ended: the row says deleted (then goes), with no lock left.
      await waitForStatus(alice, name, "deleted");
    },
  },
];
