// Proves the shared backoff is full jitter under a ceiling that doubles per retry and never passes the cap.
import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff";

describe("backoffDelay", () => {
  it("never waits longer than the cap", () => {
    const options = { baseMs: 200, capMs: 3_000, random: () => 0.9999 };
    expect([0, 1, 2, 3, 4, 10].map((retry) => backoffDelay(retry, options))).toEqual([199, 399, 799, 1599, 2999, 2999]);
    expect(backoffDelay(3, { ...options, random: () => 0 })).toBe(0);
  });
});
