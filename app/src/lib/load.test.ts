// Proves safeNext follows only pages of the app's own origin, judged as the browser resolves them: other sites, protocol-relative paths and backslash, tab and dot-segment tricks go to the start page.
import { describe, expect, it } from "vitest";
import { safeNext } from "./load";

const ORIGIN = "https://stackroom.example.com";

describe("safeNext", () => {
  it("follows the app's own pages, with query and hash", () => {
    expect(safeNext("/projects/demo", ORIGIN)).toBe("/projects/demo");
    expect(safeNext("/projects/demo?tab=users#x", ORIGIN)).toBe("/projects/demo?tab=users#x");
    expect(safeNext(null, ORIGIN)).toBe("/projects");
    expect(safeNext("", ORIGIN)).toBe("/projects");
  });

  it.each([
    "//example.invalid/phish",
    "/\\example.invalid/phish",
    "/\\\\example.invalid",
    "/\t/example.invalid/phish",
    "/\n/example.invalid/phish",
    "/./\\example.invalid",
    "/.//example.invalid/phish",
    "https://example.invalid/",
    "http://stackroom.example.com/plain-http",
    "javascript:alert(1)",
    "projects/demo",
  ])("sends %j to the start page", (next) => {
    expect(safeNext(next, ORIGIN)).toBe("/");
  });
});
