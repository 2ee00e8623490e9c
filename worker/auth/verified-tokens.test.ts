// The isolate's memory of verified sign-in tokens: a token answers from it only until its own end or a few minutes after it was verified, never for another key, and the oldest goes first when it is full.
import { describe, expect, it } from "vitest";
import { VerifiedTokens } from "./verified-tokens";

const alice = { email: "alice@example.com", sessionId: "s-alice", expiresAt: 10_000 };

describe("VerifiedTokens", () => {
  it("answers a remembered token until its end, then forgets it", () => {
    const tokens = new VerifiedTokens();
    tokens.set("dev\nsecret\ntoken-a", alice, 9_900);
    expect(tokens.get("dev\nsecret\ntoken-a", 9_999)).toEqual(alice);
    expect(tokens.get("dev\nsecret\ntoken-a", 10_000)).toBeUndefined();
    expect(tokens.size).toBe(0);
  });

  it("answers a long-lived token for five minutes after it was verified, then verifies it again", () => {
    const tokens = new VerifiedTokens();
    const long = { ...alice, expiresAt: 1_000_000 };
    tokens.set("k", long, 1_000);
    expect(tokens.get("k", 1_000 + 299)).toEqual(long);
    expect(tokens.get("k", 1_000 + 300)).toBeUndefined();
  });

  it("never answers for another key (another token, team, audience or secret)", () => {
    const tokens = new VerifiedTokens();
    tokens.set("access\nhttps://team-a\naud\ntoken", alice, 0);
    expect(tokens.get("access\nhttps://team-b\naud\ntoken", 1)).toBeUndefined();
    expect(tokens.get("access\nhttps://team-a\nother\ntoken", 1)).toBeUndefined();
    expect(tokens.get("access\nhttps://team-a\naud\ntoken2", 1)).toBeUndefined();
  });

  it("keeps at most its capacity, dropping the token verified longest ago", () => {
    const tokens = new VerifiedTokens(3);
    for (const k of ["a", "b", "c"]) tokens.set(k, alice, 0);
    tokens.set("a", alice, 1); // verified again: now the newest
    tokens.set("d", alice, 2);
    expect(tokens.size).toBe(3);
    expect(tokens.get("b", 3)).toBeUndefined();
    expect(["a", "c", "d"].map((k) => tokens.get(k, 3) !== undefined)).toEqual([true, true, true]);
  });
});
