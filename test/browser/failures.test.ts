// Proves a failure explains itself on screen: a recorded UPDATE_ROLLBACK_FAILED sequence, delivered through the signed webhook onto a real running update, shows CloudFormation's reason in words, offers "Continue rollback", holds the queued edit behind it with the reason (which its author can still cancel), and says that deleting would not wait.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { StackEvent } from "../../core/contract";
import { stackName } from "../../core/naming";
import { apiCall, openProject, uniqueBucketName, waitForStatus, type BrowserScenario } from "./harness";

const HOLD_SECONDS = 6;
const OPERATION_MS = (HOLD_SECONDS + 12) * 1000;

/** AWS's documented sequence: an update fails (access denied), and so does its rollback (throttled). */
const recording = StackEvent.array().parse(
  JSON.parse(readFileSync(new URL("../fixtures/cloudformation/update-rollback-failed.json", import.meta.url), "utf8")),
);

/**
 * The recording's update, moved onto this test's stack and operation. Its timestamps start just
 * after now, so they outrank moto's own (held) completion of the same update when that arrives.
 */
function replayedUpdate(bucket: string, operationId: string): StackEvent[] {
  const start = recording.find((e) => e.resourceStatus === "UPDATE_IN_PROGRESS" && e.logicalResourceId === e.stackName);
  assert.ok(start, "the recording has an update");
  const recorded = start.stackName;
  const stack = stackName("demo", "bucket", bucket);
  const base = Date.now() + 1_000;
  return recording
    .filter((e) => e.clientRequestToken === start.clientRequestToken)
    .map((e, i) => ({
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

async function patch(page: Page, url: string, bucket: string, data: object): Promise<string> {
  const res = await apiCall(page, url, "PATCH", `/api/projects/demo/buckets/${bucket}`, data);
  assert.equal(res.status(), 202, `PATCH ${bucket}: ${await res.text()}`);
  const body: unknown = await res.json();
  assert.ok(body && typeof body === "object" && "operationId" in body && typeof body.operationId === "string");
  return body.operationId;
}

export const scenarios: BrowserScenario[] = [
  {
    name: "a failed update shows CloudFormation's reason, offers continue-rollback and holds the queue behind it",
    holdSeconds: HOLD_SECONDS,
    async run({ url, signedIn, deliverStackEvents, screenshot }) {
      const alice = await signedIn("alice@example.com");
      // The bucket's creation is held back too: let it run while bob signs in.
      const name = uniqueBucketName("broken");
      const created = await apiCall(alice, url, "POST", "/api/projects/demo/buckets", { name });
      assert.equal(created.status(), 202);
      const bob = await signedIn("bob@example.com");
      await openProject(alice, "demo");
      await openProject(bob, "demo");
      await waitForStatus(alice, name, "ready", OPERATION_MS);

      const update = await patch(alice, url, name, { versioning: false });
      await bob.locator(`[data-testid="lock-${name}"][data-by="alice@example.com"]`).waitFor();
      await patch(bob, url, name, { expireAfterDays: 30 });
      await alice.getByTestId(`queue-${name}`).locator('[data-by="bob@example.com"]').waitFor();

      await deliverStackEvents(replayedUpdate(name, update));

      for (const page of [alice, bob]) {
        await waitForStatus(page, name, "failed");
        const failure = page.getByTestId(`failure-${name}`);
        const text = await failure.innerText();
        assert.match(text, /The update failed: AWS denied the request/);
        assert.match(text, /Restoring the previous settings failed too: AWS throttled the requests/);
        assert.match(text, /Access Denied \(Service: S3/, "CloudFormation's own text is shown too");
        await failure.getByTestId("repair-continue-rollback").waitFor();
        assert.match(await page.getByTestId(`queue-held-${name}`).innerText(), /UPDATE_ROLLBACK_FAILED/);
        assert.match(await page.getByTestId(`queue-count-${name}`).innerText(), /1 queued · on hold/);
        // The room shows the settings last applied, not the ones that failed.
        assert.match(await page.getByTestId(`bucket-${name}`).innerText(), /Versioning on/);
      }
      await screenshot(alice, "failed-update-with-held-queue");
      // Edits would wait behind the held queue; deleting is the repair and would start at once.
      assert.equal(await alice.getByTestId(`edit-${name}`).getAttribute("data-access"), "queues");
      assert.equal(await alice.getByTestId(`delete-${name}`).getAttribute("data-access"), "free");

      const mine = bob.getByTestId(`queue-${name}`).locator('[data-testid="queued-edit"][data-by="bob@example.com"]');
      await mine.getByTestId("cancel-queued").click();
      await mine.getByTestId("cancel-queued-confirm").click();
      await alice.getByTestId(`queue-held-${name}`).waitFor({ state: "detached" });
      await bob.getByTestId(`queue-${name}`).waitFor({ state: "detached" });
      assert.equal(await alice.getByTestId(`status-${name}`).getAttribute("data-status"), "failed");
    },
  },
];
