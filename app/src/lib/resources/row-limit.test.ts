// Proves the arithmetic of how many rows a long list draws: a screenful of the window at once after a search and half of one per step, and how many leading rows a search keeps on screen. (Its effects run in the browser scenarios: vitest compiles runes for the server, where effects do not run.)
import { describe, expect, it } from "vitest";
import { keptRows, screenful } from "./row-limit.svelte";


describe("screenful", () => {
  it("draws a window's height of rows and one more at once, half of that per step", () => {
    expect(screenful(78, 900)).toEqual({ first: 13, step: 7 });
    expect(screenful(117, 900)).toEqual({ first: 9, step: 5 });
    expect(screenful(51, 844)).toEqual({ first: 18, step: 9 });
    expect(screenful(0, 900).first).toBeGreaterThan(0);
  });
});

describe("keptRows", () => {
  it("counts the leading rows already on screen, up to the first new one", () => {
    const [a, b, c, d] = [{}, {}, {}, {}];
    expect(keptRows([a, b, c], [a, b, d, c])).toBe(2);
    expect(keptRows([a, b, c], [d, a, b])).toBe(0);
    expect(keptRows([], [a, b])).toBe(0);
  });
});
