// Proves issue 19's manager tools as a manager lives them: the Review tab's badge and flags (no grants, expiring) on the right users, its filters and search (by name or access key id), a row leading to the user's page where "Rotate key" makes the second key (the one-time link form opens, the activity says so live, IAM holds both keys, the old one still active); Extend in one click through the normal update; and an owner pointing notifications at a real local receiver that gets exactly one signed test message, while a viewer sees the settings read-only.
import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import type { Page } from "playwright-core";
import * as z from "zod";
import { AccessReview, CreatedKey, DEFAULT_NOTIFICATION_SETTINGS, KeyList, NOTIFICATION_SIGNATURE_HEADER } from "../../core/contract";
import { verifySignature } from "../../core/webhook-signature";
import { apiCall, expectAccessible, openTab, setUp, uniqueBucketName, untilView, type BrowserScenario } from "./harness";

const DAY_MS = 86_400_000;

function uniqueUserName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}

/** A user created through the API, waited for until its stack is ready. */
async function readyUser(page: Page, url: string, body: { name: string; permissions: { bucket: string; access: string }[]; expiresAt?: string }): Promise<void> {
  await setUp(page, url, "/users", body);
  await untilView(page, url, (v) => v.users.find((u) => u.name === body.name && u.status === "ready"), `user ${body.name} is ready`, 30_000);
}

async function accessReview(page: Page, url: string): Promise<AccessReview> {
  const res = await page.request.get(`${url}/api/projects/demo/access-review`);
  assert.equal(res.status(), 200, await res.text());
  return AccessReview.parse(await res.json());
}

/** Opens the project page (already signed in) on a tab, live. */
async function openProjectOn(page: Page, url: string, tab?: "review" | "members"): Promise<void> {
  await page.goto(`${url}/projects/demo${tab ? `?tab=${tab}` : ""}`);
  await page.locator('[data-testid="connection"][data-status="live"]').waitFor({ timeout: 15_000 });
}

/** The names of the users the Review tab lists now, in order. */
async function reviewRows(page: Page): Promise<string[]> {
  return page.locator('[data-testid^="review-user-"]').evaluateAll((els) => els.map((el) => (el.getAttribute("data-testid") ?? "").replace(/^review-user-/, "")));
}

/** A plain HTTP receiver on a free loopback port that records every request it gets. */
interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

async function startReceiver(): Promise<{ url: string; received: Received[]; stop(): Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const scenarios: BrowserScenario[] = [
  {
    name: "a manager reviews access and rotates a key",
    timeoutSeconds: 150,
    async run({ url, signedIn, screenshot }) {
      const alice = await signedIn("alice@example.com");
      const bucket = uniqueBucketName("review");
      const partner = uniqueUserName("partner");
      const idle = uniqueUserName("idle");
      const leaving = uniqueUserName("leaving");

      // Set-up through the API: a bucket, a partner with a grant and one key, a user with no
      // grants, and a user whose access ends in 5 days.
      await setUp(alice, url, "/buckets", { name: bucket });
      await untilView(alice, url, (v) => v.buckets.find((b) => b.name === bucket && b.status === "ready"), "the bucket is ready");
      const expiresAt = new Date(Date.now() + 5 * DAY_MS).toISOString();
      await Promise.all([
        readyUser(alice, url, { name: partner, permissions: [{ bucket, access: "write" }] }),
        readyUser(alice, url, { name: idle, permissions: [] }),
        readyUser(alice, url, { name: leaving, permissions: [{ bucket, access: "read" }], expiresAt }),
      ]);
      const keyRes = await apiCall(alice, url, "POST", `/api/projects/demo/users/${partner}/keys`, {});
      assert.equal(keyRes.status(), 201, await keyRes.text());
      const oldKey = CreatedKey.parse(await keyRes.json());

      // Bob (an editor) opens the project: the Review tab counts the users that need a look.
      const bob = await signedIn("bob@example.com");
      await openProjectOn(bob, url);
      const expected = (await accessReview(bob, url)).totals.flaggedUsers;
      assert.ok(expected >= 2, `the review flags at least the user with no grants and the expiring one (flags ${expected})`);
      await bob.getByTestId("tab-review").getByTestId("review-badge").getByText(String(expected), { exact: true }).waitFor();
      assert.match((await bob.getByTestId("review-badge").getAttribute("title")) ?? "", new RegExp(`^${expected} users need a look$`));

      await bob.getByTestId("tab-review").click();
      await bob.locator("#panel-review").waitFor({ state: "visible" });
      const row = (name: string) => bob.getByTestId(`review-user-${name}`);
      await row(leaving).waitFor();
      await bob.evaluate("window.__stackroomNoReload = true");

      // Each flag on the right user: no grants on idle, expiring on leaving, nothing on the partner.
      await row(idle).getByTestId("review-flag-no-grants").waitFor();
      assert.equal(await row(idle).getByTestId("review-flag-expiring").count(), 0, "idle never expires");
      await row(leaving).getByTestId("review-flag-expiring").waitFor();
      assert.equal(await row(leaving).getByTestId("review-flag-no-grants").count(), 0, "leaving has a grant");
      assert.match(await row(leaving).innerText(), /1 grant · access ends in 5 days/);
      assert.equal(await row(partner).locator('[data-testid^="review-flag-"]').count(), 0, `the partner is flagged: ${await row(partner).innerText()}`);
      assert.match(await row(partner).getByTestId(`review-key-${oldKey.accessKeyId}`).innerText(), /Active\s+0 days old/);
      assert.match(await row(idle).innerText(), /No access keys\./);
      await screenshot(bob, "review-tab");
      await expectAccessible(bob, "the Review tab");

      // The filters narrow the list to one flag, and All shows everyone again.
      const filter = (f: string) => bob.getByTestId(`review-filter-${f}`);
      await filter("no-grants").click();
      assert.equal(await filter("no-grants").getAttribute("aria-checked"), "true");
      await row(partner).waitFor({ state: "detached" });
      assert.ok((await reviewRows(bob)).includes(idle));
      assert.ok(!(await reviewRows(bob)).includes(leaving), "an expiring user with a grant shows under No grants");
      await filter("expiring").click();
      await row(leaving).waitFor();
      assert.ok(!(await reviewRows(bob)).includes(idle), "a user who never expires shows under Expiring");
      assert.ok(!(await reviewRows(bob)).includes(partner));
      await filter("rotation-due").click();
      await bob.getByTestId("review-no-match").waitFor();
      await filter("all").click();
      await row(partner).waitFor();
      assert.deepEqual(
        (await reviewRows(bob)).filter((n) => [partner, idle, leaving].includes(n)).sort(),
        [partner, idle, leaving].sort(),
      );

      // The search finds a user by name, or by an access key id (as CloudTrail shows it), within the filter chosen.
      const search = bob.getByTestId("review-search");
      await search.fill(oldKey.accessKeyId.toLowerCase());
      await row(idle).waitFor({ state: "detached" });
      assert.deepEqual(await reviewRows(bob), [partner], "a key id finds only its user");
      await search.fill(idle);
      await row(idle).waitFor();
      assert.ok(!(await reviewRows(bob)).includes(partner), "a name search shows users it does not name");
      await filter("expiring").click();
      assert.match(await bob.getByTestId("review-no-match").innerText(), /No user with this flag matches this search\./);
      await filter("all").click();
      await search.fill("");
      await row(partner).waitFor();

      // A row leads to the user's page, where the keys dialog rotates the key in one step.
      await row(partner).getByRole("link", { name: partner }).click();
      await bob.waitForURL(`${url}/projects/demo/users/${partner}`);
      await bob.getByTestId(`keys-${partner}`).click();
      const dialog = bob.getByTestId("keys-dialog");
      await dialog.getByTestId(`key-${oldKey.accessKeyId}`).waitFor();
      await dialog.getByTestId("rotate-grace-days").fill("3");
      await dialog.getByTestId("rotate-key").click();
      const started = dialog.getByTestId("rotation-started");
      await started.waitFor();
      assert.match(await started.innerText(), new RegExp(`the old key ${oldKey.accessKeyId} stops when this new key is first used, or on `));
      const newKeyId = ((await dialog.getByTestId("new-key-id").textContent()) ?? "").trim();
      assert.match(newKeyId, /^[A-Z0-9]{16,}$/);
      assert.notEqual(newKeyId, oldKey.accessKeyId);
      // The new key is handed over like any new key: its one-time link form is open.
      await dialog.getByTestId("create-share").waitFor();
      await dialog.getByTestId("share-days").waitFor();

      // The rotation's line arrives live in the user's history (the page was not reloaded).
      const short = `${newKeyId.slice(0, 4)}…${newKeyId.slice(-4)}`;
      await bob.getByTestId("resource-history").locator("li").filter({ hasText: `You started rotating ${partner}'s key: new key ${short}` }).waitFor();
      assert.equal(await bob.evaluate("window.__stackroomNoReload === true"), true, "the page was reloaded");
      await screenshot(bob, "rotation-started");

      // IAM (moto) holds both keys, the old one still active until the new one is used or 3 days pass.
      const listed = await alice.request.get(`${url}/api/projects/demo/users/${partner}/keys`);
      assert.equal(listed.status(), 200, await listed.text());
      const { keys } = KeyList.parse(await listed.json());
      assert.deepEqual(
        keys.map((k) => [k.accessKeyId, k.status]).sort(),
        [
          [oldKey.accessKeyId, "Active"],
          [newKeyId, "Active"],
        ].sort(),
      );
      const rotation = (await accessReview(alice, url)).users.find((u) => u.name === partner)?.rotation;
      assert.equal(rotation?.oldKeyId, oldKey.accessKeyId);
      assert.equal(rotation?.newKeyId, newKeyId);
      const grace = Date.parse(rotation?.graceEndsAt ?? "") - Date.parse(rotation?.startedAt ?? "");
      assert.equal(grace, 3 * DAY_MS, "the grace period is the 3 days asked for");

      // On a 390 px phone the Review tab reads without sideways scrolling, the rotation shown.
      const phone = await signedIn("bob@example.com", { viewport: { width: 390, height: 844 } });
      await openProjectOn(phone, url, "review");
      await phone.getByTestId(`review-user-${partner}`).getByTestId("review-rotation").waitFor();
      // The tab strip scrolls sideways; the Review tab, badge and all, is in view once its count arrives.
      await phone.getByTestId("review-badge").waitFor();
      await phone.waitForFunction(
        `(() => { const tab = document.getElementById("tab-review").getBoundingClientRect(); const strip = document.querySelector('[role="tablist"]').getBoundingClientRect(); return tab.left >= strip.left && tab.right <= strip.right + 0.5; })()`,
        undefined,
        { timeout: 5_000 },
      );
      assert.equal(await phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"), 0, "nothing wider than the phone");
      await screenshot(phone, "review-tab-phone");
    },
  },
  {
    name: "an owner extends a user's access with one click",
    timeoutSeconds: 120,
    async run({ url, signedIn, screenshot }) {
      const alice = await signedIn("alice@example.com");
      const name = uniqueUserName("expiring");
      const expiresAt = new Date(Date.now() + 5 * DAY_MS).toISOString();
      await readyUser(alice, url, { name, permissions: [], expiresAt });

      await alice.goto(`${url}/projects/demo/users/${name}`);
      await alice.locator('[data-testid="connection"][data-status="live"]').waitFor({ timeout: 15_000 });
      await alice.evaluate("window.__stackroomNoReload = true");
      const expiry = alice.getByTestId("user-page-expiry");
      await expiry.getByText(/^Expires in 5 days/).waitFor();
      const extend = alice.getByTestId(`extend-user-${name}`);
      assert.equal((await extend.innerText()).trim(), "Extend 90 days", "no project default: 90 days");
      await screenshot(alice, "user-expiring");

      await extend.click();
      // The new date is the old one 90 days later, through the normal update (lock, then ready).
      const extended = new Date(Date.parse(expiresAt) + 90 * DAY_MS).toISOString();
      const toast = alice.getByTestId("toast").filter({ hasText: `Extending ${name}: access now ends ` });
      await toast.waitFor();
      const newEnd = /access now ends (.+?) \(90 days more\)/.exec(await toast.innerText())?.[1];
      assert.ok(newEnd, `the toast names the new end: ${await toast.innerText()}`);
      await untilView(alice, url, (v) => v.users.find((u) => u.name === name && u.status === "ready" && u.spec.expiresAt === extended), "the user is extended", 30_000);
      await expiry.getByText(/^Expires in 95 days/).waitFor();
      await alice.locator('[data-testid="resource-status"][data-status="ready"]').waitFor();

      // The history says who extended it, to when (in words, as the toast said it), as any update.
      const line = alice.getByTestId("resource-history").locator("li").filter({ hasText: `You updated user ${name}` });
      await line.waitFor();
      assert.ok((await line.innerText()).includes(`no bucket access, expires ${newEnd}`), `the history line: ${await line.innerText()}`);
      assert.equal(await alice.evaluate("window.__stackroomNoReload === true"), true, "the page was reloaded");
      await screenshot(alice, "user-extended");
    },
  },
  {
    name: "an owner sets where notifications go and sends a test",
    async run({ url, signedIn, screenshot }) {
      const receiver = await startReceiver();
      const alice = await signedIn("alice@example.com");
      try {
        await openProjectOn(alice, url);
        await openTab(alice, "members");
        const card = alice.getByTestId("notifications-card");
        const form = card.getByTestId("notifications-form");
        await form.waitFor();
        assert.equal(await card.getByTestId("notifications-test").isDisabled(), true, "a test with nowhere to send it");

        const hook = `${receiver.url}/hooks/stackroom-${Date.now().toString(36)}`;
        await form.getByTestId("notifications-url").fill(hook);
        await form.getByTestId("notifications-format-json").check();
        // Only what this scenario will not cause: the count of messages stays exact.
        await form.getByTestId("notifications-event-access-expiring").uncheck();
        await form.getByTestId("notifications-event-link-opened").uncheck();
        await form.getByTestId("notifications-save").click();

        // The signing secret is shown once, with Copy.
        const secretField = card.getByTestId("notifications-secret");
        await secretField.waitFor();
        const secret = ((await card.getByTestId("notifications-secret-value").textContent()) ?? "").trim();
        assert.ok(secret.length >= 32, `a signing secret is shown: ${secret.length} characters`);
        await card.getByTestId("notifications-secret-value-copy").waitFor();
        await screenshot(alice, "notifications-saved-secret-once");

        const sendTest = card.getByTestId("notifications-test");
        assert.equal(await sendTest.isDisabled(), false);
        await sendTest.click();
        const delivered = card.getByTestId("notifications-deliveries").locator("li").filter({ hasText: "Delivered" });
        await delivered.waitFor();
        assert.equal(await delivered.count(), 1);
        await screenshot(alice, "notifications-test-delivered");

        // The receiver got exactly one POST, signed with the secret just shown.
        assert.equal(receiver.received.length, 1, `one request: ${receiver.received.map((r) => `${r.method} ${r.path}`).join(", ")}`);
        const [message] = receiver.received;
        assert.ok(message);
        assert.equal(message.method, "POST");
        assert.equal(message.path, new URL(hook).pathname);
        const signature = message.headers[NOTIFICATION_SIGNATURE_HEADER.toLowerCase()];
        assert.equal(typeof signature, "string", "the message carries the Stackroom-Signature header");
        const check = await verifySignature(typeof signature === "string" ? signature : undefined, message.body, [secret], Date.now() / 1000);
        assert.ok(check.ok, `the signature verifies with the secret shown: ${check.ok ? "" : check.reason}`);
        assert.equal(z.object({ project: z.string() }).parse(JSON.parse(message.body)).project, "demo");

        // Leaving and coming back: the secret is not shown again.
        await openTab(alice, "buckets");
        await openTab(alice, "members");
        await card.getByTestId("notifications-form").waitFor();
        assert.equal(await card.getByTestId("notifications-secret").count(), 0, "the secret was shown twice");

        // A viewer sees the settings read-only, the URL's path (which lets anyone post) hidden.
        const carol = await signedIn("carol@example.com");
        await openProjectOn(carol, url, "members");
        const readOnly = carol.getByTestId("notifications-read-only");
        await readOnly.waitFor();
        assert.equal(await carol.getByTestId("notifications-form").count(), 0, "a viewer is offered the form");
        assert.equal(await carol.getByTestId("notifications-test").count(), 0, "a viewer is offered Send test");
        const shown = await readOnly.innerText();
        assert.match(shown, /JSON \(signed\)/);
        assert.match(shown, new RegExp(`${receiver.url.replace(/\./g, "\\.")}/…`));
        assert.ok(!shown.includes(new URL(hook).pathname), "a viewer sees the whole webhook URL");
        await carol.getByTestId("notifications-deliveries").locator("li").filter({ hasText: "Delivered" }).waitFor();
        await screenshot(carol, "notifications-read-only");
      } finally {
        // Off again: later scenarios on this stack must not post to a receiver that is gone.
        await apiCall(alice, url, "PUT", "/api/projects/demo/notifications", DEFAULT_NOTIFICATION_SETTINGS);
        await receiver.stop();
      }
    },
  },
];
