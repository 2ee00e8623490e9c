// Proves the windowing arithmetic of long lists: only the rows in view (plus overscan) are drawn, the spacers keep the full height, and a row moved to by keyboard is scrolled into view.
import { describe, expect, it } from "vitest";
import { scrollToShow, virtualWindow } from "./virtual-window";

describe("virtualWindow", () => {
  it("draws the rows in view plus overscan, and spacers for the rest", () => {
    const w = virtualWindow({ offset: 440, viewport: 440, size: 44, count: 300, overscan: 2 });
    expect(w).toEqual({ start: 8, end: 22, before: 8 * 44, after: (300 - 22) * 44 });
    expect(w.before + (w.end - w.start) * 44 + w.after).toBe(300 * 44);
  });

  it("clamps at both ends and handles short and empty lists", () => {
    expect(virtualWindow({ offset: 0, viewport: 440, size: 44, count: 300, overscan: 2 })).toMatchObject({ start: 0, end: 12, before: 0 });
    expect(virtualWindow({ offset: 99_999, viewport: 440, size: 44, count: 300, overscan: 2 })).toMatchObject({ start: 297, end: 300, after: 0 });
    expect(virtualWindow({ offset: 0, viewport: 440, size: 44, count: 3 })).toEqual({ start: 0, end: 3, before: 0, after: 0 });
    expect(virtualWindow({ offset: 0, viewport: 440, size: 44, count: 0 })).toEqual({ start: 0, end: 0, before: 0, after: 0 });
  });

  it("draws a screenful before the viewport has been measured", () => {
    expect(virtualWindow({ offset: 0, viewport: 0, size: 40, count: 300, overscan: 0 }).end).toBe(20);
  });
});

describe("scrollToShow", () => {
  const view = { offset: 440, viewport: 440, size: 44 };
  it("scrolls up or down just enough, and not at all for a row in view", () => {
    expect(scrollToShow(5, view)).toBe(220);
    expect(scrollToShow(20, view)).toBe(21 * 44 - 440);
    expect(scrollToShow(12, view)).toBe(440);
  });
});
