// Proves mapBounded: answers in the items' order, never more than `limit` at work at once, and stops starting work after a failure.
import { describe, expect, it } from "vitest";
import { mapBounded } from "./bounded";

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

describe("mapBounded", () => {
  it("keeps at most `limit` in flight and answers in order", async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapBounded([5, 1, 4, 2, 3, 0, 6, 7, 8, 9], 4, async (n) => {
      most = Math.max(most, ++inFlight);
      for (let i = 0; i < n; i++) await tick();
      inFlight--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0, 60, 70, 80, 90]);
    expect(most).toBe(4);
  });

  it("rejects with the first failure and starts nothing new after it", async () => {
    const started: number[] = [];
    await expect(
      mapBounded([0, 1, 2, 3, 4, 5], 2, async (n) => {
        started.push(n);
        await tick();
        if (n === 1) throw new Error("throttled for good");
        return n;
      }),
    ).rejects.toThrow("throttled for good");
    expect(started.length).toBeLessThan(6);
  });

  it("answers nothing for nothing", async () => {
    expect(await mapBounded([], 4, async () => 1)).toEqual([]);
  });
});
