// Proves the Permissions tab: one user's grants at a time (found by search, picked by pointer or keyboard) and a compact matrix edit one draft per user that survives switching users and layouts and another manager's save; a bad folder blocks the save; each changed user costs exactly one PATCH with its full permissions; the header and user column of the matrix stay put, only rows in view exist, the save bar stays in the window and leaves the matrix's last row in reach (wheel and click, desktop and phone); a viewer gets no controls; at 390 px nothing overflows and every action is reachable.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { apiCall, expectAccessible, setUp, openProject, openTab, uniqueBucketName, waitForStatus, waitForUserStatus, type BrowserScenario } from "./harness";

interface Grant {
  bucket: string;
  access: string;
  prefix?: string;
}

const byBucket = (a: Grant, b: Grant) => `${a.bucket}/${a.prefix ?? ""}`.localeCompare(`${b.bucket}/${b.prefix ?? ""}`);

/** Opens a user's grants through the user search, as a manager with many users would. */
async function pickUser(page: Page, name: string): Promise<void> {
  await page.getByTestId("user-search").fill(name);
  await page.getByTestId(`pick-${name}`).click();
  await page.locator(`[data-testid="user-grants"][data-user="${name}"]`).waitFor();
}

/** Whether the element lies wholly inside the window (nothing to scroll to reach it). */
async function inWindow(page: Page, testid: string): Promise<boolean> {
  const box = await page.getByTestId(testid).boundingBox();
  const size = page.viewportSize();
  return Boolean(box && size && box.x >= 0 && box.y >= 0 && box.x + box.width <= size.width && box.y + box.height <= size.height);
}

/**
 * With changes pending (the save bar stuck to the window's bottom), the window at its top and the
 * matrix at its first cell: wheels over the matrix, as a pointer would, until `user`'s row is drawn
 * and wholly between the app's top bar and the save bar (bounding boxes), then clicks the cell of
 * `bucket` (a column in view at the left) in it there and expects its select to take focus (nothing lies over it).
 */
async function wheelToLastRow(page: Page, user: string, bucket: string): Promise<void> {
  await page.evaluate("window.scrollTo(0, 0)");
  const scroll = page.getByTestId("matrix-scroll");
  await scroll.evaluate((box) => box.scrollTo({ top: 0, left: 0 }));
  const bar = page.getByTestId("pending-changes");
  const [box, bar0] = [await scroll.boundingBox(), await bar.boundingBox()];
  assert.ok(box && bar0, "the matrix or the save bar is not on screen");
  await page.mouse.move(box.x + box.width / 2, Math.min(box.y + box.height / 2, bar0.y - 10));
  const cell = page.getByTestId(`cell-${user}-${bucket}`);
  const clear = async () => {
    const [c, b] = (await cell.count()) ? [await cell.boundingBox(), await bar.boundingBox()] : [null, null];
    // Within a pixel: positions are fractional (the bars sit on sub-pixel offsets).
    return c && b && c.y >= 57 && c.y + c.height <= b.y + 1 ? c : undefined;
  };
  let shown = await clear();
  // A notch at a time (120 px), as a wheel turns; the box scrolls to its end, then the page on.
  for (let notches = 0; !shown; notches++) {
    if (notches >= 200) {
      const [c, b] = [(await cell.count()) ? await cell.boundingBox() : null, await bar.boundingBox()];
      assert.fail(`${user}'s row is not wholly above the save bar after 200 wheel notches (cell ${JSON.stringify(c)}, save bar ${JSON.stringify(b)})`);
    }
    await page.mouse.wheel(0, 120);
    shown = await clear();
  }
  const x = shown.x + shown.width / 2;
  const y = shown.y + shown.height / 2;
  const hit = await page.evaluate(`document.querySelector('[data-testid="cell-${user}-${bucket}"]')?.contains(document.elementFromPoint(${x}, ${y})) ?? false`);
  assert.equal(hit, true, `something lies over ${user}'s cell of ${bucket} at its centre`);
  await page.mouse.click(x, y);
  assert.equal(await page.evaluate("document.activeElement?.dataset.testid"), `access-${user}-${bucket}`, "a click on the last row's cell did not reach its select");
  await page.keyboard.press("Escape");
}

export const scenarios: BrowserScenario[] = [
  {
    name: "bob edits two users one at a time and saves them as one PATCH each; a save by alice meanwhile keeps his draft; carol sees the result read-only",
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
      await setUp(bob, url, "/users", { name: u2, description: `Uploads from Acme ${suffix}`, permissions: [] });
      await openTab(bob, "users");
      await waitForUserStatus(bob, u1, "ready");
      await waitForUserStatus(bob, u2, "ready");

      const patches: { user: string; body: { permissions?: Grant[] } }[] = [];
      bob.on("request", (r) => {
        if (r.method() === "PATCH" && r.url().includes("/users/")) {
          patches.push({ user: decodeURIComponent(r.url().split("/users/")[1] ?? ""), body: r.postDataJSON() });
        }
      });

      await openTab(bob, "permissions");
      await pickUser(bob, u1);
      // Read and Write are two toggles: only Write is write, both is read-write.
      await bob.getByTestId(`write-${u1}-${b1}`).check();
      await bob.getByTestId(`read-${u1}-${b1}`).uncheck();
      await bob.getByTestId("bucket-search").fill(b2);
      assert.equal(await bob.getByTestId(`grant-row-${b1}`).count(), 0, "the bucket search kept another bucket");
      await bob.getByTestId(`read-${u1}-${b2}`).check();
      await bob.getByTestId(`write-${u1}-${b2}`).check();
      await bob.getByTestId(`prefix-${u1}-${b2}`).fill("incoming/");
      await bob.getByTestId("bucket-search").fill("");

      // The other user is found by its description and edited with the keyboard alone.
      await bob.getByTestId("user-search").fill(`acme ${suffix}`);
      await bob.getByTestId(`pick-${u2}`).focus();
      await bob.keyboard.press("Enter");
      await bob.locator(`[data-testid="user-grants"][data-user="${u2}"]`).waitFor();
      await bob.getByTestId(`read-${u2}-${b2}`).focus();
      await bob.keyboard.press("Space");
      assert.equal(await bob.getByTestId(`read-${u2}-${b2}`).isChecked(), true, "Space did not grant read");
      assert.equal(patches.length, 0, "an edit was sent before saving");

      const pending = bob.getByTestId("pending-changes");
      await pending.getByTestId(`pending-${u1}`).waitFor();
      await pending.getByTestId(`pending-${u2}`).waitFor();
      assert.equal(await bob.getByTestId("tab-permissions").getByText("2 unsaved").count(), 1);
      await bob.getByTestId("show-changed").click();
      assert.deepEqual(await bob.getByTestId("grant-list").locator("[data-testid^=grant-row-]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-testid"))), [`grant-row-${b2}`]);

      await bob.getByTestId(`prefix-${u2}-${b2}`).fill("no*wildcards");
      await bob.getByTestId(`grant-row-${b2}`).getByText("no * or ?").waitFor();
      assert.equal(await bob.getByTestId("save-permissions").isDisabled(), true, "save allowed with an invalid folder");
      await screenshot(bob, "grants-invalid-prefix");
      await bob.getByTestId(`prefix-${u2}-${b2}`).fill("");

      // Alice saves another change to the first user meanwhile: bob's draft stays, and says so.
      const alice = await signedIn("alice@example.com");
      const other = await apiCall(alice, url, "PATCH", `/api/projects/demo/users/${u1}`, { permissions: [{ bucket: b1, access: "readwrite" }] });
      assert.equal(other.status(), 202, await other.text());
      await pickUser(bob, u1);
      await bob.getByText("Changed by someone else since you started").waitFor();
      assert.equal(await bob.getByTestId(`write-${u1}-${b1}`).isChecked(), true);
      assert.equal(await bob.getByTestId(`read-${u1}-${b1}`).isChecked(), false, "a live frame overwrote bob's draft");
      await bob.getByTestId(`grants-lock-${u1}`).waitFor({ state: "detached" });
      await expectAccessible(bob, "one user's grants with unsaved changes");
      await screenshot(bob, "grants-pending");

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
      assert.equal(Object.keys(sent[u2] ?? {}).includes("description"), false, "more than permissions was sent");

      // The grants take edits again once their PATCH answered, showing what was saved.
      await bob.getByTestId("show-all").click();
      assert.equal(await bob.getByTestId(`write-${u1}-${b1}`).isChecked(), true);
      assert.equal(await bob.getByTestId(`read-${u1}-${b1}`).isChecked(), false);
      assert.equal(await bob.getByTestId(`prefix-${u1}-${b2}`).inputValue(), "incoming/");
      await screenshot(bob, "grants-saved");

      const carol = await signedIn("carol@example.com");
      await openProject(carol, "demo");
      await openTab(carol, "permissions");
      await pickUser(carol, u1);
      await carol.getByTestId(`grant-row-${b2}`).getByText("incoming/").waitFor();
      assert.equal(await carol.getByTestId("user-grants").locator("input[type=checkbox], input[type=text]").count(), 0, "a viewer got controls");
      await carol.getByTestId("layout-matrix").click();
      // Only the rows and columns in view are drawn: in a project with many (the whole suite's), find them by name.
      await carol.getByTestId("matrix-filter-user").fill(u1);
      await carol.getByTestId("matrix-filter-bucket").fill(b2);
      await carol.getByTestId(`cell-${u1}-${b2}`).getByText("incoming/").waitFor();
      assert.equal(await carol.getByTestId("permission-matrix").locator("select, input").count(), 0, "a viewer got matrix controls");
      assert.equal(await carol.getByTestId("pending-changes").count(), 0);
      await expectAccessible(carol, "permission matrix, read only");
      await screenshot(carol, "matrix-viewer");
    },
  },
  {
    name: "the compact matrix keeps its header and user column in place, draws only the rows in view, and shares the draft with the user view",
    async run({ url, signedIn, screenshot }) {
      const bob = await signedIn("bob@example.com", { viewport: { width: 1280, height: 800 } });
      await openProject(bob, "demo");
      const run = Date.now().toString(36).slice(-5);
      const buckets = Array.from({ length: 8 }, (_, i) => `grid-${run}-${i}`);
      for (const name of buckets) await setUp(bob, url, "/buckets", { name });
      for (const name of buckets) await waitForStatus(bob, name, "ready");
      const users = Array.from({ length: 40 }, (_, i) => `grid-${run}-${String(i).padStart(2, "0")}`);
      await Promise.all(users.map((name, i) => setUp(bob, url, "/users", { name, permissions: [{ bucket: buckets[i % 8] ?? "", access: "read" }] })));
      await openTab(bob, "users");
      await waitForUserStatus(bob, users[39] ?? "", "ready");

      await openTab(bob, "permissions");
      await bob.getByTestId("layout-matrix").click();
      await bob.getByTestId("matrix-filter-user").fill(`grid-${run}`);
      await bob.getByTestId("matrix-filter-bucket").fill(`grid-${run}`);
      const scroll = bob.getByTestId("matrix-scroll");
      const matrix = bob.getByTestId("permission-matrix");
      assert.equal(await matrix.getAttribute("aria-rowcount"), "41");
      const drawn = await matrix.locator("tbody tr[data-testid^=matrix-row-]").count();
      assert.ok(drawn > 5 && drawn < 40, `${drawn} of 40 rows drawn`);

      const head = bob.locator("thead th").nth(1);
      const y0 = (await head.boundingBox())?.y;
      const row0 = bob.getByTestId(`matrix-row-${users[0]}`).locator("th");
      const x0 = (await row0.boundingBox())?.x;
      await scroll.evaluate((box) => box.scrollTo({ top: box.scrollHeight, left: box.scrollWidth }));
      const last = bob.getByTestId(`matrix-row-${users[39]}`);
      await last.waitFor();
      assert.equal((await head.boundingBox())?.y, y0, "the header row scrolled away");
      assert.equal((await last.locator("th").boundingBox())?.x, x0, "the user column moved with the scroll");
      assert.equal(await bob.getByTestId(`matrix-row-${users[0]}`).count(), 0, "rows out of view are still drawn");

      // The last user reads the last bucket (i % 8): make it read-write in its cell.
      await bob.getByTestId(`access-${users[39]}-${buckets[7]}`).selectOption("readwrite");
      assert.ok(await inWindow(bob, "save-permissions"), "Save is not in the window after a change");
      await screenshot(bob, "matrix-scrolled-with-change");
      await expectAccessible(bob, "permission matrix with a change");
      // The save bar leaves the last row in reach, on this screen and a phone's.
      await wheelToLastRow(bob, users[39] ?? "", buckets[0] ?? "");
      await bob.setViewportSize({ width: 390, height: 844 });
      await wheelToLastRow(bob, users[39] ?? "", buckets[0] ?? "");
      await screenshot(bob, "matrix last row above the save bar at 390 px");
      await bob.setViewportSize({ width: 1280, height: 800 });
      // axe and the wheel moved the matrix; back to the last row.
      await scroll.evaluate((box) => box.scrollTo({ top: box.scrollHeight }));

      // Keyboard: the user's name opens their grants, where the same draft shows.
      await bob.getByTestId(`matrix-user-${users[39]}`).focus();
      await bob.keyboard.press("Enter");
      await bob.locator(`[data-testid="user-grants"][data-user="${users[39]}"]`).waitFor();
      assert.equal(await bob.getByTestId(`read-${users[39]}-${buckets[7]}`).isChecked(), true);
      assert.equal(await bob.getByTestId(`write-${users[39]}-${buckets[7]}`).isChecked(), true);
      // The picker's arrow keys move to the next user.
      await bob.getByTestId("user-search").fill(`grid-${run}`);
      await bob.getByTestId(`pick-${users[0]}`).focus();
      await bob.keyboard.press("ArrowDown");
      await bob.locator(`[data-testid="user-grants"][data-user="${users[1]}"]`).waitFor();
      assert.equal(await bob.evaluate("document.activeElement?.dataset.name"), users[1]);
      await bob.keyboard.press("End");
      await bob.locator(`[data-testid="user-grants"][data-user="${users[39]}"]`).waitFor();
      assert.equal(await bob.evaluate("document.activeElement?.dataset.name"), users[39]);
      await bob.getByRole("button", { name: "Discard all" }).click();
      await bob.getByTestId("pending-changes").getByText("No unsaved changes").waitFor();
    },
  },
  {
    name: "at 390 px the user list, one user's grants, the matrix and the save bar fit the width and every control is a touch target",
    async run({ url, signedIn, screenshot }) {
      for (const colorScheme of ["light", "dark"] as const) {
        const phone = await signedIn("bob@example.com", { viewport: { width: 390, height: 844 }, colorScheme });
        await openProject(phone, "demo");
        const bucket = uniqueBucketName("phone");
        await setUp(phone, url, "/buckets", { name: bucket });
        await waitForStatus(phone, bucket, "ready");
        const user = `phone-${Date.now().toString(36)}`;
        await setUp(phone, url, "/users", { name: user, permissions: [{ bucket, access: "read" }] });
        await openTab(phone, "users");
        await waitForUserStatus(phone, user, "ready");

        await openTab(phone, "permissions");
        const panel = phone.getByTestId("permissions-view");
        const fits = () => panel.evaluate((el) => el.scrollWidth <= el.clientWidth && el.getBoundingClientRect().right <= (el.ownerDocument.defaultView?.innerWidth ?? 0));
        await pickUser(phone, user);
        const toggle = await phone.getByTestId(`write-${user}-${bucket}`).locator("xpath=..").boundingBox();
        assert.ok(toggle && toggle.height >= 44, `the Write toggle is ${toggle?.height} px tall`);
        await phone.getByTestId("bucket-search").fill(bucket);
        await phone.getByTestId(`write-${user}-${bucket}`).check();
        assert.ok(await fits(), "the grants overflow the panel or the window");
        assert.ok(await inWindow(phone, "save-permissions"), "Save is not reachable in the window");
        const save = await phone.getByTestId("save-permissions").boundingBox();
        assert.ok(save && save.height >= 44, `Save is ${save?.height} px tall`);
        await expectAccessible(phone, "grants at 390 px");
        await screenshot(phone, `${colorScheme} grants at 390 px`);

        await phone.getByTestId("layout-matrix").click();
        await phone.getByTestId("matrix-filter-user").fill(user);
        await phone.getByTestId("matrix-filter-bucket").fill(bucket);
        const select = await phone.getByTestId(`access-${user}-${bucket}`).boundingBox();
        assert.ok(select && select.height >= 44, `a matrix select is ${select?.height} px tall`);
        assert.ok(await fits(), "the matrix widens the panel or the window");
        await expectAccessible(phone, "matrix at 390 px");
        await screenshot(phone, `${colorScheme} matrix at 390 px`);
        await phone.getByRole("button", { name: "Discard all" }).click();
      }
    },
  },
];
