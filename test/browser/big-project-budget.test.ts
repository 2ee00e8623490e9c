// Proves the project page holds issue 20's budget with 300 buckets and 300 users: seeded as real stacks straight in moto's CloudFormation (the real templates) and healed into the room through the ops resync, then measured in Chromium — time to a usable page, total blocking time, search keystrokes, opening each tab a manager opens, the matrix layout — and the Review search and keys that replace every match (no match, the matches back, cleared) in each search, and the matrix driven by real key presses to a cell far down and right, toggled there, with its sticky headers in place and its last row clear of the save bar.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import * as z from "zod";
import { cloudFormationClient, type CloudFormationClient } from "../../core/aws";
import { assumeRole } from "../../core/aws/sts";
import { bucketStackInput } from "../../core/bucket-template";
import { mapBounded } from "../../core/bounded";
import { ProjectRecord, ProjectView, type BucketSpec, type UserSpec } from "../../core/contract";
import { stackName } from "../../core/naming";
import { clientStackInput } from "../../core/stack-input";
import { userStackInput } from "../../core/user-template";
import { untilView, type BrowserScenario, type ScenarioEnv } from "./harness";
import { clickToPaint, keystrokes, keyToPaint, measureProjectLoad, ms, paintedWhen, verdict } from "./perf-probe";

const BUCKETS = 300;
const USERS = 300;
/** Issue 20's budget (and issue 17's for what issue 20 does not name), in ms. */
const BUDGET = { usable: 1_500, blocking: 300, keystroke: 50, openTab: 200, matrix: 200, key: 50 };
/**
 * Where the scenario fails: well past each budget, as in permission-budget (a shared 2-core
 * machine moves page loads by a second while neighbours run their suites; with a load average of 13
 * a keystroke that takes 30 ms took 235 ms). Numbers print either way. What it catches: tables that
 * draw every row (2.9 s usable and 0.7 s to open Users, idle) or a matrix that draws every cell.
 */
const FAIL_AT = { usable: 4_500, blocking: 1_200, keystroke: 300, openTab: 800, matrix: 800 };
/** CloudFormation calls in flight while seeding and removing (moto answers each in a few ms). */
const CFN_CONCURRENCY = 8;
const ACCESS = ["read", "write", "readwrite"] as const;

interface Seeded {
  cloudformation: CloudFormationClient;
  project: ProjectRecord;
  stacks: string[];
}

/** The project's record and a CloudFormation client acting in its account, as the room does. */
async function projectAccess(env: ScenarioEnv): Promise<Omit<Seeded, "stacks">> {
  const res = await fetch(`${env.apiUrl}/api/ops/projects`, { headers: { authorization: `Bearer ${env.opsToken}` } });
  assert.equal(res.status, 200, `GET /api/ops/projects: ${res.status}`);
  const projects = z.object({ projects: ProjectRecord.array() }).parse(await res.json()).projects;
  const project = projects.find((p) => p.id === "demo");
  assert.ok(project, "the demo project is not registered");
  const hub = { accessKeyId: "AKIASTACKROOMSCALE01", secretAccessKey: "scale" };
  const credentials = await assumeRole({ hubCredentials: hub, roleArn: project.roleArn, externalId: project.externalId, sessionName: "big-project", region: project.region, endpoint: env.motoEndpoint });
  return { project, cloudformation: cloudFormationClient({ region: project.region, credentials, endpoint: env.motoEndpoint }) };
}

/** One heal of the demo project through the ops resync: what the room learns of stacks made outside it. */
async function resync(env: ScenarioEnv, attempt = 1): Promise<number> {
  const res = await fetch(`${env.apiUrl}/api/ops/projects/demo/resync`, { method: "POST", headers: { authorization: `Bearer ${env.opsToken}`, "content-type": "application/json" }, body: "{}" });
  const body = await res.text();
  // wrangler dev's proxy answers this 503 when it loses the request to workerd (seen here while
  // others edited the tree during a run), whatever the heal's fate; a heal is safe to run again.
  if (res.status === 503 && body.includes("restarted mid-request") && attempt < 3) return resync(env, attempt + 1);
  assert.equal(res.status, 200, `resync: ${res.status} ${body}`);
  return z.object({ changed: z.number() }).parse(JSON.parse(body)).changed;
}

/**
 * Makes the buckets' and users' stacks straight in CloudFormation with the templates and tags
 * Stackroom writes (600 stacks through the API take minutes in moto; this takes seconds), and
 * heals them into the room. Each user reads, writes or both in 1–5 buckets; every tenth expires
 * in three days, so the Review tab has flags to show.
 */
async function seed({ project, cloudformation }: Seeded, buckets: readonly string[], users: readonly string[]): Promise<void> {
  const bucketSpec: BucketSpec = { versioning: true, encryption: "s3", expireAfterDays: null };
  const userSpec = (i: number): UserSpec => ({
    description: `Partner ${i} uploads`,
    permissions: Array.from({ length: (i % 5) + 1 }, (_, k) => ({ bucket: buckets[(i * 7 + k * 13) % buckets.length] ?? "", access: ACCESS[(i + k) % 3] ?? "read" })),
    expiresAt: i % 10 === 0 ? new Date(Date.now() + 3 * 86_400_000).toISOString() : null,
    sftp: null,
  });
  await mapBounded(buckets, CFN_CONCURRENCY, (name) => cloudformation.createStack(clientStackInput(bucketStackInput(project, name, bucketSpec))));
  await mapBounded([...users.entries()], CFN_CONCURRENCY, ([i, name]) => cloudformation.createStack(clientStackInput(userStackInput(project, name, userSpec(i)))));
}

/** Deletes the scenario's stacks in CloudFormation (those never made too: CloudFormation answers success) and heals again: the room forgets them, so later scenarios see the usual project. */
async function cleanUp(env: ScenarioEnv, page: Page, seeded: Seeded, names: ReadonlySet<string>): Promise<void> {
  await mapBounded(seeded.stacks, CFN_CONCURRENCY, (stack) => seeded.cloudformation.deleteStack({ stackName: stack }));
  await resync(env);
  // After forgetting 600 resources a read of the project can wait past a minute (seen on this
  // machine; reported to the lead, the Worker and room are not this scenario's): it is asked again.
  const deadline = Date.now() + 150_000;
  for (;;) {
    const asked = Date.now();
    const res = await page.request.get(`${env.url}/api/projects/demo`, { timeout: 30_000 }).catch(() => undefined);
    const view = res?.status() === 200 ? ProjectView.parse(await res.json()) : undefined;
    const activity = view ? await page.request.get(`${env.url}/api/projects/demo/activity`, { timeout: 30_000 }).catch(() => undefined) : undefined;
    // Done once the resources are gone and the project answers as quickly as usual again, so the
    // next scenario's page loads are not the ones that wait.
    if (view && activity?.status() === 200 && Date.now() - asked < 2_000 && ![...view.buckets, ...view.users].some((r) => names.has(r.name))) return;
    assert.ok(Date.now() < deadline, `the scenario's resources are still in the project 150 s after the heal${view ? "" : ` (last read: ${res ? res.status() : "no answer in 30 s"})`}`);
    await page.waitForTimeout(500);
  }
}

/** The matrix's scroll box and the bounding boxes of a cell, its column's header and its row's header, in page pixels. */
async function stickyBoxes(page: Page, user: string, bucket: string) {
  const box = async (selector: string) => {
    const found = await page.locator(selector).boundingBox();
    assert.ok(found, `${selector} is not on screen`);
    return found;
  };
  return {
    scroll: await box('[data-testid="matrix-scroll"]'),
    cell: await box(`[data-testid="cell-${user}-${bucket}"]`),
    column: await box(`[data-testid="matrix-head-${bucket}"]`),
    row: await box(`[data-testid="matrix-row-${user}"] th`),
  };
}

/**
 * Keys that replace every match of the search in `testid` (which holds a search matching a few
 * rows): a letter matching nothing, Backspace back to those rows, then the whole search cleared
 * (Ctrl+A selects, Backspace); per key, the time to its painted frame.
 */
async function replaceAllKeys(page: Page, testid: string): Promise<number[]> {
  await page.getByTestId(testid).focus();
  const times = [await keyToPaint(page, "q"), await keyToPaint(page, "Backspace")];
  await page.keyboard.press("Control+a");
  times.push(await keyToPaint(page, "Backspace"));
  assert.equal(await page.getByTestId(testid).inputValue(), "", `the search in ${testid} was not cleared`);
  return times;
}

/**
 * The cell of `user` and `bucket` lies wholly below its column's header and above the save bar
 * (within a pixel: the bars sit on sub-pixel offsets), and nothing lies over its centre: its box
 * and the save bar's.
 */
async function clearOfSaveBar(page: Page, user: string, bucket: string) {
  const box = async (selector: string) => {
    const found = await page.locator(selector).boundingBox();
    assert.ok(found, `${selector} is not on screen`);
    return found;
  };
  const cell = await box(`[data-testid="cell-${user}-${bucket}"]`);
  const head = await box(`[data-testid="matrix-head-${bucket}"]`);
  const bar = await box('[data-testid="pending-changes"]');
  assert.ok(cell.y + cell.height <= bar.y + 1, `the last row is under the save bar (row bottom ${cell.y + cell.height}, bar top ${bar.y})`);
  assert.ok(cell.y >= head.y + head.height - 1, `the last row is under the column headers (row top ${cell.y}, header bottom ${head.y + head.height})`);
  const hit = await page.evaluate(`document.querySelector('[data-testid="cell-${user}-${bucket}"]')?.contains(document.elementFromPoint(${cell.x + cell.width / 2}, ${cell.y + cell.height / 2})) ?? false`);
  assert.equal(hit, true, "something lies over the last row's cell");
  return { cell, bar };
}

export const scenarios: BrowserScenario[] = [
  {
    name: "with 300 buckets and 300 users the page is usable, searches, tabs and the matrix answer within budget and the matrix works from the keyboard",
    // Seeding and removing 600 stacks in moto and two heals take one to four minutes (the machine is shared); the measures have their own budgets.
    timeoutSeconds: 420,
    async run(env) {
      const { url, signedIn, screenshot } = env;
      const bob = await signedIn("bob@example.com");
      const run = Date.now().toString(36).slice(-4);
      // "zz-": the app lists resources by name, and scenarios running beside this one add their own
      // users and buckets to the project; these sort after all of them, so the matrix's last cell
      // (Ctrl+End) is this scenario's last user and bucket whatever the others made meanwhile.
      const buckets = Array.from({ length: BUCKETS }, (_, i) => `zz-big-${run}-${String(i).padStart(3, "0")}`);
      const users = Array.from({ length: USERS }, (_, i) => `zz-member-${run}-${String(i).padStart(3, "0")}`);
      const names = new Set([...buckets, ...users]);
      const t0 = Date.now();
      const access = await projectAccess(env);
      const seeded: Seeded = {
        ...access,
        stacks: [...buckets.map((b) => stackName(access.project.id, "bucket", b)), ...users.map((u) => stackName(access.project.id, "user", u))],
      };
      let page: Page | undefined;
      let failed = false;
      try {
        await seed(seeded, buckets, users);
        const madeAt = Date.now();
        const healed = await resync(env);
        const healedAt = Date.now();
        const view = await untilView(
          bob,
          url,
          (v) => ([...v.buckets, ...v.users].filter((r) => names.has(r.name) && r.status === "ready").length === names.size ? v : undefined),
          `not all ${names.size} resources ready in the room`,
          60_000,
        );
        console.log(
          `      seeded ${BUCKETS} bucket and ${USERS} user stacks in moto in ${((madeAt - t0) / 1000).toFixed(1)} s, healed into the room in ${((healedAt - madeAt) / 1000).toFixed(1)} s (${healed} changed); the project has ${view.buckets.length} buckets and ${view.users.length} users`,
        );

        page = await bob.context().newPage();
        const { contentAt, usable, tasks: loadTasks, blocking: loadBlocking, nodes } = await measureProjectLoad(page, url, buckets[0] ?? "", view.buckets.length);
        await screenshot(page, "buckets at 300 x 300");

        // The Buckets tab's search: one key at a time, each to its painted frame.
        const bucketTableKeys = await keystrokes(page, "bucket-filter-text", `${run}-29`);
        await page.getByTestId(`bucket-${buckets[299]}`).waitFor();
        assert.equal(await page.getByTestId(`bucket-${buckets[199]}`).count(), 0, "the Buckets search did not narrow the table");
        // Keys that replace every row drawn: no match at all, the matches again, every bucket.
        const bucketTableSwaps = await replaceAllKeys(page, "bucket-filter-text");
        await page.getByTestId(`bucket-${buckets[0]}`).waitFor();

        // Every tab a manager opens, from the click to the first frame showing it.
        const openUsers = await clickToPaint(page, "tab-users", `[data-testid="user-${users[0]}"]`);
        const usersNodes = z.number().parse(await page.evaluate(`document.querySelector("#panel-users")?.getElementsByTagName("*").length ?? 0`));
        await screenshot(page, "users at 300 x 300");
        const userTableKeys = await keystrokes(page, "user-filter-text", `${run}-29`);
        await page.getByTestId(`user-${users[299]}`).waitFor();
        assert.equal(await page.getByTestId(`user-${users[199]}`).count(), 0, "the Users search did not narrow the table");
        const userTableSwaps = await replaceAllKeys(page, "user-filter-text");
        await page.getByTestId(`user-${users[0]}`).waitFor();

        const openReview = await clickToPaint(page, "tab-review", `[data-testid="review-user-${users[0]}"]`);
        const reviewNodes = z.number().parse(await page.evaluate(`document.querySelector("#panel-review")?.getElementsByTagName("*").length ?? 0`));
        await screenshot(page, "review at 300 x 300");
        const reviewKeys = await keystrokes(page, "review-search", `${run}-29`);
        await page.getByTestId(`review-user-${users[299]}`).waitFor();
        assert.equal(await page.getByTestId(`review-user-${users[199]}`).count(), 0, "the Review search did not narrow the list");
        const reviewSwaps = await replaceAllKeys(page, "review-search");
        await page.getByTestId(`review-user-${users[0]}`).waitFor();

        const openMembers = await clickToPaint(page, "tab-members", '[data-testid="member-list"]');

        // The activity feed beside every tab holds the heal's 600 lines: filtering it to users.
        await page.evaluate(`document.addEventListener("change", (e) => (window.__perf.changeAt = e.timeStamp), { capture: true, once: true })`);
        const filtered = paintedWhen(page, `document.querySelector('[data-testid="activity-entries"][data-filtered="true"][data-loaded="true"]')`);
        await page.getByTestId("activity-filter-kind").selectOption("user");
        const activityFilter = (await filtered) - z.number().parse(await page.evaluate("window.__perf.changeAt"));
        await screenshot(page, "activity filtered at 300 x 300");
        await page.getByTestId("activity-filter-clear").click();

        const openPermissions = await clickToPaint(page, "tab-permissions", '[data-testid="permissions-view"] [data-testid="grant-list"]');
        const permissionNodes = z.number().parse(await page.evaluate(`document.querySelector("#panel-permissions")?.getElementsByTagName("*").length ?? 0`));
        const bucketKeys = await keystrokes(page, "bucket-search", `${run}-29`);
        await page.getByTestId(`grant-row-${buckets[299]}`).waitFor();
        assert.equal(await page.getByTestId(`grant-row-${buckets[199]}`).count(), 0, "the Permissions bucket search did not narrow the list");
        const userKeys = await keystrokes(page, "user-search", `${run}-29`);
        await page.getByTestId(`pick-${users[299]}`).waitFor();
        assert.equal(await page.getByTestId(`pick-${users[199]}`).count(), 0, "the Permissions user search did not narrow the list");
        const userSwaps = await replaceAllKeys(page, "user-search");
        const bucketSwaps = await replaceAllKeys(page, "bucket-search");
        await screenshot(page, "permissions at 300 x 300");

        const matrix = await clickToPaint(page, "layout-matrix", '[data-testid="permission-matrix"]');
        const matrixNodes = z.number().parse(await page.evaluate(`document.querySelector('[data-testid="permission-matrix"]')?.getElementsByTagName("*").length ?? 0`));
        await screenshot(page, "matrix at 300 x 300");

        // The keyboard: into the matrix's first cell (whoever's it is: scenarios running beside this
        // one add users and buckets that sort before these), then arrow keys to a cell far down and right.
        const FOCUSED_AT = `(() => {
          const cell = document.activeElement?.closest("[aria-colindex]");
          return { row: Number(cell?.closest("tr[aria-rowindex]")?.getAttribute("aria-rowindex")), col: Number(cell?.getAttribute("aria-colindex")) };
        })()`;
        const Position = z.object({ row: z.number(), col: z.number() });
        await page.locator('[data-testid="permission-matrix"] tbody tr[aria-rowindex="2"] > [aria-colindex="2"] :is(select, button)').focus();
        const arrowTimes: number[] = [];
        for (let i = 0; i < 12; i++) arrowTimes.push(await keyToPaint(page, "ArrowDown"));
        for (let i = 0; i < 12; i++) arrowTimes.push(await keyToPaint(page, "ArrowRight"));
        assert.deepEqual(Position.parse(await page.evaluate(FOCUSED_AT)), { row: 14, col: 14 }, "arrow keys did not move through the matrix cell by cell");
        const endTime = await keyToPaint(page, "Control+End");
        const far = { user: users[USERS - 1] ?? "", bucket: buckets[BUCKETS - 1] ?? "" };
        const farId = `access-${far.user}-${far.bucket}`;
        assert.equal(await page.evaluate("document.activeElement?.dataset.testid"), farId, "Ctrl+End did not reach the last cell");
        for (let i = 0; i < 3; i++) arrowTimes.push(await keyToPaint(page, "ArrowUp"));
        for (let i = 0; i < 3; i++) arrowTimes.push(await keyToPaint(page, "ArrowLeft"));
        const target = { user: users[USERS - 4] ?? "", bucket: buckets[BUCKETS - 4] ?? "" };
        const targetId = `access-${target.user}-${target.bucket}`;
        assert.equal(await page.evaluate("document.activeElement?.dataset.testid"), targetId, "arrow keys from the last cell did not step back");
        const before = await page.getByTestId(targetId).inputValue();
        // A select takes a letter as the option starting with it: W for Write (R for Read if it already writes).
        const letter = before === "write" ? "r" : "w";
        await page.keyboard.press(letter);
        const after = letter === "w" ? "write" : "read";
        assert.equal(await page.getByTestId(targetId).inputValue(), after, "the key press did not change the cell");
        await page.locator(`[data-testid="cell-${target.user}-${target.bucket}"][data-changed]`).waitFor();
        // The headers stay in view: the column's header at the scroll box's top edge above the cell, the row's at its left edge.
        const boxes = await stickyBoxes(page, target.user, target.bucket);
        assert.ok(Math.abs(boxes.column.y - boxes.scroll.y) <= 2, `the column header is not at the top of the matrix (header y ${boxes.column.y}, box y ${boxes.scroll.y})`);
        assert.ok(Math.abs(boxes.row.x - boxes.scroll.x) <= 2, `the row header is not at the left of the matrix (header x ${boxes.row.x}, box x ${boxes.scroll.x})`);
        assert.ok(Math.abs(boxes.column.x - boxes.cell.x) <= 1 && Math.abs(boxes.row.y - boxes.cell.y) <= 1, "the headers are not in line with the cell");
        assert.ok(boxes.cell.y >= boxes.column.y + boxes.column.height - 1 && boxes.cell.x >= boxes.row.x + boxes.row.width - 1, "the cell is hidden under a header");
        // Tab leaves the matrix in one press (one tab stop), so the page after it stays reachable.
        await page.keyboard.press("Tab");
        const leftMatrix = z.boolean().parse(await page.evaluate(`!document.querySelector('[data-testid="permission-matrix"]')?.contains(document.activeElement)`));
        assert.ok(leftMatrix, "Tab did not leave the matrix");
        await page.keyboard.press("Shift+Tab");
        assert.equal(await page.evaluate("document.activeElement?.dataset.testid"), targetId, "Shift+Tab did not come back to the cell last used");
        // With the change pending the save bar sticks to the window's bottom: Ctrl+End brings the
        // last row wholly above it (the window scrolls too), and a click there reaches its cell.
        await page.keyboard.press("Control+End");
        const saveBar = await clearOfSaveBar(page, far.user, far.bucket);
        await page.mouse.click(saveBar.cell.x + saveBar.cell.width / 2, saveBar.cell.y + saveBar.cell.height / 2);
        assert.equal(await page.evaluate("document.activeElement?.dataset.testid"), farId, "a click on the last row's cell did not reach its select");
        await page.keyboard.press("Escape");
        for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowUp");
        for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowLeft");
        assert.equal(await page.evaluate("document.activeElement?.dataset.testid"), targetId, "arrow keys from the last cell did not step back");
        // Undo the change with the keyboard (the draft is not saved).
        await page.keyboard.press(before === "none" ? "n" : before === "read" ? "r" : "w");
        assert.equal(await page.getByTestId(targetId).inputValue(), before, "the key press did not change the cell back");
        // A full-page screenshot resizes the window (and so the matrix): taken once the keys are checked.
        await screenshot(page, "matrix far cell reached by keyboard");

        const slowest = (keys: number[]) => Math.max(...keys);
        const searchKeys = [...bucketTableKeys, ...userTableKeys, ...reviewKeys, ...bucketKeys, ...userKeys];
        const swapKeys = [...bucketTableSwaps, ...userTableSwaps, ...reviewSwaps, ...bucketSwaps, ...userSwaps];
        const slowestArrow = Math.max(...arrowTimes, endTime);
        const row = (label: string, v: number, budget: number, failAt: number, more = "") => `      ${label.padEnd(34)}${ms(v)}${more} — budget ${ms(budget)} — ${verdict(v, budget, failAt)}`;
        console.log(row("page usable:", usable, BUDGET.usable, FAIL_AT.usable, ` (content painted ${ms(contentAt)})`));
        console.log(row("total blocking while loading:", loadBlocking, BUDGET.blocking, FAIL_AT.blocking, ` over ${loadTasks.length} long tasks`));
        console.log(row("search keystroke, Buckets tab:", slowest(bucketTableKeys), BUDGET.keystroke, FAIL_AT.keystroke, ` slowest (${bucketTableKeys.map(Math.round).join(", ")})`));
        console.log(row("search keystroke, Users tab:", slowest(userTableKeys), BUDGET.keystroke, FAIL_AT.keystroke, ` slowest (${userTableKeys.map(Math.round).join(", ")})`));
        console.log(row("search keystroke, Review tab:", slowest(reviewKeys), BUDGET.keystroke, FAIL_AT.keystroke, ` slowest (${reviewKeys.map(Math.round).join(", ")})`));
        console.log(row("search keystroke, Permissions buckets:", slowest(bucketKeys), BUDGET.keystroke, FAIL_AT.keystroke, ` slowest (${bucketKeys.map(Math.round).join(", ")})`));
        console.log(row("search keystroke, Permissions users:", slowest(userKeys), BUDGET.keystroke, FAIL_AT.keystroke, ` slowest (${userKeys.map(Math.round).join(", ")})`));
        // No match, the matches back, search cleared: each key replaces every row drawn.
        for (const [where, keys] of [["Buckets tab", bucketTableSwaps], ["Users tab", userTableSwaps], ["Review tab", reviewSwaps], ["Permissions buckets", bucketSwaps], ["Permissions users", userSwaps]] as const) {
          console.log(row(`replace-all keys, ${where}:`, slowest(keys), BUDGET.keystroke, FAIL_AT.keystroke, ` slowest (none ${Math.round(keys[0] ?? 0)}, back ${Math.round(keys[1] ?? 0)}, cleared ${Math.round(keys[2] ?? 0)})`));
        }
        console.log(row("open Users:", openUsers, BUDGET.openTab, FAIL_AT.openTab, ` (${usersNodes} elements)`));
        console.log(row("open Review:", openReview, BUDGET.openTab, FAIL_AT.openTab, ` (${reviewNodes} elements)`));
        console.log(row("open Members:", openMembers, BUDGET.openTab, FAIL_AT.openTab));
        console.log(row("Activity filtered to users:", activityFilter, BUDGET.openTab, FAIL_AT.openTab));
        console.log(row("open Permissions:", openPermissions, BUDGET.openTab, FAIL_AT.openTab, ` (${permissionNodes} elements)`));
        console.log(row("matrix layout switch:", matrix, BUDGET.matrix, FAIL_AT.matrix, ` (${matrixNodes} elements for ${USERS} × ${BUCKETS})`));
        console.log(`      matrix arrow key / Ctrl+End:      ${ms(slowestArrow)} slowest of ${arrowTimes.length + 1} (${arrowTimes.map(Math.round).join(", ")}; Ctrl+End ${ms(endTime)}) — not budgeted (issue 20 asks that the keyboard works; ${ms(BUDGET.key)} would be a keystroke's)`);
        console.log(`      DOM: ${nodes} elements on the Buckets tab; matrix headers sticky at the far cell (column header y ${Math.round(boxes.column.y)} = box ${Math.round(boxes.scroll.y)}, row header x ${Math.round(boxes.row.x)} = box ${Math.round(boxes.scroll.x)}); with a change pending the last row ends at y ${Math.round(saveBar.cell.y + saveBar.cell.height)}, above the save bar at ${Math.round(saveBar.bar.y)}`);
        assert.ok(usable <= FAIL_AT.usable, `page usable after ${ms(usable)}`);
        assert.ok(loadBlocking <= FAIL_AT.blocking, `total blocking time ${ms(loadBlocking)}`);
        assert.ok(slowest(searchKeys) <= FAIL_AT.keystroke, `a search keystroke took ${ms(slowest(searchKeys))}`);
        assert.ok(slowest(swapKeys) <= FAIL_AT.keystroke, `a keystroke replacing every match took ${ms(slowest(swapKeys))}`);
        for (const [what, v] of [["Users", openUsers], ["Review", openReview], ["Members", openMembers], ["Activity filter", activityFilter], ["Permissions", openPermissions]] as const) {
          assert.ok(v <= FAIL_AT.openTab, `${what} opened in ${ms(v)}`);
        }
        assert.ok(matrix <= FAIL_AT.matrix, `the matrix layout took ${ms(matrix)}`);
      } catch (err) {
        failed = true;
        // The runner's failure screenshots come after the clean-up below, which closes this page.
        if (page) await screenshot(page, "failure").catch(() => undefined);
        throw err;
      } finally {
        // Its live socket would take the clean-up's 600 frames.
        await page?.close();
        // A clean-up that fails after the scenario failed must not hide why it failed.
        await cleanUp(env, bob, seeded, names).catch((err: unknown) => {
          if (!failed) throw err;
          console.log(`      the clean-up failed too: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
        });
      }
    },
  },
];
