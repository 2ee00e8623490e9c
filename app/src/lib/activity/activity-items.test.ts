// Proves the feed's folding: an operation's queued/started/progress/outcome entries become one line in names, with its duration; failures keep CloudFormation's words apart; merged queued updates join the operation they ran in; runs of like changes by one person fold into one bulk line; filters by resource and person.
import { describe, expect, it } from "vitest";
import type { ActivityEntry, ActivityOperation } from "$contract";
import { shortDateTime } from "$lib/format";
import { activityFacets, activityItems, filterActivity, foldBulk, namesForEmails, type FeedLine } from "./activity-items";

let seq = 0;
function entry(at: string, actor: string, message: string, extra: Partial<ActivityEntry> = {}, operation?: Partial<ActivityOperation> & { id: string }): ActivityEntry {
  seq += 1;
  return {
    seq,
    at,
    actor,
    kind: "bucket",
    name: "reports",
    message,
    tone: "info",
    ...extra,
    ...(operation ? { operation: { action: "create", step: "started", by: "alice@example.com", ...operation } } : {}),
  };
}
/** The feed holds entries newest first. */
const newestFirst = (entries: ActivityEntry[]) => [...entries].reverse();

describe("activityItems", () => {
  it("folds a create's start and CloudFormation's end into one line with names and how long it took", () => {
    const items = activityItems(
      newestFirst([
        entry("2026-12-01T10:00:00Z", "alice@example.com", "alice@example.com started creating bucket reports (versioning on, SSE-S3 encryption)", {}, { id: "op1", detail: "versioning on, SSE-S3 encryption" }),
        entry("2026-12-01T10:00:05Z", "CloudFormation", "Bucket reports is creating (CREATE_IN_PROGRESS)", {}, { id: "op1", step: "progress" }),
        entry("2026-12-01T10:00:14Z", "CloudFormation", "Bucket reports is ready", { tone: "success" }, { id: "op1", step: "succeeded" }),
      ]),
      "bob@example.com",
    );
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ headline: "Alice created bucket reports", detail: "versioning on, SSE-S3 encryption", took: "14 sec.", tone: "success", entries: 3, people: ["alice@example.com"] });
  });

  it("says who is running an operation, and since when, until it ends", () => {
    const [running] = activityItems([entry("2026-12-01T10:00:00Z", "bob@example.com", "bob@example.com started updating bucket reports (…)", {}, { id: "op2", action: "update", by: "bob@example.com" })], "bob@example.com");
    expect(running).toMatchObject({ headline: "You are updating bucket reports", tone: "progress", runningSince: "2026-12-01T10:00:00Z" });
  });

  it("keeps a failure's explanation and CloudFormation's own words apart", () => {
    const [failed] = activityItems(
      newestFirst([
        entry("2026-12-01T10:00:00Z", "alice@example.com", "alice@example.com started deleting bucket reports", {}, { id: "op3", action: "delete" }),
        entry("2026-12-01T10:00:09Z", "CloudFormation", "Bucket reports still holds objects; empty it first. CloudFormation said: The bucket you tried to delete is not empty", { tone: "error" }, { id: "op3", action: "delete", step: "failed" }),
      ]),
      "carol@example.com",
    );
    expect(failed).toMatchObject({ headline: "Alice’s deletion of bucket reports failed", detail: "Bucket reports still holds objects; empty it first.", said: "The bucket you tried to delete is not empty", took: "9 sec.", tone: "error" });
  });

  it("puts queued updates merged into another operation on that operation's line", () => {
    const items = activityItems(
      newestFirst([
        entry("2026-12-01T10:00:00Z", "bob@example.com", "bob@example.com queued: update versioning → false of bucket reports", {}, { id: "q1", action: "update", step: "queued", by: "bob@example.com" }),
        entry("2026-12-01T10:00:01Z", "carol@example.com", "carol@example.com queued: update expireAfterDays → 30 of bucket reports", {}, { id: "q2", action: "update", step: "queued", by: "carol@example.com" }),
        entry("2026-12-01T10:00:20Z", "Stackroom", "Merged 2 queued updates of bucket reports into one stack update", {}, { id: "q1", action: "update", step: "queued", by: "bob@example.com", merged: ["q2"] }),
        entry("2026-12-01T10:00:20Z", "bob@example.com", "bob@example.com started updating bucket reports (…)", {}, { id: "q1", action: "update", by: "bob@example.com", detail: "versioning off, SSE-S3 encryption, objects expire after 30 days" }),
        entry("2026-12-01T10:00:31Z", "CloudFormation", "Bucket reports was updated", { tone: "success" }, { id: "q1", action: "update", step: "succeeded", by: "bob@example.com" }),
      ]),
      "alice@example.com",
    );
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ headline: "Bob updated bucket reports (with 1 queued update merged in)", took: "11 sec.", entries: 5 });
    expect(items[0]?.people.sort()).toEqual(["bob@example.com", "carol@example.com"]);
  });

  it("names the SFTP server's operations as turning SFTP on and off, and a cancelled queued edit", () => {
    const items = activityItems(
      newestFirst([
        entry("2026-12-01T10:00:00Z", "alice@example.com", "…", { kind: "sftp", name: "server" }, { id: "s1" }),
        entry("2026-12-01T10:01:00Z", "CloudFormation", "SFTP server is ready", { kind: "sftp", name: "server" }, { id: "s1", step: "succeeded" }),
        entry("2026-12-01T10:02:00Z", "bob@example.com", "…", { kind: "user", name: "acme" }, { id: "u1", action: "update", step: "queued", by: "bob@example.com" }),
        entry("2026-12-01T10:02:30Z", "alice@example.com", "…", { kind: "user", name: "acme" }, { id: "u1", action: "update", step: "cancelled", by: "bob@example.com" }),
      ]),
      "alice@example.com",
    );
    expect(items.map((i) => i.headline)).toEqual(["You cancelled Bob’s queued update of user acme", "You turned SFTP on"]);
    expect(items[1]?.took).toBe("1 min.");
    const [own] = activityItems([entry("2026-12-01T10:00:00Z", "bob@example.com", "…", {}, { id: "c", action: "update", step: "cancelled", by: "bob@example.com" })], "alice@example.com");
    expect(own?.headline).toBe("Bob cancelled their queued update of bucket reports");
  });

  it("shows entries of no operation as they came, with names for emails", () => {
    const [line] = activityItems([entry("2026-12-01T10:00:00Z", "alice@example.com", "alice@example.com created access key AKIA1 for user acme, as bob@example.com asked", { kind: "user", name: "acme" })], "alice@example.com");
    expect(line?.headline).toBe("You created access key AKIA1 for user acme, as Bob asked");
    expect(namesForEmails("carol.smith@example.com added dan@example.com", "x@example.com")).toBe("Carol Smith added Dan");
  });

  it("names an operation's times in words in its detail too (an extended user's new end), not in ISO 8601", () => {
    const now = Date.parse("2026-12-07T15:10:00Z");
    const [line] = activityItems(
      newestFirst([
        entry("2026-12-07T15:09:10Z", "alice@example.com", "…", { kind: "user", name: "acme" }, { id: "x1", action: "update", detail: "no bucket access, expires 2027-03-12T15:09:08.950Z" }),
        entry("2026-12-07T15:09:11Z", "CloudFormation", "User acme was updated", { kind: "user", name: "acme", tone: "success" }, { id: "x1", action: "update", step: "succeeded" }),
      ]),
      "alice@example.com",
      now,
    );
    expect(line).toMatchObject({ headline: "You updated user acme", detail: `no bucket access, expires ${shortDateTime("2027-03-12T15:09:08.950Z")}` });
  });
});

describe("filters", () => {
  const items = activityItems(
    newestFirst([
      entry("2026-12-01T10:00:00Z", "alice@example.com", "…", {}, { id: "a" }),
      entry("2026-12-01T10:01:00Z", "bob@example.com", "…", { kind: "user", name: "acme" }, { id: "b", by: "bob@example.com" }),
      entry("2026-12-01T10:02:00Z", "CloudFormation", "User acme is ready", { kind: "user", name: "acme" }, { id: "b", by: "bob@example.com", step: "succeeded" }),
    ]),
    "alice@example.com",
  );

  it("offers the resources and people the feed holds", () => {
    expect(activityFacets(items)).toEqual({
      resources: [
        { value: "bucket:reports", label: "bucket reports" },
        { value: "user:acme", label: "user acme" },
      ],
      people: ["alice@example.com", "bob@example.com"],
    });
  });

  it("narrows to one resource, one person, or both", () => {
    expect(filterActivity(items, "user:acme", null).map((i) => i.key)).toEqual(["b"]);
    expect(filterActivity(items, null, "alice@example.com").map((i) => i.key)).toEqual(["a"]);
    expect(filterActivity(items, "user:acme", "alice@example.com")).toEqual([]);
    expect(filterActivity(items, null, null)).toHaveLength(2);
  });
});

describe("bulk folding", () => {
  /** `n` creates by `by`, `stepMs` apart from 14:02, each a start and CloudFormation's end (newest first, as the feed holds them). */
  function creates(n: number, by: string, opts: { kind?: "user" | "bucket"; stepMs?: number; from?: number; step?: "succeeded" | "failed" | null; action?: "create" | "update" } = {}): ActivityEntry[] {
    const { kind = "user", stepMs = 1_800, from = Date.parse("2026-12-01T14:02:00Z"), step = "succeeded", action = "create" } = opts;
    const out: ActivityEntry[] = [];
    for (let i = 0; i < n; i++) {
      const at = new Date(from + i * stepMs).toISOString();
      const id = `${by}-${kind}-${action}-${from}-${i}`;
      out.push(entry(at, by, `${by} started`, { kind, name: `${kind}${i}` }, { id, action, by }));
      if (step) out.push(entry(at, "CloudFormation", "done", { kind, name: `${kind}${i}`, tone: step === "failed" ? "error" : "success" }, { id, action, by, step }));
    }
    return newestFirst(out);
  }
  const lines = (entries: ActivityEntry[], me = "alice@example.com") => foldBulk(activityItems(entries, me), me);
  const headlines = (ls: FeedLine[]) => ls.map((l) => (l.type === "bulk" ? `[${l.bulk.items.length}] ${l.bulk.headline}` : l.item.headline));

  it("folds 100 users created by one person within minutes into one line that keeps them all", () => {
    const folded = lines(creates(100, "bob@example.com"));
    expect(folded).toHaveLength(1);
    const [line] = folded;
    if (line?.type !== "bulk") throw new Error("not folded");
    expect(line.bulk).toMatchObject({ headline: "Bob created 100 users", tone: "success", kind: "user", from: "2026-12-01T14:02:00.000Z", to: "2026-12-01T14:04:58.200Z", people: ["bob@example.com"] });
    expect(line.bulk.items.map((i) => i.name)).toEqual(Array.from({ length: 100 }, (_, i) => `user${99 - i}`));
    expect(line.bulk.items[0]?.headline).toBe("Bob created user user99");
    // The line keeps its key as the run grows at its newest end (an expanded line stays expanded).
    const earlier = creates(100, "bob@example.com");
    const grown = lines([...creates(1, "bob@example.com", { from: Date.parse("2026-12-01T14:05:00Z") }), ...earlier]);
    expect(grown).toHaveLength(1);
    expect(grown[0]?.type === "bulk" && grown[0].bulk.key).toBe(line.bulk.key);
    expect(headlines(grown)).toEqual(["[101] Bob created 101 users"]);
  });

  it("folds only consecutive like changes by the same person, close together, three or more", () => {
    const t = (hhmm: string) => Date.parse(`2026-12-01T${hhmm}:00Z`);
    const entries = newestFirst([
      ...newestFirst(creates(3, "alice@example.com", { kind: "bucket", from: t("09:00") })),
      // Another person's change breaks the run.
      ...newestFirst(creates(1, "bob@example.com", { kind: "bucket", from: t("09:01") })),
      ...newestFirst(creates(2, "alice@example.com", { kind: "bucket", from: t("09:02") })),
      // Updates are another change than creates; users another kind than buckets.
      ...newestFirst(creates(3, "alice@example.com", { kind: "bucket", from: t("09:03"), action: "update" })),
      ...newestFirst(creates(3, "alice@example.com", { kind: "user", from: t("09:04") })),
      // Far apart: a person clicking, not a script.
      ...newestFirst(creates(3, "alice@example.com", { kind: "user", from: t("10:00"), stepMs: 60_000 })),
    ]);
    expect(headlines(lines(entries, "carol@example.com"))).toEqual([
      "Alice created user user2",
      "Alice created user user1",
      "Alice created user user0",
      "[3] Alice created 3 users",
      "[3] Alice updated 3 buckets",
      "Alice created bucket bucket1",
      "Alice created bucket bucket0",
      "Bob created bucket bucket0",
      "[3] Alice created 3 buckets",
    ]);
  });

  it("says what a run is doing: running, failed, in the reader's own words; other lines never fold", () => {
    expect(headlines(lines(creates(4, "alice@example.com", { kind: "bucket", step: null })))).toEqual(["[4] You are creating 4 buckets"]);
    expect(headlines(lines(creates(3, "bob@example.com", { step: "failed" })))).toEqual(["[3] 3 of Bob’s user creations failed"]);
    expect(headlines(lines(creates(3, "alice@example.com", { step: "failed" })))).toEqual(["[3] 3 of your user creations failed"]);
    const keys = newestFirst([0, 1, 2].map((i) => entry(`2026-12-01T10:00:0${i}Z`, "alice@example.com", `alice@example.com created access key AKIA${i} for user acme`, { kind: "user", name: "acme" })));
    expect(lines(keys).map((l) => l.type)).toEqual(["item", "item", "item"]);
  });

  it("reads a kind with no row here (registered at run time) by its label, and never folds it", () => {
    const notes = newestFirst(
      [0, 1, 2].map((i) => entry(`2026-12-01T10:00:0${i}Z`, "alice@example.com", "…", { kind: "note" as ActivityEntry["kind"], name: `n${i}` }, { id: `note-${i}`, step: "succeeded" })),
    );
    expect(headlines(lines(notes))).toEqual(["You created note n2", "You created note n1", "You created note n0"]);
  });
});

describe("a big heal's summary line", () => {
  it("reads as the room wrote it, about the kind rather than one resource, and offers no resource filter", () => {
    const message = "Found 600 buckets in CloudFormation (CREATE_COMPLETE): alpha, beta, gamma, … and 597 more";
    const items = activityItems([entry("2026-12-01T10:00:00Z", "Stackroom", message, { name: "" })], "bob@example.com");
    expect(items).toEqual([expect.objectContaining({ kind: "bucket", name: "", headline: message, tone: "info", people: [], entries: 1 })]);
    expect(activityFacets(items)).toEqual({ resources: [], people: [] });
    expect(filterActivity(items, "bucket:alpha", null)).toEqual([]);
  });
});
