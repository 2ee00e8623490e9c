// Proves counts read the same everywhere: singular only for exactly one, thousands grouped.
import { describe, expect, it } from "vitest";
import { counted } from "./plural";

describe("counted", () => {
  it("says one, none and many in words", () => {
    expect(counted(1, "key")).toBe("1 key");
    expect(counted(0, "object")).toBe("0 objects");
    expect(counted(2, "edit")).toBe("2 edits");
    expect(counted(12_040, "file")).toBe("12,040 files");
    expect(counted(3, "person", "people")).toBe("3 people");
  });
});
