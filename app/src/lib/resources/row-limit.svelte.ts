import { untrack } from "svelte";

/**
 * How many rows a long list draws. A page at first and a page more per "Show more", so a
 * project of hundreds opens and filters at the cost of a page (a row is a few dozen elements and
 * components); a search narrows what is drawn to its matches, so any row is a search away. Each
 * new search (and the first load) draws a screenful at once and the rest of the page a few rows
 * at a time in the next tasks, so a keystroke repaints within a frame or two, not after 100 rows.
 */
export const ROWS_PER_PAGE = 100;
/** The window's height when there is none to read (tests): a laptop's. */
const FALLBACK_HEIGHT = 900;

/**
 * Rows drawn at once after a new search, and per task after that, for rows at least `rowHeight`
 * pixels tall: a screenful of the window (one more for a row cut at the bottom), and half of one.
 * A keystroke that replaces every match creates only what can be seen; each later task stays well
 * under a long task (50 ms) however heavy the row.
 */
export function screenful(rowHeight: number, windowHeight: number): { first: number; step: number } {
  const first = Math.max(1, Math.ceil(windowHeight / Math.max(1, rowHeight)) + 1);
  return { first, step: Math.ceil(first / 2) };
}

/** How many leading rows of `next` are in `before`: those stay on screen through a search, the rest come a screenful at a time. */
export function keptRows(before: readonly unknown[], next: readonly unknown[]): number {
  const was = new Set(before);
  let kept = 0;
  for (const row of next) {
    if (!was.has(row)) break;
    kept++;
  }
  return kept;
}

export class RowLimit {
  /** Rows the manager asked to see: a page, and a page more per "Show more". */
  limit = $state(ROWS_PER_PAGE);
  /** Rows drawn so far, growing toward the limit. */
  drawn = $state(0);
  readonly #first: number;
  readonly #step: number;
  /** The rows on screen once the last update was drawn (not state: what the next search is compared with). */
  #onScreen: readonly unknown[] = [];

  /**
   * Call while the component initialises. `rows`: the list's rows (filtered); `query`: reads
   * every field of the search, whose change draws a screenful first again; `rowHeight`: the
   * least height of one row on a wide screen, in pixels.
   */
  constructor(rows: () => readonly unknown[], query: () => unknown, rowHeight: number) {
    const size = screenful(rowHeight, typeof window === "undefined" ? FALLBACK_HEIGHT : window.innerHeight);
    this.#first = size.first;
    this.#step = size.step;
    this.drawn = size.first;
    $effect.pre(() => {
      query();
      // Rows already on screen stay (a search that keeps the first rows removes nothing); new ones come a screenful at a time.
      this.drawn = Math.max(this.#first, keptRows(this.#onScreen, untrack(rows)));
    });
    // Recorded from the rows themselves, not from what a list last asked `of` for: a list that
    // shows "no match" instead asks nothing, and a search from there must not count the rows it
    // drew before as still on screen (they would all come back in one task).
    $effect(() => {
      this.#onScreen = this.of(rows());
    });
    $effect(() => {
      const drawn = this.drawn;
      if (drawn >= Math.min(this.limit, rows().length)) return;
      // A timer, not an animation frame: a page in a tab not shown gets no frames, and its rows must still arrive.
      const timer = setTimeout(() => (this.drawn = Math.min(drawn + this.#step, this.limit)), 16);
      return () => clearTimeout(timer);
    });
  }

  /** The rows to draw now of `rows`. */
  of<T>(rows: readonly T[]): readonly T[] {
    const count = Math.min(this.limit, this.drawn);
    return rows.length > count ? rows.slice(0, count) : rows;
  }

  /** How many of `total` rows the list shows once drawn. */
  shown(total: number): number {
    return Math.min(this.limit, total);
  }

  more(): void {
    this.limit += ROWS_PER_PAGE;
  }

  /** Back to the first page (a list that starts over for another user or filter). */
  reset(): void {
    this.limit = ROWS_PER_PAGE;
  }
}
