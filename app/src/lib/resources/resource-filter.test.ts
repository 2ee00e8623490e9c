// Proves the tables' search, status filter and orders, including natural name order and words beyond the name.
import { describe, expect, it } from "vitest";
import { EMPTY_QUERY, filterResources, isFiltering, type ResourceQuery } from "./resource-filter";

const rows = [
  { name: "logs-10", status: "ready" as const, updatedAt: "2026-01-01T10:00:00Z", aws: "logs-10-1a2b" },
  { name: "logs-9", status: "failed" as const, updatedAt: "2026-01-01T09:00:00Z", aws: "logs-9-1a2b" },
  { name: "archive", status: "updating" as const, updatedAt: "2026-01-01T11:00:00Z", aws: "archive-1a2b" },
  { name: "old", status: "deleted" as const, updatedAt: "2026-01-01T12:00:00Z", aws: "old-1a2b" },
];
const names = (query: Partial<ResourceQuery>) => filterResources(rows, { ...EMPTY_QUERY, ...query }, (r) => [r.aws]).map((r) => r.name);

describe("filterResources", () => {
  it("orders names naturally by default and keeps a deleted row on screen", () => {
    expect(names({})).toEqual(["archive", "logs-9", "logs-10", "old"]);
  });

  it("finds rows by every word, in the name or the extra words, ignoring case", () => {
    expect(names({ text: "LOGS" })).toEqual(["logs-9", "logs-10"]);
    expect(names({ text: "1a2b arch" })).toEqual(["archive"]);
    expect(names({ text: "nothing" })).toEqual([]);
  });

  it("filters by status group", () => {
    expect(names({ status: "working" })).toEqual(["archive"]);
    expect(names({ status: "failed" })).toEqual(["logs-9"]);
    expect(names({ status: "ready" })).toEqual(["logs-10"]);
  });

  it("sorts by last change or by what needs attention", () => {
    expect(names({ sort: "updated" })).toEqual(["old", "archive", "logs-10", "logs-9"]);
    expect(names({ sort: "attention" })).toEqual(["logs-9", "archive", "logs-10", "old"]);
  });

  it("knows when it narrows anything", () => {
    expect(isFiltering(EMPTY_QUERY)).toBe(false);
    expect(isFiltering({ ...EMPTY_QUERY, sort: "updated" })).toBe(false);
    expect(isFiltering({ ...EMPTY_QUERY, text: " x " })).toBe(true);
    expect(isFiltering({ ...EMPTY_QUERY, status: "failed" })).toBe(true);
  });
});
