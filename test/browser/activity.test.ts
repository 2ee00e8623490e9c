// Proves the activity feed's filters live in the URL and are answered by the server: a filtered link shows only matching entries (also ones older than the first page), the controls show the filter, changes rewrite the URL, a reload and Back keep it, live entries appear only when they match; entries link to their resource's page; a burst of creates by one person is one folded line.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { apiCall, openProject, setUp, uniqueBucketName, waitForStatus, type BrowserScenario } from "./harness";

/** The feed has the server's answer for the filter in the URL. */
async function feedLoaded(page: Page): Promise<void> {
  await page.locator('[data-testid="activity-entries"][data-loaded="true"]').waitFor();
}

/** `kind:name` of every (unfolded) line the feed shows. */
const shownResources = (page: Page) =>
  page.locator('[data-testid="activity-entry"]').evaluateAll((els) => els.map((el) => `${el.getAttribute("data-kind")}:${el.getAttribute("data-name")}`));

export const scenarios: BrowserScenario[] = [
  {
    name: "a filtered activity link is answered by the server, stays in the URL through changes, reload and Back, and takes only matching live entries",
    async run({ url, signedIn, screenshot }) {
      const alice = await signedIn("alice@example.com");
      const bob = await signedIn("bob@example.com");
      const target = uniqueBucketName("audit");
      await setUp(alice, url, "/buckets", { name: target });
      // Its stack's last event first: a late "ready" line would land on the first page below.
      await openProject(alice, "demo");
      await waitForStatus(alice, target, "ready");
      // More than a first page (30 entries) of other activity after it: role changes of one person.
      const filler = `filler-${Date.now().toString(36)}@example.com`;
      for (let i = 0; i < 34; i++) {
        const res = await apiCall(alice, url, "PUT", `/api/projects/demo/members/${encodeURIComponent(filler)}`, { role: i % 2 ? "editor" : "viewer" });
        assert.equal(res.status(), 200, await res.text());
      }
      const firstPage = await (await alice.request.get(`${url}/api/projects/demo/activity?limit=30`)).json();
      assert.ok(!JSON.stringify(firstPage).includes(target), "the bucket's entries are still in the first page");

      // The choices are the project's, not the loaded lines': the bucket is offered though none of its lines is loaded.
      await alice.reload();
      await alice.locator('[data-testid="connection"][data-status="live"]').waitFor({ timeout: 15_000 });
      await feedLoaded(alice);
      assert.equal(await alice.locator(`[data-testid="activity-entry"][data-name="${target}"]`).count(), 0);
      assert.equal(await alice.getByTestId("activity-filter-resource").locator(`option[value="bucket:${target}"]`).innerText(), `bucket ${target}`);
      assert.equal(await alice.getByTestId("activity-filter-person").locator('option[value="carol@example.com"]').count(), 1, "a member is offered");

      // A link to the bucket's activity: only its lines, from the server, and the control says so.
      await alice.goto(`${url}/projects/demo?activity.resource=bucket:${target}`);
      await alice.locator('[data-testid="connection"][data-status="live"]').waitFor({ timeout: 15_000 });
      await feedLoaded(alice);
      const created = alice.locator(`[data-testid="activity-entry"][data-name="${target}"]`).getByText(`You created bucket ${target}`, { exact: true });
      await created.waitFor();
      assert.deepEqual([...new Set(await shownResources(alice))], [`bucket:${target}`]);
      assert.equal(await alice.getByTestId("activity-filter-resource").inputValue(), `bucket:${target}`);
      assert.equal(await alice.locator('[data-testid="activity-bulk"]').count(), 0);
      // The line links to the bucket's own page.
      assert.equal(await alice.locator(`[data-testid="activity-entry"][data-name="${target}"]`).getByTestId("activity-link").first().getAttribute("href"), `/projects/demo/buckets/${target}`);
      await screenshot(alice, "filtered-by-resource-from-a-link");

      // Live while filtered: a member change does not show; bob's change of the bucket does.
      await apiCall(alice, url, "DELETE", `/api/projects/demo/members/${encodeURIComponent(filler)}`);
      const patched = await apiCall(bob, url, "PATCH", `/api/projects/demo/buckets/${target}`, { expireAfterDays: 30 });
      assert.equal(patched.status(), 202, await patched.text());
      await alice.getByTestId("activity").getByText(`Bob updated bucket ${target}`, { exact: true }).waitFor();
      assert.deepEqual([...new Set(await shownResources(alice))], [`bucket:${target}`], "a change to something else showed under the filter");

      // Narrowing by a person rewrites the URL (the resource stays) and asks the server again.
      await alice.getByTestId("activity-filter-person").selectOption("bob@example.com");
      await alice.waitForURL((u) => u.searchParams.get("activity.person") === "bob@example.com" && u.searchParams.get("activity.resource") === `bucket:${target}`);
      await feedLoaded(alice);
      await created.waitFor({ state: "detached" });
      const bobsLines = await alice.locator('[data-testid="activity-entry"]').evaluateAll((els) => els.map((el) => el.getAttribute("data-people") ?? ""));
      assert.ok(bobsLines.length > 0 && bobsLines.every((p) => p.split(" ").includes("bob@example.com")), `lines of others shown: ${bobsLines.join(" | ")}`);

      // A reload keeps the filter: the same URL, the same controls, the same lines.
      const filteredUrl = alice.url();
      await alice.reload();
      await feedLoaded(alice);
      assert.equal(alice.url(), filteredUrl);
      assert.equal(await alice.getByTestId("activity-filter-person").inputValue(), "bob@example.com");
      assert.equal(await alice.getByTestId("activity-filter-resource").inputValue(), `bucket:${target}`);
      await alice.getByTestId("activity").getByText(`Bob updated bucket ${target}`, { exact: true }).waitFor();
      assert.equal(await created.count(), 0);

      // Following a line to the bucket's page and coming Back finds the filtered view again.
      await alice.getByTestId("activity").getByTestId("activity-link").first().click();
      await alice.waitForURL(`${url}/projects/demo/buckets/${target}`);
      await alice.goBack();
      await alice.waitForURL(filteredUrl);
      await feedLoaded(alice);
      assert.equal(await alice.getByTestId("activity-filter-person").inputValue(), "bob@example.com");
      await alice.getByTestId("activity").getByText(`Bob updated bucket ${target}`, { exact: true }).waitFor();

      // By kind: only membership lines, from the project's whole kept log.
      await alice.getByTestId("activity-filter-clear").click();
      await alice.waitForURL((u) => ![...u.searchParams.keys()].some((k) => k.startsWith("activity.")));
      await alice.getByTestId("activity-filter-kind").selectOption("member");
      await alice.waitForURL((u) => u.searchParams.get("activity.kind") === "member");
      await feedLoaded(alice);
      const memberKinds = () => alice.locator('[data-testid="activity-entry"]').evaluateAll((els) => els.map((el) => el.getAttribute("data-kind")));
      const firstKinds = await memberKinds();
      assert.ok(firstKinds.length >= 30 && firstKinds.every((k) => k === "member"), `kinds shown: ${[...new Set(firstKinds)].join(", ")} (${firstKinds.length})`);
      await screenshot(alice, "filtered-by-kind");
      // A time window is kept as its start: a reload shows it as a time.
      await alice.getByTestId("activity-filter-time").selectOption("1h");
      await alice.waitForURL((u) => u.searchParams.has("activity.since") && u.searchParams.get("activity.kind") === "member");
      const since = Date.parse(new URL(alice.url()).searchParams.get("activity.since") ?? "");
      assert.ok(Math.abs(Date.now() - 3_600_000 - since) < 60_000, `since ${new Date(since).toISOString()}`);
      assert.equal(await alice.getByTestId("activity-filter-time").inputValue(), "1h");
      await alice.reload();
      await feedLoaded(alice);
      assert.equal(await alice.getByTestId("activity-filter-time").inputValue(), "custom");
      assert.match(await alice.getByTestId("activity-filter-time").locator("option:checked").innerText(), /^Since /);
      assert.equal(await alice.getByTestId("activity-filter-kind").inputValue(), "member");
      // Paging goes on under the filter: the next page is membership lines too.
      await alice.getByTestId("load-older").click();
      await alice.locator('[data-testid="activity-entry"]').nth(firstKinds.length).waitFor();
      const moreKinds = await memberKinds();
      assert.ok(moreKinds.every((k) => k === "member"), `after paging: ${[...new Set(moreKinds)].join(", ")}`);

      // The same link on a phone, dark: the filters fit and the page does not scroll sideways.
      const phone = await signedIn("carol@example.com", { viewport: { width: 390, height: 844 }, colorScheme: "dark" });
      await phone.goto(`${url}/projects/demo?activity.resource=bucket:${target}`);
      await feedLoaded(phone);
      await phone.getByTestId("activity").getByText(`Bob updated bucket ${target}`, { exact: true }).waitFor();
      const width = await phone.evaluate("document.documentElement.scrollWidth");
      assert.ok(Number(width) <= 390, `the page is ${String(width)} px wide`);
      for (const control of ["resource", "person", "kind", "time"]) {
        const box = await phone.getByTestId(`activity-filter-${control}`).boundingBox();
        assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `the ${control} filter is outside the screen`);
      }
      await phone.getByTestId("activity").scrollIntoViewIfNeeded();
      await screenshot(phone, "filtered-on-a-phone-dark");
    },
  },
  {
    name: "a burst of user creates by one person is one folded line that expands to each user, with links",
    async run({ url, signedIn, screenshot }) {
      const alice = await signedIn("alice@example.com");
      const bob = await signedIn("bob@example.com");
      await openProject(alice, "demo");
      const bucket = uniqueBucketName("burst");
      await setUp(alice, url, "/buckets", { name: bucket });
      const run = Date.now().toString(36);
      const names = Array.from({ length: 6 }, (_, i) => `burst-${run}-${i}`);
      for (const name of names) await setUp(bob, url, "/users", { name, permissions: [{ bucket, access: "read" }] });

      const bulk = alice.locator('[data-testid="activity-bulk"][data-kind="user"]').filter({ hasText: /Bob created \d+ users/ }).first();
      await bulk.waitFor();
      // moto finishes each create at once: every one of them lands in the same folded line.
      const line = alice.locator('[data-testid="activity-bulk"][data-kind="user"]').first();
      for (const name of names) await line.locator(`[data-testid="activity-bulk-entry"][data-name="${name}"]`).waitFor({ state: "attached" });
      const count = Number(await bulk.getAttribute("data-count"));
      assert.ok(count >= names.length, `folded ${count}`);
      assert.equal(await bulk.getByTestId("activity-bulk-headline").innerText(), `Bob created ${count} users`);
      for (const name of names) assert.equal(await alice.locator(`[data-testid="activity-entry"][data-kind="user"][data-name="${name}"]`).count(), 0, `${name} has a line of its own`);
      await screenshot(alice, "burst-folded");

      await bulk.getByText(/^Show all \d+$/).click();
      const first = bulk.locator(`[data-testid="activity-bulk-entry"][data-name="${names[0]}"]`);
      await first.getByText(`Bob created user ${names[0]}`, { exact: true }).waitFor();
      assert.equal(await first.getByTestId("activity-link").getAttribute("href"), `/projects/demo/users/${names[0]}`);
      await bulk.scrollIntoViewIfNeeded();
      await screenshot(alice, "burst-expanded");
    },
  },
];
