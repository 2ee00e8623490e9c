// Proves a bucket's page shows its recent files live: a partner's AWS CLI uploads appear without reload, named for the partner, and fold into one activity line; the prefix filter narrows the list; a delete shows as deleted; a write with credentials that are no Stackroom user's is "someone outside Stackroom"; and the list reads on a 390 px phone.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { CreatedKey, OUTSIDE_STACKROOM } from "../../core/contract";
import { motoCli } from "../cloudformation-cli";
import { apiCall, expectAccessible, setUp, uniqueBucketName, untilView, type BrowserScenario } from "./harness";

/** The bucket page's rows as shown: key, created/removed, by. */
async function rows(page: Page): Promise<string[][]> {
  return page
    .getByTestId("recent-file")
    .evaluateAll((els) => els.map((el) => [el.getAttribute("data-key") ?? "", el.getAttribute("data-event") ?? "", el.getAttribute("data-by") ?? ""]));
}

/** Waits until the rows are exactly `expected` (newest first). */
async function untilRows(page: Page, expected: string[][], what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const shown = await rows(page);
    if (JSON.stringify(shown) === JSON.stringify(expected)) return;
    assert.ok(Date.now() < deadline, `${what}: shown ${JSON.stringify(shown)}, expected ${JSON.stringify(expected)}`);
    await page.waitForTimeout(200);
  }
}

export const scenarios: BrowserScenario[] = [
  {
    name: "a partner's uploads, a delete and a stranger's write appear live on the bucket's page, named and folded",
    timeoutSeconds: 150,
    async run({ url, motoEndpoint, signedIn, screenshot }) {
      const dir = mkdtempSync(join(tmpdir(), "stackroom-file-activity-"));
      try {
        const alice = await signedIn("alice@example.com");
        const bucket = uniqueBucketName("drop");
        const partner = `partner-${Date.now().toString(36)}`;

        // Set-up through the API: a bucket, a partner who may write to it, and the partner's key.
        await setUp(alice, url, "/buckets", { name: bucket });
        const physical = await untilView(alice, url, (v) => v.buckets.find((b) => b.name === bucket && b.status === "ready")?.physicalName, "the bucket is ready");
        await setUp(alice, url, "/users", { name: partner, permissions: [{ bucket, access: "write" }] });
        await untilView(alice, url, (v) => v.users.find((u) => u.name === partner && u.status === "ready"), "the partner is ready");
        const keyRes = await apiCall(alice, url, "POST", `/api/projects/demo/users/${partner}/keys`, {});
        assert.equal(keyRes.status(), 201, await keyRes.text());
        const key = CreatedKey.parse(await keyRes.json());

        // Alice has the bucket's page open; Bob the project page with its activity feed.
        await alice.goto(`${url}/projects/demo/buckets/${bucket}`);
        await alice.locator('[data-testid="connection"][data-status="live"]').waitFor();
        const empty = alice.getByTestId("recent-files-empty");
        await empty.waitFor();
        assert.match(await empty.innerText(), /Files partners upload or delete appear here within seconds\./);
        await alice.evaluate("window.__stackroomNoReload = true");
        // Every read of the list from here on is one the live feed asked for: they must stay 2 s apart.
        const reads: number[] = [];
        alice.on("request", (r) => {
          if (r.url().includes(`/buckets/${bucket}/files`)) reads.push(Date.now());
        });
        const bob = await signedIn("bob@example.com");
        await bob.goto(`${url}/projects/demo`);
        await bob.locator('[data-testid="connection"][data-status="live"]').waitFor();

        // The partner uploads three files with the AWS CLI, as a partner would.
        const asPartner = motoCli(motoEndpoint, "eu-west-1", { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey });
        const local = join(dir, "report.csv");
        writeFileSync(local, "id,total\n1,42\n");
        for (const n of [1, 2, 3]) await asPartner("s3api", "put-object", "--bucket", physical, "--key", `incoming/report-${n}.csv`, "--body", local);

        await untilRows(
          alice,
          [3, 2, 1].map((n) => [`incoming/report-${n}.csv`, "created", partner]),
          "the partner's uploads, live",
        );
        const first = alice.locator('[data-testid="recent-file"][data-key="incoming/report-1.csv"]');
        assert.equal(await first.getByTestId("file-by-user").getAttribute("href"), `/projects/demo/users/${partner}`);
        assert.match(await first.innerText(), /14 bytes/);
        assert.match(await first.locator("time").getAttribute("title") ?? "", /\d{4}/, "the exact time is in the title");

        // One folded line for the burst, in the project's feed and in the bucket's history.
        const burst = `${partner} uploaded 3 files, 42 B, to ${bucket}/incoming/`;
        const feedLines = bob.locator(`[data-testid="activity-entry"][data-kind="bucket"][data-name="${bucket}"]`).filter({ hasText: " uploaded " });
        await feedLines.filter({ hasText: burst }).waitFor();
        assert.equal(await feedLines.count(), 1, `one line for the burst: ${(await feedLines.allInnerTexts()).join(" | ")}`);
        const history = alice.getByTestId("resource-history").locator("li").filter({ hasText: " uploaded " });
        await history.filter({ hasText: burst }).waitFor();
        assert.equal(await history.count(), 1, `one history line for the burst: ${(await history.allInnerTexts()).join(" | ")}`);
        await screenshot(bob, "burst-in-feed");

        // The object count was taken when the page opened: it says it is behind, and a recount catches up.
        await alice.getByTestId("bucket-usage-behind").waitFor();
        await alice.getByTestId("bucket-count").click();
        await alice.getByTestId("bucket-usage-text").getByText("3 objects").waitFor();
        assert.equal(await alice.getByTestId("bucket-usage-behind").count(), 0, "still says it is behind after a recount");

        // A delete appears as deleted; a write with the test keys (no Stackroom user's) as someone outside Stackroom.
        await asPartner("s3api", "delete-object", "--bucket", physical, "--key", "incoming/report-1.csv");
        await motoCli(motoEndpoint, "eu-west-1")("s3api", "put-object", "--bucket", physical, "--key", "stranger.csv", "--body", local);
        await untilRows(
          alice,
          [
            ["stranger.csv", "created", OUTSIDE_STACKROOM],
            ["incoming/report-1.csv", "removed", partner],
            ...[3, 2, 1].map((n) => [`incoming/report-${n}.csv`, "created", partner]),
          ],
          "the delete and the stranger's write, live",
        );
        const removed = alice.locator('[data-testid="recent-file"][data-event="removed"]');
        assert.match(await removed.innerText(), /Deleted/);
        assert.equal(await alice.evaluate(`getComputedStyle(document.querySelector('[data-testid="recent-file"][data-event="removed"] code')).textDecorationLine`), "line-through");
        const stranger = alice.locator('[data-testid="recent-file"][data-key="stranger.csv"]');
        assert.equal(await stranger.getByTestId("file-by-user").count(), 0, "no user link for a stranger");
        assert.match(await stranger.getByTestId("file-by-outside").innerText(), /someone outside Stackroom/i);
        await screenshot(alice, "recent-files-light");
        await expectAccessible(alice, "bucket page with recent files");

        const gaps = reads.slice(1).map((at, i) => at - (reads[i] ?? 0));
        assert.ok(reads.length >= 1 && gaps.every((gap) => gap >= 1_900), `live re-reads at most once every 2 s: ${reads.length} reads, gaps ${gaps.join(", ")} ms`);

        // The prefix filter narrows the list (sent to the room as `prefix`), and clearing it shows all again.
        const filter = alice.getByTestId("recent-files-filter");
        await filter.fill("incoming/");
        await untilRows(
          alice,
          [["incoming/report-1.csv", "removed", partner], ...[3, 2, 1].map((n) => [`incoming/report-${n}.csv`, "created", partner])],
          "only incoming/",
        );
        await filter.fill("incoming/report-2");
        await untilRows(alice, [["incoming/report-2.csv", "created", partner]], "only report-2");
        await filter.fill("nothing-here/");
        await alice.getByTestId("recent-files-empty").getByText("No recent file’s key starts with “nothing-here/”.").waitFor();
        await filter.fill("");
        await untilRows(alice, [["stranger.csv", "created", OUTSIDE_STACKROOM], ["incoming/report-1.csv", "removed", partner], ...[3, 2, 1].map((n) => [`incoming/report-${n}.csv`, "created", partner])], "all again");
        assert.equal(await alice.evaluate("window.__stackroomNoReload === true"), true, "the bucket's page was reloaded");

        // On a 390 px phone the rows are stacked cards, every part on screen.
        const phone = await signedIn("alice@example.com", { viewport: { width: 390, height: 844 } });
        await phone.goto(`${url}/projects/demo/buckets/${bucket}`);
        await untilRows(phone, await rows(alice), "the phone's list");
        const overflow = await phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth");
        assert.equal(overflow, 0, "nothing wider than the phone");
        const card = phone.locator('[data-testid="recent-file"][data-key="stranger.csv"]');
        assert.equal(await phone.evaluate(`getComputedStyle(document.querySelector('[data-testid="recent-file"] td')).display`), "grid", "a row reads as a card");
        await card.scrollIntoViewIfNeeded();
        await screenshot(phone, "recent-files-phone");

        // A hundred and one more in one go: the list shows the newest 100, and Show more the rest.
        const bulk = join(dir, "bulk");
        mkdirSync(bulk);
        for (let n = 0; n < 101; n++) writeFileSync(join(bulk, `part-${String(n).padStart(3, "0")}.csv`), "x\n");
        await asPartner("s3", "cp", bulk, `s3://${physical}/bulk/`, "--recursive", "--only-show-errors");
        const shown = alice.getByTestId("recent-file");
        const more = alice.getByTestId("recent-files-more");
        await more.waitFor({ timeout: 30_000 });
        assert.equal(await shown.count(), 100, "the newest 100 first");
        await more.click();
        await alice.locator('[data-testid="recent-file"][data-key="incoming/report-1.csv"][data-event="created"]').waitFor();
        assert.equal(await shown.count(), 106, "then every event the room holds for the bucket");
        assert.equal(await more.count(), 0, "nothing more to show");
        assert.match(await alice.getByTestId("recent-files-count").innerText(), /^106 file events\.$/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
