// Proves the activity filter's contract: resources as kind:name, lower-cased people, times normalised to UTC, since ≤ until; and that activityMatches (what the app applies to live entries) follows the same rules as the room's query.
import { describe, expect, it } from "vitest";
import { ActivityFilter, ActivityQuery, activityMatches, isActivityFiltered, type ActivityEntry } from "./index";

const entry: ActivityEntry = {
  seq: 7,
  at: "2026-12-01T10:00:00.000Z",
  actor: "CloudFormation",
  kind: "user",
  name: "acme:partner",
  message: "User acme:partner is ready",
  tone: "success",
  operation: { id: "op", action: "create", step: "succeeded", by: "bob@example.com" },
};

describe("activity filter", () => {
  it("parses kind:name (names may hold colons), people and times", () => {
    const parsed = ActivityFilter.parse({ resource: "user:acme:partner", person: "Bob@Example.com", since: "2026-12-01T11:00:00+01:00" });
    expect(parsed).toEqual({ resource: { kind: "user", name: "acme:partner" }, person: "bob@example.com", since: "2026-12-01T10:00:00.000Z" });
    expect(ActivityQuery.parse({ before: "12" })).toEqual({ before: 12, limit: 50 });
    for (const bad of [{ resource: "acme" }, { resource: "member:x" }, { kind: "robot" }, { person: "CloudFormation" }, { since: "today" }]) {
      expect(ActivityFilter.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    expect(ActivityQuery.safeParse({ since: "2026-12-02T00:00:00Z", until: "2026-12-01T00:00:00Z" }).success).toBe(false);
  });

  it("matches an entry when every given condition holds", () => {
    const f = (input: Record<string, string>) => ActivityFilter.parse(input);
    expect(activityMatches(entry, f({}))).toBe(true);
    expect(activityMatches(entry, f({ resource: "user:acme:partner", kind: "user", person: "BOB@example.com" }))).toBe(true);
    expect(activityMatches(entry, f({ resource: "bucket:acme:partner" }))).toBe(false);
    expect(activityMatches(entry, f({ kind: "member" }))).toBe(false);
    expect(activityMatches(entry, f({ person: "alice@example.com" }))).toBe(false);
    expect(activityMatches(entry, f({ since: "2026-12-01T10:00:00Z", until: "2026-12-01T10:00:00Z" }))).toBe(true);
    expect(activityMatches(entry, f({ since: "2026-12-01T10:00:00.001Z" }))).toBe(false);
    expect(activityMatches(entry, f({ until: "2026-12-01T09:59:59Z" }))).toBe(false);
    expect(isActivityFiltered(f({}))).toBe(false);
    expect(isActivityFiltered(f({ kind: "user" }))).toBe(true);
  });
});
