// What the budget scenarios measure in Chromium with the Performance APIs: long tasks, total blocking time, the moment a page became usable, a keystroke's or a click's time to the next painted frame, each printed beside its budget.
import type { Page } from "playwright-core";
import * as z from "zod";

/**
 * Installed before any page script (`page.addInitScript`): records every long task (> 50 ms on
 * the main thread) and, on request, the time from an input event to the first frame painted after it.
 */
export const PERF_PROBE = `
  window.__perf = { longtasks: [] };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__perf.longtasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: "longtask", buffered: true });
  /** Resolves with the time the first frame after the selector's element exists was painted. */
  window.__paintedWhen = (test) => new Promise((resolve) => {
    const tick = () => (test() ? requestAnimationFrame(() => setTimeout(() => resolve(performance.now()))) : requestAnimationFrame(tick));
    tick();
  });
`;

const LongTasks = z.array(z.object({ start: z.number(), duration: z.number() }));
export type LongTask = z.infer<typeof LongTasks>[number];

export const longTasks = async (page: Page): Promise<LongTask[]> => LongTasks.parse(await page.evaluate("window.__perf.longtasks"));

/** Total blocking time between `from` and `to`: what each long task spent past 50 ms. */
export const blocking = (tasks: readonly LongTask[], from: number, to: number): number =>
  tasks.filter((t) => t.start >= from && t.start < to).reduce((sum, t) => sum + Math.max(0, t.duration - 50), 0);

/** The first moment at or after `t` that is not inside a long task (input waits for a running task). */
function freeAfter(tasks: readonly LongTask[], t: number): number {
  let at = t;
  for (const task of [...tasks].sort((a, b) => a.start - b.start)) {
    if (task.start <= at && task.start + task.duration > at) at = task.start + task.duration;
  }
  return at;
}

/** The page's clock now (ms since its navigation started). */
export const pageNow = async (page: Page): Promise<number> => z.number().parse(await page.evaluate("performance.now()"));

/** Resolves with the time of the first frame painted once the page-side `test` (a JS expression) holds. */
export async function paintedWhen(page: Page, test: string): Promise<number> {
  return z.number().parse(await page.evaluate(`window.__paintedWhen(() => ${test})`));
}

/**
 * When the page became usable (the first moment after `contentAt` outside a long task), once the
 * second after it, which total blocking time counts, has passed on the page's own clock: that
 * second is part of the measure, so it is waited for, and no longer.
 */
export async function usableAt(page: Page, contentAt: number): Promise<number> {
  for (;;) {
    const usable = freeAfter(await longTasks(page), contentAt);
    if ((await pageNow(page)) >= usable + 1_000) return usable;
    // A function, not a string: the app's CSP forbids eval, which a string predicate needs. Polled
    // on a timer, not on animation frames, which a page the suite is not showing may not get.
    await page.waitForFunction((end) => performance.now() >= end, usable + 1_000, { polling: 100, timeout: 10_000 });
  }
}

/** Types `text` into the field one key at a time; per key, the time from its keydown to the first frame painted after it. */
export async function keystrokes(page: Page, testid: string, text: string): Promise<number[]> {
  await page.getByTestId(testid).focus();
  const times: number[] = [];
  for (const key of text) times.push(await keyToPaint(page, key));
  return times;
}

/** Presses `key` (on whatever has focus) and answers the time from its keydown to the first frame painted after it. */
export async function keyToPaint(page: Page, key: string): Promise<number> {
  await page.evaluate(`void (window.__perf.keystroke = new Promise((resolve) => document.addEventListener("keydown", (e) => {
    const at = e.timeStamp;
    requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - at)));
  }, { capture: true, once: true })))`);
  await page.keyboard.press(key);
  return z.number().parse(await page.evaluate("window.__perf.keystroke"));
}

/** From a click on the element with test id `click` to the first frame painted with `selector` visible. */
export async function clickToPaint(page: Page, click: string, selector: string): Promise<number> {
  await page.evaluate(`document.addEventListener("click", (e) => (window.__perf.clickAt = e.timeStamp), { capture: true, once: true })`);
  const painted = paintedWhen(page, `document.querySelector('${selector}')?.checkVisibility()`);
  await page.getByTestId(click).click();
  const at = await painted;
  return at - z.number().parse(await page.evaluate("window.__perf.clickAt"));
}

/** Runs `work` at most `limit` at a time. */
export async function pooled<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const item = items[next++];
        if (item !== undefined) await work(item);
      }
    }),
  );
}

export const ms = (v: number): string => `${Math.round(v)} ms`;

/** Met within the budget; past it, whether it is still short of the bound where the scenario fails. */
export const verdict = (v: number, budget: number, failAt: number): string => (v <= budget ? "met" : v <= failAt ? "NOT met (short of the failing bound)" : "NOT met");

/** What loading the project page cost, on the page's own clock. */
export interface ProjectLoad {
  /** When the Buckets tab showed the whole count and its first row, live. */
  contentAt: number;
  usable: number;
  tasks: LongTask[];
  blocking: number;
  /** Elements on the page once usable. */
  nodes: number;
}

/**
 * Opens the demo project twice on a new page with the probe (once to warm the dev server, which
 * compiles the page's modules on the first load; then measured) and answers the second load's
 * figures. The Buckets tab draws its rows a screenful at a time: content is the whole `bucketCount`
 * and the row of `firstBucket`, with the live connection up.
 */
export async function measureProjectLoad(page: Page, url: string, firstBucket: string, bucketCount: number): Promise<ProjectLoad> {
  await page.addInitScript(PERF_PROBE);
  await page.goto(`${url}/projects/demo`);
  // Not measured; slow on a busy machine.
  await page.locator('[data-testid="connection"][data-status="live"]').waitFor({ timeout: 60_000 });
  await page.goto(`${url}/projects/demo`);
  const contentAt = await paintedWhen(
    page,
    `document.querySelector('[data-testid="buckets-count"]')?.textContent?.trim() === "${bucketCount}" && document.querySelector('[data-testid="bucket-${firstBucket}"]') && document.querySelector('[data-testid="connection"][data-status="live"]')`,
  );
  const usable = await usableAt(page, contentAt);
  const tasks = await longTasks(page);
  const nodes = z.number().parse(await page.evaluate("document.getElementsByTagName('*').length"));
  return { contentAt, usable, tasks, blocking: blocking(tasks, 0, usable + 1_000), nodes };
}
