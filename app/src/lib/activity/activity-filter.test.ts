// Proves the activity filter's life in the page URL (round trip, other parameters kept, bad values dropped), the filter controls' choices taken from the whole project rather than the loaded entries, and a filtered feed that takes matching live entries and never others.
import { describe, expect, it } from "vitest";
import type { ActivityEntry } from "$contract";
import { activityChoices, activityFilterFromUrl, activityFilterKey, activityFilterUrl, filteredEntries, windowStart, withFilterField } from "./activity-filter";

const page = (query: string) => new URL(`https://stackroom.example/projects/demo?${query}`);

function entry(seq: number, extra: Partial<ActivityEntry> = {}): ActivityEntry {
  return { seq, at: `2026-12-01T10:00:${String(seq).padStart(2, "0")}Z`, actor: "alice@example.com", kind: "bucket", name: "reports", message: "…", tone: "info", ...extra };
}

describe("activity filter in the URL", () => {
  it("reads every field, writes them back, and keeps the tab", () => {
    const url = page("tab=users&activity.resource=bucket:reports&activity.person=Bob@Example.com&activity.kind=bucket&activity.since=2026-12-01T11:00:00%2B01:00&activity.until=2026-12-02T00:00:00Z");
    const filter = activityFilterFromUrl(url);
    expect(filter).toEqual({ resource: { kind: "bucket", name: "reports" }, person: "bob@example.com", kind: "bucket", since: "2026-12-01T10:00:00.000Z", until: "2026-12-02T00:00:00.000Z" });
    const back = activityFilterUrl(page("tab=users"), filter);
    expect(back.searchParams.get("tab")).toBe("users");
    expect(activityFilterFromUrl(back)).toEqual(filter);
    expect(back.searchParams.get("activity.resource")).toBe("bucket:reports");
    // Clearing a field removes its parameter; the rest stays.
    const cleared = activityFilterUrl(back, withFilterField(filter, "resource", ""));
    expect(cleared.searchParams.has("activity.resource")).toBe(false);
    expect(cleared.searchParams.get("activity.person")).toBe("bob@example.com");
    expect(activityFilterUrl(page("tab=sftp"), {}).search).toBe("?tab=sftp");
  });

  it("leaves out what does not parse, and an end before the start", () => {
    expect(activityFilterFromUrl(page("activity.resource=reports&activity.kind=robot&activity.person=someone&activity.since=yesterday&activity.until="))).toEqual({});
    expect(activityFilterFromUrl(page("activity.kind=user&activity.since=2026-12-02T00:00:00Z&activity.until=2026-12-01T00:00:00Z"))).toEqual({ kind: "user", since: "2026-12-02T00:00:00.000Z" });
    expect(withFilterField({ kind: "user" }, "person", "not an email")).toEqual({ kind: "user" });
    expect(activityFilterKey({ kind: "user" })).not.toBe(activityFilterKey({}));
    expect(activityFilterKey(activityFilterFromUrl(page("activity.kind=user")))).toBe(activityFilterKey({ kind: "user" }));
    expect(windowStart("1h", Date.parse("2026-12-01T10:00:00Z"))).toBe("2026-12-01T09:00:00.000Z");
  });
});

describe("a crafted link", () => {
  it("never crashes the page: a kind named like an object's own property is no kind", () => {
    // `toString`, `__proto__`, `constructor` are on every object; none of them is a kind of the table.
    expect(activityFilterFromUrl(page("activity.resource=toString:x"))).toEqual({});
    expect(activityFilterFromUrl(page("activity.kind=__proto__"))).toEqual({});
    for (const kind of ["toString", "__proto__", "constructor", "hasOwnProperty", "valueOf"]) {
      expect(activityFilterFromUrl(page(`activity.resource=${kind}:x&activity.kind=${kind}`))).toEqual({});
      expect(withFilterField({}, "resource", `${kind}:x`)).toEqual({});
      expect(withFilterField({}, "kind", kind)).toEqual({});
    }
    // What parses beside a bad field stays, and the page can offer its choices.
    const filter = activityFilterFromUrl(page("activity.resource=toString:x&activity.kind=__proto__&activity.person=bob@example.com"));
    expect(filter).toEqual({ person: "bob@example.com" });
    const facts = { list: () => [], members: [] };
    expect(activityChoices(facts, [], filter, "alice@example.com").resources).toEqual([]);
    expect(activityFilterKey(filter)).toBe(activityFilterKey({ person: "bob@example.com" }));
  });
});

describe("filter choices", () => {
  it("offers every resource and member of the project, those only the activity names, and what the URL asks for", () => {
    const choices = activityChoices(
      {
        list: (kind) => ({ bucket: [{ name: "reports" }, { name: "never-mentioned" }], user: [{ name: "acme" }], sftp: [{ name: "server" }] })[kind],
        members: [{ email: "alice@example.com", role: "owner" }, { email: "carol@example.com", role: "viewer" }],
      },
      [entry(1, { name: "old-bucket", actor: "dan@example.com" }), entry(2, { kind: "member", name: "carol@example.com", actor: "alice@example.com" }), entry(3, { actor: "CloudFormation", operation: { id: "o", action: "create", step: "succeeded", by: "erin@example.com" } })],
      { resource: { kind: "user", name: "deleted-user" }, person: "frank@example.com" },
      "alice@example.com",
    );
    expect(choices.resources).toEqual([
      { value: "bucket:never-mentioned", label: "bucket never-mentioned" },
      { value: "bucket:old-bucket", label: "bucket old-bucket (gone)" },
      { value: "bucket:reports", label: "bucket reports" },
      { value: "sftp:server", label: "the SFTP server" },
      { value: "user:acme", label: "user acme" },
      { value: "user:deleted-user", label: "user deleted-user (gone)" },
    ]);
    expect(choices.people.map((p) => p.value)).toEqual(["carol@example.com", "dan@example.com", "erin@example.com", "frank@example.com", "alice@example.com"]);
    expect(choices.people.at(-1)?.label).toBe("You (Alice)");
    expect(choices.kinds.map((k) => k.value)).toEqual(["bucket", "user", "sftp", "member"]);
  });
});

describe("a filtered feed", () => {
  it("is the server's pages plus every held entry that matches, newest first, once each", () => {
    const filter = { resource: { kind: "bucket" as const, name: "reports" } };
    const server = [entry(5), entry(2)];
    const held = [entry(9), entry(8, { name: "other" }), entry(5), entry(1, { kind: "user", name: "reports" })];
    expect(filteredEntries(server, held, filter).map((e) => e.seq)).toEqual([9, 5, 2]);
    // A live entry that does not match never shows; one that does, at once.
    expect(filteredEntries(server, [entry(10, { name: "other" }), ...held], filter).map((e) => e.seq)).toEqual([9, 5, 2]);
    expect(filteredEntries(server, [entry(11), ...held], filter).map((e) => e.seq)).toEqual([11, 9, 5, 2]);
    // A folded file line the server's page holds, superseded live since (seq 12 replaces 2): only the new one shows.
    expect(filteredEntries(server, [entry(12), ...held], filter, new Set([2])).map((e) => e.seq)).toEqual([12, 9, 5]);
  });
});
