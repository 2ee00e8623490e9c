import type { ActivityEntry, ActivityKind, ActivityOperation, ResourceKind } from "$contract";
import { KINDS } from "$core/kinds";
import { durationWords, humanizeTimes, resourceLabel, splitSaid } from "$lib/format";
import { isSingle } from "$lib/kinds";
import { displayName, isAre, sameEmail, who, whose } from "$lib/people";
import { lockNoun } from "$lib/resources/operations";

/**
 * One line of the activity feed as a manager reads it: a stack operation's entries (queued,
 * started, CloudFormation's progress, the outcome) folded into one, in plain words with people's
 * names; any other entry (keys, links, members, healing) as it came, with names for emails.
 */
export interface ActivityItem {
  /** The operation id, or `seq:<n>` for an entry of its own. */
  key: string;
  kind: ActivityKind;
  name: string;
  /** The newest entry's time and sequence number (the feed is newest first). */
  at: string;
  seq: number;
  tone: "info" | "success" | "error" | "progress";
  headline: string;
  /** What the operation applies, or the room's explanation of a failure. */
  detail?: string;
  /** CloudFormation's own words after a failure, shown folded. */
  said?: string;
  /** When the operation started, while it runs (the feed shows the time since). */
  runningSince?: string;
  /** How long it took, once it ended ("14 s"). */
  took?: string;
  /** Everyone the line is about: who asked, who acted. */
  people: string[];
  /** How many entries were folded into this line. */
  entries: number;
  /** For an operation's line: what it does, who asked, and where it is (what bulk folding compares). */
  change?: { action: ActivityOperation["action"]; by: string; phase: Phase };
}

/** Where an operation's line is, for folding: a no-op or a cancelled edit never folds. */
type Phase = "queued" | "running" | "done" | "failed" | null;
const phaseOf = (step: ActivityOperation["step"], nothingChanged: boolean): Phase =>
  ({ queued: "queued", started: "running", progress: "running", succeeded: nothingChanged ? null : "done", failed: "failed", cancelled: null } as const)[step];

/** Actors that are not people. */
const SYSTEM_ACTORS = new Set(["CloudFormation", "Stackroom", "Stackroom ops", "recipient"]);
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

type Form = "base" | "past" | "progressive";
type Verbs = Record<ActivityOperation["action"], Record<Form, string>>;

const verbs: Verbs = {
  create: { base: "create", past: "created", progressive: "creating" },
  update: { base: "update", past: "updated", progressive: "updating" },
  delete: { base: "delete", past: "deleted", progressive: "deleting" },
};
/** The SFTP server is turned on and off rather than created and deleted. */
const sftpVerbs: Verbs = {
  create: { base: "turn SFTP on", past: "turned SFTP on", progressive: "turning SFTP on" },
  update: { base: "update the SFTP server", past: "updated the SFTP server", progressive: "updating the SFTP server" },
  delete: { base: "turn SFTP off", past: "turned SFTP off", progressive: "turning SFTP off" },
};

/** An operation's words with what it acts on after the verb: "create bucket reports". */
const labelled =
  (label: (name: string) => string) =>
  (name: string, action: ActivityOperation["action"], form: Form): string =>
    `${verbs[action][form]} ${label(name)}`;

/** How each kind's operations read, by kind: a new kind says its own words or the plain verbs. */
const phrases: Record<ActivityKind, (name: string, action: ActivityOperation["action"], form: Form) => string> = {
  bucket: labelled((name) => resourceLabel("bucket", name)),
  user: labelled((name) => resourceLabel("user", name)),
  sftp: (_name, action, form) => sftpVerbs[action][form],
  member: labelled((name) => name),
};

function phrase(kind: ActivityKind, name: string, action: ActivityOperation["action"], form: Form): string {
  // A kind registered at run time (no row here) reads as its label does.
  const words = Object.hasOwn(phrases, kind) ? phrases[kind] : labelled((n) => resourceLabel(kind, n));
  return words(name, action, form);
}

/** Emails in a message as names: "You" where a sentence starts with the reader's own. */
export function namesForEmails(message: string, me: string): string {
  return message.replace(EMAIL, (email, offset: number) => (offset === 0 ? who(email, me) : displayName(email)));
}

function seconds(from: string, to: string): string | undefined {
  const ms = Date.parse(to) - Date.parse(from);
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  // The same words as "running for …": "14 sec.", "3 min.".
  return durationWords(from, Date.parse(to));
}

/** Folds the feed's entries (newest first) into lines, newest first. */
export function activityItems(entries: readonly ActivityEntry[], me: string, now = Date.now()): ActivityItem[] {
  // Queued edits merged into another operation belong to that operation's line.
  const mergedInto = new Map<string, string>();
  for (const entry of entries) for (const id of entry.operation?.merged ?? []) mergedInto.set(id, entry.operation?.id ?? id);

  const groups = new Map<string, ActivityEntry[]>();
  for (const entry of entries) {
    const key = entry.operation ? (mergedInto.get(entry.operation.id) ?? entry.operation.id) : `seq:${entry.seq}`;
    const group = groups.get(key);
    if (group) group.push(entry);
    else groups.set(key, [entry]);
  }
  return [...groups].map(([key, group]) => item(key, group, me, now)).sort((a, b) => b.seq - a.seq);
}

function item(key: string, group: ActivityEntry[], me: string, now: number): ActivityItem {
  const newest = group.reduce((a, b) => (b.seq > a.seq ? b : a));
  const people = [...new Set(group.flatMap((e) => [e.actor, e.operation?.by ?? e.actor]).filter((p) => !SYSTEM_ACTORS.has(p)))];
  const base: Omit<ActivityItem, "tone" | "headline"> = { key, kind: newest.kind, name: newest.name, at: newest.at, seq: newest.seq, people, entries: group.length };
  // The newest entry that says where the operation is (a merge note only says it was merged).
  const op = [...group].sort((a, b) => b.seq - a.seq).find((e) => e.operation && !e.operation.merged)?.operation ?? newest.operation;
  if (!op) {
    const { text, said } = splitSaid(humanizeTimes(newest.message, now));
    return { ...base, tone: newest.tone, headline: namesForEmails(text, me), ...(said ? { said } : {}) };
  }

  const started = group.filter((e) => e.operation?.step === "started").sort((a, b) => a.seq - b.seq)[0];
  // The detail names times in ISO 8601 too (a user's "expires 2027-03-12T15:09:08.950Z"): in words, like the headline's.
  const stated = started?.operation?.detail ?? group.find((e) => e.operation?.detail)?.operation?.detail;
  const detail = stated === undefined ? undefined : humanizeTimes(stated, now);
  const merged = group.flatMap((e) => e.operation?.merged ?? []).length;
  const withMerged = merged ? ` (with ${merged === 1 ? "1 queued update" : `${merged} queued updates`} merged in)` : "";
  const person = who(op.by, me);
  const nothing = /nothing changed/.test(newest.message);
  base.change = { action: op.action, by: op.by, phase: phaseOf(op.step, nothing) };
  switch (op.step) {
    case "queued":
      return { ...base, tone: "info", headline: `${person} queued ${op.action === "update" ? "an update" : `the ${lockNoun[op.action]}`} of ${labelOf(newest)}${withMerged}`, ...(detail ? { detail } : {}) };
    case "started":
    case "progress":
      return {
        ...base,
        tone: "progress",
        headline: `${person} ${isAre(op.by, me)} ${phrase(newest.kind, newest.name, op.action, "progressive")}${withMerged}`,
        ...(detail ? { detail } : {}),
        ...(started ? { runningSince: started.at } : {}),
      };
    case "succeeded": {
      const took = started ? seconds(started.at, newest.at) : undefined;
      return {
        ...base,
        tone: "success",
        headline: nothing ? `${person} asked to ${phrase(newest.kind, newest.name, op.action, "base")}: nothing to change` : `${person} ${phrase(newest.kind, newest.name, op.action, "past")}${withMerged}`,
        ...(detail ? { detail } : {}),
        ...(took ? { took } : {}),
      };
    }
    case "failed": {
      const { text, said } = splitSaid(humanizeTimes(newest.message, now));
      const took = started ? seconds(started.at, newest.at) : undefined;
      return {
        ...base,
        tone: "error",
        headline: `${whose(op.by, me)} ${lockNoun[op.action]} of ${labelOf(newest)} failed`,
        detail: namesForEmails(text, me),
        ...(said ? { said } : {}),
        ...(took ? { took } : {}),
      };
    }
    case "cancelled": {
      const owner = sameEmail(newest.actor, op.by) ? (sameEmail(op.by, me) ? "your" : "their") : whose(op.by, me) === "Your" ? "your" : whose(op.by, me);
      return { ...base, tone: "info", headline: `${who(newest.actor, me)} cancelled ${owner} queued ${lockNoun[op.action]} of ${labelOf(newest)}`, ...(detail ? { detail } : {}) };
    }
  }
}

function labelOf(entry: ActivityEntry): string {
  return entry.kind === "member" ? entry.name : resourceLabel(entry.kind, entry.name);
}

/** The resources and people the feed can be filtered by, from the lines it holds. */
export function activityFacets(items: readonly ActivityItem[]): { resources: { value: string; label: string }[]; people: string[] } {
  const resources = new Map<string, string>();
  for (const i of items) if (i.kind !== "member" && i.name) resources.set(`${i.kind}:${i.name}`, resourceLabel(i.kind, i.name));
  const people = [...new Set(items.flatMap((i) => i.people))].sort();
  return { resources: [...resources].map(([value, label]) => ({ value, label })).sort((a, b) => a.label.localeCompare(b.label)), people };
}

/** Lines about one resource (`kind:name`) and/or one person; null lets everything through. */
export function filterActivity(items: readonly ActivityItem[], resource: string | null, person: string | null): ActivityItem[] {
  return items.filter((i) => (resource === null || `${i.kind}:${i.name}` === resource) && (person === null || i.people.some((p) => p.toLowerCase() === person.toLowerCase())));
}

/** A run of like changes by one person, folded into one line: "Bob created 100 users". */
interface BulkItem {
  /** Stable while the run grows at its newest end: named after its oldest line. */
  key: string;
  kind: ResourceKind;
  tone: ActivityItem["tone"];
  headline: string;
  /** The oldest and the newest line's time. */
  from: string;
  to: string;
  seq: number;
  people: string[];
  /** The folded lines, newest first. */
  items: ActivityItem[];
}

export type FeedLine = { type: "item"; item: ActivityItem } | { type: "bulk"; bulk: BulkItem };

/** Lines at most this far apart belong to one run: a script's pace, not a person clicking through dialogs. */
const BULK_GAP_MS = 10_000;
/** Fewer like lines than this stay as they are. */
const BULK_MIN = 3;

/**
 * Folds runs of consecutive lines (newest first) that are the same change by the same person
 * (same action on the same kind, at the same stage) with at most `gapMs` between neighbours.
 */
export function foldBulk(items: readonly ActivityItem[], me: string, gapMs = BULK_GAP_MS, min = BULK_MIN): FeedLine[] {
  const lines: FeedLine[] = [];
  let run: ActivityItem[] = [];
  const flush = () => {
    if (run.length >= min) lines.push({ type: "bulk", bulk: bulkItem(run, me) });
    else for (const item of run) lines.push({ type: "item", item });
    run = [];
  };
  for (const item of items) {
    const last = run.at(-1);
    if (last && !(sameChange(last, item) && Date.parse(last.at) - Date.parse(item.at) <= gapMs)) flush();
    if (foldable(item)) run.push(item);
    else {
      flush();
      lines.push({ type: "item", item });
    }
  }
  flush();
  return lines;
}

/**
 * Runs fold for the table's kinds a project has many of; the SFTP server is one, membership
 * changes are not operations, and a kind registered at run time has no plural here.
 */
function foldable(item: ActivityItem): item is ActivityItem & { kind: ResourceKind } {
  return Object.hasOwn(KINDS, item.kind) && !isSingle(item.kind) && item.change?.phase != null;
}

function sameChange(a: ActivityItem, b: ActivityItem): boolean {
  return a.kind === b.kind && a.change !== undefined && b.change !== undefined && a.change.action === b.change.action && a.change.phase === b.change.phase && sameEmail(a.change.by, b.change.by);
}

function bulkItem(run: ActivityItem[], me: string): BulkItem {
  const newest = run[0];
  const oldest = run.at(-1);
  const change = newest?.change;
  if (!newest || !oldest || !change || change.phase === null || !foldable(newest)) throw new Error("a bulk line needs a run of operation lines");
  const kind = newest.kind;
  const n = `${run.length} ${KINDS[kind].plural}`;
  const v = verbs[change.action];
  const headline = {
    done: `${who(change.by, me)} ${v.past} ${n}`,
    running: `${who(change.by, me)} ${isAre(change.by, me)} ${v.progressive} ${n}`,
    queued: `${who(change.by, me)} queued ${change.action === "update" ? "updates of" : `the ${lockNoun[change.action]}s of`} ${n}`,
    failed: `${run.length} of ${sameEmail(change.by, me) ? "your" : whose(change.by, me)} ${KINDS[kind].singular} ${lockNoun[change.action]}s failed`,
  }[change.phase];
  const tone = ({ done: "success", running: "progress", queued: "info", failed: "error" } as const)[change.phase];
  return {
    key: `bulk:${oldest.key}`,
    kind,
    tone,
    headline,
    from: oldest.at,
    to: newest.at,
    seq: newest.seq,
    people: [...new Set(run.flatMap((i) => i.people))],
    items: run,
  };
}
