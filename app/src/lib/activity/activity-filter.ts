import { ActivityFilter, activityMatches, type ActivityEntry, type ActivityKind, type Member, type ResourceKind } from "$contract";
import { KIND_KEYS, KINDS } from "$core/kinds";
import { resourceLabel } from "$lib/format";
import { displayName, sameEmail } from "$lib/people";

/**
 * The activity feed's filter as the page URL carries it (`?activity.resource=bucket:reports&
 * activity.person=bob@example.com&activity.kind=user&activity.since=…&activity.until=…`), so a
 * filtered view is a link, survives a reload and comes back with Back. The server applies the
 * same filter (`GET …/activity?resource=…`), and live entries are matched with `activityMatches`.
 */
export const ACTIVITY_PARAMS = {
  resource: "activity.resource",
  person: "activity.person",
  kind: "activity.kind",
  since: "activity.since",
  until: "activity.until",
} as const;
type Field = keyof typeof ACTIVITY_PARAMS;
const FIELDS = Object.keys(ACTIVITY_PARAMS) as Field[];

/** The filter in a URL; a parameter that does not parse (a hand-edited link) is left out, not fatal. */
export function activityFilterFromUrl(url: URL): ActivityFilter {
  const filter: ActivityFilter = {};
  for (const field of FIELDS) {
    const value = url.searchParams.get(ACTIVITY_PARAMS[field]);
    if (value === null || value === "") continue;
    const one = ActivityFilter.safeParse({ [field]: value });
    if (one.success) Object.assign(filter, one.data);
  }
  // A window that ends before it starts is not a window: keep its start.
  if (filter.since && filter.until && filter.since > filter.until) delete filter.until;
  return filter;
}

/** The filter's fields as strings: in the URL, in the API query, and as the filter controls' values. */
export function activityFilterValues(filter: ActivityFilter): Partial<Record<Field, string>> {
  const values: Partial<Record<Field, string>> = {};
  if (filter.resource) values.resource = resourceValue(filter.resource.kind, filter.resource.name);
  if (filter.person) values.person = filter.person;
  if (filter.kind) values.kind = filter.kind;
  if (filter.since) values.since = filter.since;
  if (filter.until) values.until = filter.until;
  return values;
}

/** `url` showing `filter`; every other query parameter (the tab) is kept. */
export function activityFilterUrl(url: URL, filter: ActivityFilter): URL {
  const next = new URL(url);
  const values = activityFilterValues(filter);
  for (const field of FIELDS) {
    const value = values[field];
    if (value === undefined) next.searchParams.delete(ACTIVITY_PARAMS[field]);
    else next.searchParams.set(ACTIVITY_PARAMS[field], value);
  }
  return next;
}

/** The filter with one field set from a control's value ("" clears it); a value that does not parse clears it too. */
export function withFilterField(filter: ActivityFilter, field: Field, value: string): ActivityFilter {
  const { [field]: _old, ...rest } = filter;
  if (value === "") return rest;
  const one = ActivityFilter.safeParse({ [field]: value });
  return one.success ? { ...rest, ...one.data } : rest;
}

/** The same filter, as a stable string (to tell a changed filter from the same one). */
export function activityFilterKey(filter: ActivityFilter): string {
  const values = activityFilterValues(filter);
  return FIELDS.map((f) => `${f}=${values[f] ?? ""}`).join("&");
}

const resourceValue = (kind: ResourceKind, name: string) => `${kind}:${name}`;

interface FilterChoice {
  value: string;
  label: string;
}

/** What the project has, for the filter controls: not just what the loaded entries mention (a `ProjectState`). */
interface ProjectFacts {
  list(kind: ResourceKind): readonly { name: string }[];
  members: readonly Member[];
}

/** The kind filter's choices: each kind of the table by its title, then the members. */
const KIND_CHOICES: FilterChoice[] = [...KIND_KEYS.map((kind) => ({ value: kind, label: KINDS[kind].title })), { value: "member" satisfies ActivityKind, label: "Members" }];

/**
 * The choices of each filter control: every resource and member of the project, plus those only
 * the activity mentions (deleted resources, people who left), plus whatever the URL asks for.
 */
export function activityChoices(facts: ProjectFacts, entries: readonly ActivityEntry[], filter: ActivityFilter, me: string): { resources: FilterChoice[]; people: FilterChoice[]; kinds: FilterChoice[] } {
  const resources = new Map<string, FilterChoice>();
  const addResource = (kind: ResourceKind, name: string, gone: boolean) => {
    const value = resourceValue(kind, name);
    if (!resources.has(value)) resources.set(value, { value, label: `${resourceLabel(kind, name)}${gone ? " (gone)" : ""}` });
  };
  for (const kind of KIND_KEYS) for (const r of facts.list(kind)) addResource(kind, r.name, false);
  for (const e of entries) if (e.kind !== "member") addResource(e.kind, e.name, true);
  if (filter.resource) addResource(filter.resource.kind, filter.resource.name, true);

  const people = new Map<string, FilterChoice>();
  const addPerson = (email: string) => {
    const value = email.toLowerCase();
    if (!people.has(value) && value.includes("@")) people.set(value, { value, label: sameEmail(value, me) ? `You (${displayName(value)})` : displayName(value) });
  };
  addPerson(me);
  for (const m of facts.members) addPerson(m.email);
  for (const e of entries) {
    addPerson(e.actor);
    if (e.operation) addPerson(e.operation.by);
  }
  if (filter.person) addPerson(filter.person);

  const byLabel = (a: FilterChoice, b: FilterChoice) => a.label.localeCompare(b.label);
  return {
    resources: [...resources.values()].sort(byLabel),
    people: [...people.values()].sort(byLabel),
    kinds: KIND_CHOICES,
  };
}

/**
 * What a filtered feed shows: the server's pages for the filter and every entry this page holds
 * (the first page, live frames since, older pages) that matches it — so an entry arriving live
 * shows at once when it matches and never when it does not. Newest first, one per seq.
 */
export function filteredEntries(server: readonly ActivityEntry[], held: readonly ActivityEntry[], filter: ActivityFilter, superseded: ReadonlySet<number> = new Set()): ActivityEntry[] {
  const bySeq = new Map<number, ActivityEntry>();
  for (const e of server) if (!superseded.has(e.seq)) bySeq.set(e.seq, e);
  for (const e of held) if (activityMatches(e, filter)) bySeq.set(e.seq, e);
  return [...bySeq.values()].sort((a, b) => b.seq - a.seq);
}

/** Time windows offered in the control; the URL keeps the absolute start, so a link means the same later. */
export const TIME_WINDOWS = [
  { value: "1h", label: "Last hour", ms: 3_600_000 },
  { value: "24h", label: "Last 24 hours", ms: 86_400_000 },
  { value: "7d", label: "Last 7 days", ms: 7 * 86_400_000 },
  { value: "30d", label: "Last 30 days", ms: 30 * 86_400_000 },
] as const;

/** The start of a window ending now. */
export function windowStart(value: string, now: number): string | undefined {
  const window = TIME_WINDOWS.find((w) => w.value === value);
  return window ? new Date(now - window.ms).toISOString() : undefined;
}
