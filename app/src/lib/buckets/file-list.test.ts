// Proves a bucket's recent files are asked for as the route reads them (prefix, limit), "Show more" stops at the 1,000 the room keeps, re-reads stay 2 s apart, and only file lines about this bucket count as new files.
import { describe, expect, it } from "vitest";
import type { ActivityEntry } from "$contract";
import { FILES_MAX, FILES_PAGE, filesPath, hasMore, isFileLine, newestFileLine, nextLimit, refreshDelay } from "./file-list";

const line = (over: Partial<ActivityEntry>): ActivityEntry => ({
  seq: 10,
  at: "2026-12-07T14:02:00.000Z",
  actor: "partner",
  kind: "bucket",
  name: "reports",
  message: "partner uploaded 3 files, 1.2 KB, to reports/incoming/ · 14:02 UTC",
  tone: "info",
  ...over,
});

describe("the recent files query", () => {
  it("sends the prefix only when there is one, encoded, with the limit", () => {
    expect(filesPath("demo", "reports", "", 100)).toBe("/api/projects/demo/buckets/reports/files?limit=100");
    expect(filesPath("demo", "reports", "in coming/a&b", 200)).toBe("/api/projects/demo/buckets/reports/files?prefix=in+coming%2Fa%26b&limit=200");
  });

  it("shows more a page at a time, up to the 1,000 the room keeps", () => {
    expect(nextLimit(FILES_PAGE)).toBe(200);
    expect(nextLimit(950)).toBe(FILES_MAX);
    expect(hasMore(100, 100)).toBe(true);
    expect(hasMore(99, 100)).toBe(false);
    expect(hasMore(FILES_MAX, FILES_MAX)).toBe(false);
  });

  it("keeps re-reads 2 s apart", () => {
    expect(refreshDelay(null, 5_000)).toBe(0);
    expect(refreshDelay(4_500, 5_000)).toBe(1_500);
    expect(refreshDelay(1_000, 5_000)).toBe(0);
  });
});

describe("file lines in the live feed", () => {
  it("are this bucket's uploads and deletes, not its operations nor other buckets'", () => {
    expect(isFileLine(line({}), "reports")).toBe(true);
    expect(isFileLine(line({ actor: "someone outside Stackroom", message: "someone outside Stackroom deleted reports/a.csv · 14:02 UTC" }), "reports")).toBe(true);
    expect(isFileLine(line({}), "other")).toBe(false);
    expect(isFileLine(line({ kind: "user", name: "reports" }), "reports")).toBe(false);
    expect(isFileLine(line({ actor: "bob@example.com", message: "bob@example.com deleted bucket reports", operation: { id: "op", action: "delete", step: "started", by: "bob@example.com" } }), "reports")).toBe(false);
    expect(isFileLine(line({ actor: "Stackroom", message: "Bucket reports was healed" }), "reports")).toBe(false);
  });

  it("are told apart by the newest one's seq", () => {
    expect(newestFileLine([], "reports")).toBe(0);
    expect(newestFileLine([line({ seq: 12, kind: "user" }), line({ seq: 11 }), line({ seq: 9 })], "reports")).toBe(11);
  });
});
