/**
 * How many rows a resource table draws. A page at first and a page more per "Show more", so a
 * project of hundreds opens and filters at the cost of a page (a row is a few dozen elements and
 * components); a search narrows what is drawn to its matches, so any row is a search away. Each
 * new search (and the first load) draws a screenful at once and the rest of the page a few rows
 * at a time in the next tasks, so a keystroke repaints within a frame or two, not after 100 rows.
 */
export const ROWS_PER_PAGE = 100;
/** Rows drawn at once after a new search: more than a screenful. */
const FIRST_ROWS = 20;
/** Rows added per task until the page is drawn: each task stays well under a long task (50 ms). */
const STEP_ROWS = 10;

import { untrack } from "svelte";

export class RowLimit {
  /** Rows the manager asked to see: a page, and a page more per "Show more". */
  limit = $state(ROWS_PER_PAGE);
  /** Rows drawn so far, growing toward the limit. */
  drawn = $state(FIRST_ROWS);
  /** The rows last drawn (not state: a record for the next search). */
  #last: readonly unknown[] = [];

  /**
   * Call while the component initialises. `rows`: the table's rows (filtered); `query`: reads
   * every field of the search, whose change draws a screenful first again.
   */
  constructor(rows: () => readonly unknown[], query: () => unknown) {
    $effect.pre(() => {
      query();
      // Rows already on screen stay (a search that keeps the first rows removes nothing); new ones come a screenful at a time.
      const before = new Set(this.#last);
      let kept = 0;
      for (const row of untrack(rows)) {
        if (!before.has(row)) break;
        kept++;
      }
      this.drawn = Math.max(FIRST_ROWS, kept);
    });
    $effect(() => {
      const drawn = this.drawn;
      if (drawn >= Math.min(this.limit, rows().length)) return;
      // A timer, not an animation frame: a page in a tab not shown gets no frames, and its rows must still arrive.
      const timer = setTimeout(() => (this.drawn = Math.min(drawn + STEP_ROWS, this.limit)), 16);
      return () => clearTimeout(timer);
    });
  }

  /** The rows to draw now of `rows`. */
  of<T>(rows: readonly T[]): readonly T[] {
    const count = Math.min(this.limit, this.drawn);
    const shown = rows.length > count ? rows.slice(0, count) : rows;
    this.#last = shown;
    return shown;
  }

  /** How many of `total` rows the table shows once drawn. */
  shown(total: number): number {
    return Math.min(this.limit, total);
  }

  more(): void {
    this.limit += ROWS_PER_PAGE;
  }
}
