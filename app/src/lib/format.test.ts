// Proves times read as words everywhere (ISO times inside server messages, relative times, durations), and a resource in a sentence for every kind, even one a hand-edited link made up.
import { describe, expect, it } from "vitest";
import { durationWords, humanizeTimes, relativeTime, resourceLabel, timeInWords } from "./format";
import { isSingle } from "./kinds";

const now = Date.parse("2026-11-30T23:09:00Z");

describe("times in words", () => {
  it("rewrites the ISO time in a server message (the 409 for queue: false)", () => {
    const text = humanizeTimes("Bucket “logs” is being changed by bob@example.com (since 2026-11-30T23:06:49.591Z). Try again when it finishes.", now);
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    expect(text).toMatch(/\(since \d{1,2}:\d{2}.*, 2 min\. ago\)\. Try again/);
  });

  it("falls back to a date for times more than a day away, and leaves other text alone", () => {
    expect(timeInWords("2026-11-01T10:00:00Z", now)).toMatch(/Nov 1, 2026/);
    expect(humanizeTimes("no time here", now)).toBe("no time here");
  });

  it("says how long ago, and how long something lasted", () => {
    expect(relativeTime("2026-11-30T23:08:55Z", now)).toBe("just now");
    expect(relativeTime("2026-11-30T23:08:37Z", now)).toBe("23 sec. ago");
    expect(durationWords("2026-11-30T23:08:37Z", now)).toBe("23 sec.");
    expect(durationWords("2026-11-30T21:00:00Z", now)).toBe("2 hr.");
    expect(durationWords("2026-11-28T23:00:00Z", now)).toBe("2 days");
  });
});

describe("sizes in words", () => {
  it("reads bytes the way S3's console does", async () => {
    const { bytesLabel } = await import("./format");
    expect([0, 1, 999, 1_000, 1_008, 25_400, 3_200_000, 1_500_000_000_000].map(bytesLabel)).toEqual(["0 bytes", "1 byte", "999 bytes", "1.0 KB", "1.0 KB", "25 KB", "3.2 MB", "1.5 TB"]);
  });
});

describe("a resource in a sentence", () => {
  it("names each kind of the table, and the SFTP server by its definite noun", () => {
    expect(resourceLabel("bucket", "reports")).toBe("bucket reports");
    expect(resourceLabel("user", "acme")).toBe("user acme");
    expect(resourceLabel("sftp", "server")).toBe("the SFTP server");
    expect([isSingle("bucket"), isSingle("user"), isSingle("sftp")]).toEqual([false, false, true]);
  });

  it("is total: a kind the table does not have (a hand-edited link) is named as it came, not single", () => {
    for (const kind of ["toString", "__proto__", "constructor", "robot", ""]) {
      expect(isSingle(kind)).toBe(false);
      expect(resourceLabel(kind, "x")).toBe(`${kind} x`);
    }
  });
});
