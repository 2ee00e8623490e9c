// Proves what a notification says and how each format carries it: like events add up to one line (files, bytes, common prefix, time range), a full digest counts the rest, Slack's mrkdwn is escaped, Teams gets an Adaptive Card 1.4, json carries the events.
import { describe, expect, it } from "vitest";
import { DIGEST_ENTRIES_MAX, digestSummary, entryWords, mergeInto, payloadFor, type DigestEntry } from "./notification-payloads";

const upload = (by: string, files: number, bytes: number, prefix: string, at: string) => ({ type: "upload" as const, bucket: "acme-data", by, files, bytes, prefix, at });

describe("notification payloads", () => {
  it("adds like events up into one line, in the activity's words", () => {
    const entries: DigestEntry[] = [];
    mergeInto(entries, upload("partner-acme", 70, 700_000_000, "incoming/a/", "2026-12-07T14:02:10Z"));
    mergeInto(entries, upload("partner-acme", 50, 500_000_000, "incoming/b/", "2026-12-07T14:05:40Z"));
    mergeInto(entries, upload("someone else", 1, 10, "x.csv", "2026-12-07T14:03:00Z"));
    expect(entries).toHaveLength(2);
    expect(entryWords(entries[0]!)).toBe("partner-acme uploaded 120 files, 1.2 GB, to acme-data/incoming/ · 14:02–14:05 UTC");
    expect(entryWords(entries[1]!)).toBe("someone else uploaded acme-data/x.csv (10 B) · 14:03 UTC");
    expect(digestSummary(entries)).toBe("3 uploads");
  });

  it("keeps at most DIGEST_ENTRIES_MAX lines and counts the rest", () => {
    const entries: DigestEntry[] = [];
    let fitted = 0;
    for (let i = 0; i < DIGEST_ENTRIES_MAX + 5; i++) if (mergeInto(entries, { type: "link-opened", user: `u${i}`, at: "2026-12-07T14:00:00Z" })) fitted++;
    expect(fitted).toBe(DIGEST_ENTRIES_MAX);
    expect(digestSummary(entries, 5)).toBe(`${DIGEST_ENTRIES_MAX} links opened, 5 more`);
  });

  it("shapes each format", () => {
    const message = { project: { id: "acme", name: "Acme <ops> & co" }, lines: ["a <b> & c"], events: [upload("p", 1, 1, "k", "2026-12-07T14:00:00Z")] };
    expect(payloadFor("slack", message)).toEqual({
      text: "Stackroom · Acme <ops> & co\na <b> & c",
      blocks: [{ type: "section", text: { type: "mrkdwn", text: "*Stackroom · Acme &lt;ops&gt; &amp; co*\n• a &lt;b&gt; &amp; c" } }],
    });
    expect(payloadFor("teams", message)).toMatchObject({
      type: "message",
      attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", content: { type: "AdaptiveCard", version: "1.4", body: [{ text: "Stackroom · Acme <ops> & co" }, { text: "a <b> & c" }] } }],
    });
    expect(payloadFor("json", message)).toEqual({ project: "acme", projectName: "Acme <ops> & co", events: message.events });
  });
});
