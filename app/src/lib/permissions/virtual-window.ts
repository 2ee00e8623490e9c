/**
 * Which rows of a long list of equally tall rows to draw: the ones in view plus a few either side,
 * and the space the others would take, so the scrollbar stays true while only a screenful of DOM
 * exists. The same arithmetic serves columns of equal width.
 */
interface VirtualWindow {
  /** First index drawn. */
  start: number;
  /** One past the last index drawn. */
  end: number;
  /** Pixels standing in for the rows before `start`. */
  before: number;
  /** Pixels standing in for the rows from `end` on. */
  after: number;
}

interface WindowInput {
  /** Pixels scrolled past the list's first row. */
  offset: number;
  /** Height (or width) of the visible part of the list, in pixels. */
  viewport: number;
  /** Height (or width) of one row, in pixels. */
  size: number;
  count: number;
  /** Rows drawn beyond each edge, so a quick scroll or Tab finds them already there. */
  overscan?: number;
}

export function virtualWindow({ offset, viewport, size, count, overscan = 4 }: WindowInput): VirtualWindow {
  if (count <= 0 || size <= 0) return { start: 0, end: 0, before: 0, after: 0 };
  // Before the first measurement the viewport is 0: draw a screenful anyway, so the first paint is not empty.
  const shown = Math.ceil((viewport > 0 ? viewport : 800) / size);
  const first = Math.min(count - 1, Math.max(0, Math.floor(offset / size)));
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + shown + overscan);
  return { start, end, before: start * size, after: (count - end) * size };
}

/** The scroll offset that brings row `index` fully into view, or `offset` if it already is. */
export function scrollToShow(index: number, { offset, viewport, size }: Pick<WindowInput, "offset" | "viewport" | "size">): number {
  const top = index * size;
  if (top < offset) return top;
  if (top + size > offset + viewport) return top + size - viewport;
  return offset;
}
