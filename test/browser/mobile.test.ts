// Proves the project page works at 390 px: the permission matrix keeps its user column in place while more than one bucket column is reachable sideways, controls are at least 44 px, and the activity feed is a bounded box instead of a page-long tail.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { setUp, openProject, openTab, uniqueBucketName, waitForStatus, waitForUserStatus, type BrowserScenario } from "./harness";

export const scenarios: BrowserScenario[] = [
  {
    name: "at 390 px the matrix's user column stays put while bucket columns scroll, and touch targets are 44 px",
    async run({ url, signedIn, screenshot }) {
      const phone = await signedIn("bob@example.com", { viewport: { width: 390, height: 844 } });
      await openProject(phone, "demo");
      const buckets = [uniqueBucketName("phone-a"), uniqueBucketName("phone-b"), uniqueBucketName("phone-c")];
      for (const b of buckets) await setUp(phone, url, "/buckets", { name: b });
      for (const b of buckets) await waitForStatus(phone, b, "ready");
      const user = `phone-${Date.now().toString(36)}`;
      await setUp(phone, url, "/users", { name: user, permissions: [{ bucket: buckets[0] ?? "", access: "read" }] });
      await waitForUserStatus(phone, user, "ready");

      const copy = phone.getByTestId(`bucket-${buckets[0]}`).getByRole("button", { name: /Copy AWS name/ });
      const copyBox = await copy.boundingBox();
      assert.ok(copyBox && copyBox.width >= 44 && copyBox.height >= 44, `copy button is ${copyBox?.width} × ${copyBox?.height}`);
      const feed = await phone.getByTestId("activity").boundingBox();
      assert.ok(feed && feed.height <= 460, `the activity feed is ${feed?.height} px tall`);

      await openTab(phone, "permissions");
      // The matrix is the tab's second layout; found by name, as in a project with many users and buckets.
      await phone.getByTestId("layout-matrix").click();
      await phone.getByTestId("matrix-filter-user").fill(user);
      await phone.getByTestId("matrix-filter-bucket").fill("phone-");
      const tabBox = await phone.getByTestId("tab-permissions").boundingBox();
      assert.ok(tabBox && tabBox.height >= 44, `tab is ${tabBox?.height} px tall`);
      const select = phone.getByTestId(`access-${user}-${buckets[0]}`);
      const selectBox = await select.boundingBox();
      assert.ok(selectBox && selectBox.height >= 44, `matrix select is ${selectBox?.height} px tall`);

      const scroll = phone.getByTestId("matrix-scroll");
      const row = phone.getByTestId(`matrix-row-${user}`).locator("th");
      const measure = () =>
        scroll.evaluate((box, names) => {
          const frame = box.getBoundingClientRect();
          const heads = [...box.querySelectorAll("thead th")].slice(1);
          const visible = heads.filter((th) => {
            const r = th.getBoundingClientRect();
            return r.left >= frame.left - 1 && r.right <= frame.right + 1;
          });
          return {
            overflow: box.scrollWidth > box.clientWidth,
            visible: visible.map((th) => th.textContent?.trim() ?? ""),
            last: names.every((n) => heads.some((th) => th.textContent?.includes(n))),
          };
        }, buckets);
      const x0 = (await row.boundingBox())?.x;
      const start = await measure();
      assert.ok(start.overflow, "the matrix does not scroll sideways");
      assert.ok(start.last, "a bucket column is missing");
      assert.ok(start.visible.length >= 1, "no bucket column visible beside the user column");
      await screenshot(phone, "matrix-390-start");

      await scroll.evaluate((box) => box.scrollTo({ left: box.scrollWidth }));
      await phone.waitForFunction((box) => box !== null && box.scrollLeft + box.clientWidth >= box.scrollWidth - 1, await scroll.elementHandle(), { polling: 100, timeout: 10_000 });
      const end = await measure();
      assert.equal((await row.boundingBox())?.x, x0, "the user column moved with the scroll");
      const seen = new Set([...start.visible, ...end.visible]);
      assert.ok(seen.size >= 2, `only ${[...seen].join(", ")} could be reached`);
      assert.ok(end.visible.some((t) => !start.visible.includes(t)), "scrolling showed no other bucket column");
      await screenshot(phone, "matrix-390-scrolled");
    },
  },
];
