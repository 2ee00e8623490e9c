// Proves each resource has a page of its own URL: opened directly, it shows the bucket's settings and who is granted; a grant leads to the user's page and Back returns, on one WebSocket; the project page keeps its tab in the URL across a reload; unknown and deleted resources say so; and at 390 px the page never scrolls sideways and its copy buttons are on screen.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { apiCall, expectAccessible, setUp, uniqueBucketName, type BrowserScenario } from "./harness";

/** The page is no wider than the window (no sideways scrolling of the page itself). */
async function pageWidth(page: Page): Promise<{ scroll: number; viewport: number }> {
  const [scroll, viewport] = await Promise.all([page.evaluate("document.documentElement.scrollWidth"), page.evaluate("window.innerWidth")]);
  assert.equal(typeof scroll, "number");
  assert.equal(typeof viewport, "number");
  return { scroll: Number(scroll), viewport: Number(viewport) };
}

async function expectInViewport(page: Page, testid: string): Promise<void> {
  const locator = page.getByTestId(testid);
  await locator.scrollIntoViewIfNeeded();
  const box = await locator.boundingBox();
  const width = Number(await page.evaluate("window.innerWidth"));
  assert.ok(box, `${testid} is not shown`);
  assert.ok(box.x >= 0 && box.x + box.width <= width, `${testid} spans ${box.x}–${box.x + box.width} px of a ${width} px window`);
}

export const scenarios: BrowserScenario[] = [
  {
    name: "a bucket's page by its URL shows settings and grants; a grant leads to the user's page and back, on one socket; a reload keeps ?tab=users",
    async run({ url, signedIn, screenshot }) {
      const alice = await signedIn("alice@example.com");
      const sockets: string[] = [];
      // The live sockets only (the dev server has one of its own).
      alice.on("websocket", (ws) => {
        if (ws.url().includes("/api/projects/")) sockets.push(ws.url());
      });
      const bucket = uniqueBucketName("pages");
      const user = `pages-${Date.now().toString(36)}`;
      await setUp(alice, url, "/buckets", { name: bucket, expireAfterDays: 30 });
      await setUp(alice, url, "/users", { name: user, description: "Uploads from Acme", permissions: [{ bucket, access: "readwrite" }] });

      // Straight to the URL, as from a bookmark: no project page first.
      await alice.goto(`${url}/projects/demo/buckets/${bucket}`);
      const page = alice.getByTestId("resource-page");
      await page.locator('[data-testid="resource-status"][data-status="ready"]').waitFor({ timeout: 20_000 });
      assert.equal(await page.getByTestId("resource-title").innerText(), `Bucket ${bucket}`);
      assert.match(await alice.title(), new RegExp(`^Bucket ${bucket} · .+ · Stackroom$`));
      const settings = await page.getByTestId("bucket-settings").innerText();
      for (const words of ["Versioning", "On", "SSE-S3", "Expire after 30 days", "Public access", "Blocked", "Bucket owner enforced", "TLS 1.2 or newer"]) {
        assert.ok(settings.includes(words), `the settings do not say "${words}":\n${settings}`);
      }
      const grant = page.getByTestId(`bucket-grant-${user}`);
      await grant.waitFor();
      assert.match(await grant.innerText(), /whole bucket/);
      assert.match(await grant.innerText(), /Read-write/);
      await expectAccessible(alice, "bucket page");
      await screenshot(alice, "bucket-page-settings");
      await alice.emulateMedia({ colorScheme: "dark" });
      await expectAccessible(alice, "bucket page");
      await screenshot(alice, "bucket-page-settings-dark");
      await alice.emulateMedia({ colorScheme: "light" });

      // The grant is a real link (open-in-new-tab works); following it keeps the live connection.
      const link = grant.getByRole("link", { name: user });
      assert.equal(await link.getAttribute("href"), `/projects/demo/users/${user}`);
      await link.click();
      await alice.waitForURL(`**/projects/demo/users/${user}`);
      await page.locator('[data-testid="resource-title"]', { hasText: `User ${user}` }).waitFor();
      await page.getByTestId(`user-grant-${bucket}`).getByRole("link", { name: bucket }).waitFor();
      assert.match(await page.getByTestId("user-settings").innerText(), /Uploads from Acme[\s\S]*Never expires[\s\S]*None \(S3 keys only\)/);
      assert.match(await page.getByTestId("user-arn").innerText(), new RegExp(`^arn:aws:iam::111111111111:user/stackroom/demo/${user}$`));
      await expectAccessible(alice, "user page");
      await screenshot(alice, "user-page");

      await alice.goBack();
      await alice.waitForURL(`**/projects/demo/buckets/${bucket}`);
      await page.locator('[data-testid="resource-title"]', { hasText: `Bucket ${bucket}` }).waitFor();
      await alice.locator('[data-testid="connection"][data-status="live"]').waitFor();
      assert.equal(sockets.length, 1, `moving between pages opened ${sockets.length} sockets: ${sockets.join(", ")}`);

      // The project page's tab lives in the URL: a reload keeps it, and so does Back from a user's page.
      await alice.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: "Buckets" }).click();
      await alice.waitForURL(/\/projects\/demo$/);
      await alice.getByTestId("tab-users").click();
      await alice.waitForURL(/\/projects\/demo\?tab=users$/);
      await alice.locator('[data-testid="tab-users"][aria-selected="true"]').waitFor();
      await alice.reload();
      await alice.locator('[data-testid="tab-users"][aria-selected="true"]').waitFor();
      await alice.getByTestId(`user-${user}`).waitFor();
      assert.equal(await alice.locator("#panel-buckets").count(), 0, "a hidden panel is rendered");
      await alice.getByTestId(`user-details-${user}`).click();
      await alice.waitForURL(`**/projects/demo/users/${user}`);
      await alice.goBack();
      await alice.waitForURL(/\/projects\/demo\?tab=users$/);
      await alice.getByTestId(`user-${user}`).waitFor();

      // A resource that goes while its page is open says so, with a way back.
      await alice.getByTestId(`user-details-${user}`).click();
      await alice.waitForURL(`**/projects/demo/users/${user}`);
      const res = await apiCall(alice, url, "DELETE", `/api/projects/demo/users/${user}`);
      assert.equal(res.status(), 202, await res.text());
      const missing = page.getByTestId("resource-missing");
      await missing.getByText(`This user was deleted`).waitFor({ timeout: 20_000 });
      assert.equal(await missing.getByTestId("resource-back").getAttribute("href"), "/projects/demo?tab=users");

      // A viewer reads the same page with nothing to change.
      const carol = await signedIn("carol@example.com");
      await carol.goto(`${url}/projects/demo/buckets/${bucket}`);
      await carol.getByTestId("bucket-settings").waitFor();
      assert.equal(await carol.getByTestId(`edit-${bucket}`).count(), 0, "a viewer is offered Edit");
      assert.equal(await carol.getByTestId(`delete-${bucket}`).count(), 0, "a viewer is offered Delete");

      // An unknown name is a page that says so, not an error.
      await alice.goto(`${url}/projects/demo/buckets/no-such-bucket-${Date.now().toString(36)}`);
      await alice.getByTestId("resource-missing").getByText("No bucket named").waitFor();
      await screenshot(alice, "bucket-page-unknown");
    },
  },
  {
    name: "at 390 px, light and dark, the bucket and user pages do not scroll sideways and every copy button is on screen",
    async run({ url, signedIn, screenshot }) {
      for (const colorScheme of ["light", "dark"] as const) {
        const phone = await signedIn("bob@example.com", { viewport: { width: 390, height: 844 }, colorScheme });
        const bucket = uniqueBucketName(`phone-page-${colorScheme}`);
        const user = `phone-page-${colorScheme}-${Date.now().toString(36)}`;
        await setUp(phone, url, "/buckets", { name: bucket });
        await setUp(phone, url, "/users", { name: user, permissions: [{ bucket, access: "read" }] });

        await phone.goto(`${url}/projects/demo/buckets/${bucket}`);
        await phone.locator('[data-testid="resource-status"][data-status="ready"]').waitFor({ timeout: 20_000 });
        await phone.getByTestId("bucket-usage-text").waitFor();
        const { scroll, viewport } = await pageWidth(phone);
        assert.ok(scroll <= viewport, `the bucket page is ${scroll} px wide in a ${viewport} px window`);
        for (const copy of ["bucket-aws-name-copy", "bucket-arn-copy"]) await expectInViewport(phone, copy);
        await phone.evaluate("window.scrollTo(0, 0)");
        await screenshot(phone, `bucket-page-390-${colorScheme}`);

        await phone.getByTestId(`bucket-grant-${user}`).getByRole("link", { name: user }).click();
        await phone.locator('[data-testid="resource-status"][data-status="ready"]').waitFor({ timeout: 20_000 });
        const userPage = await pageWidth(phone);
        assert.ok(userPage.scroll <= userPage.viewport, `the user page is ${userPage.scroll} px wide in a ${userPage.viewport} px window`);
        for (const copy of ["user-aws-name-copy", "user-arn-copy"]) await expectInViewport(phone, copy);
        await phone.evaluate("window.scrollTo(0, 0)");
        await screenshot(phone, `user-page-390-${colorScheme}`);

        // The project page opened on its last tab: the tab strip scrolls itself to show it.
        await phone.goto(`${url}/projects/demo?tab=members`);
        await phone.locator('[data-testid="tab-members"][aria-selected="true"]').waitFor();
        const tab = await phone.getByTestId("tab-members").boundingBox();
        assert.ok(tab && tab.x >= 0 && tab.x + tab.width <= 390, `the Members tab spans ${tab?.x}–${(tab?.x ?? 0) + (tab?.width ?? 0)} px`);
      }
    },
  },
];
