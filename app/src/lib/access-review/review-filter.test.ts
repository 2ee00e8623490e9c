// Proves the access review's filters and words from plain reviews: which users each filter shows, what its button counts, how a key's last use reads.
import { describe, expect, it } from "vitest";
import type { AccessReview, ReviewUser } from "$contract";
import { filterCount, filterReview, lastUseWords, shortKey } from "./review-filter";

const user = (name: string, extra: Partial<ReviewUser> = {}): ReviewUser => ({
  name, expiresAt: null, grants: 1, flags: [], keys: [], sftpKeys: [], rotation: null, checkedAt: "2026-12-07T12:00:00.000Z", ...extra,
});
const key = (flags: ReviewUser["keys"][number]["flags"]) => ({ accessKeyId: "AKIAEXAMPLE12345", status: "Active" as const, createdAt: "2026-09-01T00:00:00.000Z", ageDays: 97, lastUse: null, flags });
const review: AccessReview = {
  users: [user("acme", { keys: [key(["unused", "rotation-due"])] }), user("bolt", { flags: ["expiring", "no-grants"], grants: 0 }), user("calm")],
  totals: { unused: 1, "rotation-due": 1, expiring: 1, "no-grants": 1, flaggedUsers: 2 },
  checkedAt: "2026-12-07T12:00:00.000Z",
  stale: null,
  at: "2026-12-07T12:00:00.000Z",
};

describe("review filters", () => {
  it("shows every user, or those with a key or user flag", () => {
    expect(filterReview(review, "all").map((u) => u.name)).toEqual(["acme", "bolt", "calm"]);
    expect(filterReview(review, "unused").map((u) => u.name)).toEqual(["acme"]);
    expect(filterReview(review, "rotation-due").map((u) => u.name)).toEqual(["acme"]);
    expect(filterReview(review, "expiring").map((u) => u.name)).toEqual(["bolt"]);
    expect(filterReview(review, "no-grants").map((u) => u.name)).toEqual(["bolt"]);
  });

  it("narrows by words in the user's name or an access key id, within the flag filter", () => {
    expect(filterReview(review, "all", "  ")).toBe(review.users);
    expect(filterReview(review, "all", "BO").map((u) => u.name)).toEqual(["bolt"]);
    expect(filterReview(review, "all", "akiaexample").map((u) => u.name)).toEqual(["acme"]);
    expect(filterReview(review, "all", "ac 12345").map((u) => u.name)).toEqual(["acme"]);
    expect(filterReview(review, "expiring", "acme")).toEqual([]);
    expect(filterReview(review, "all", "zzz")).toEqual([]);
  });

  it("counts users for All and the totals for each flag", () => {
    expect(filterCount(review, "all")).toBe(3);
    expect(filterCount(review, "unused")).toBe(1);
  });

  it("says where a key was last used, that it never was, or that IAM was not read yet", () => {
    const checked = "2026-12-07T12:00:00.000Z";
    expect(lastUseWords({ ...key([]), lastUse: { at: "2026-12-01T00:00:00.000Z", service: "s3", region: "eu-west-1" } }, checked)).toBe("Used (s3 in eu-west-1)");
    expect(lastUseWords(key([]), checked)).toBe("Never used");
    expect(lastUseWords(key([]), null)).toBe("Not read from IAM yet");
    // A key made after the last read (a rotation's new key): not read yet, rather than "never used".
    expect(lastUseWords({ ...key([]), createdAt: "2026-12-07T12:05:00.000Z" }, checked)).toBe("Not read from IAM yet");
    expect(shortKey("AKIAEXAMPLE12345")).toBe("AKIA…2345");
  });
});
