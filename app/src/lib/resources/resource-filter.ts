import type { ResourceStatus } from "$contract";

/** What the tables show: a text search, a status group and an order, chosen by the manager. */
export interface ResourceQuery {
  text: string;
  status: StatusGroup;
  sort: SortOrder;
}

export type StatusGroup = "all" | "working" | "failed" | "ready";
export type SortOrder = "name" | "updated" | "attention";

export const statusGroupLabel = { all: "All statuses", working: "In progress", failed: "Failed", ready: "Ready" } satisfies Record<StatusGroup, string>;
export const sortOrderLabel = { name: "Name (A–Z)", updated: "Recently changed", attention: "Needs attention first" } satisfies Record<SortOrder, string>;

export const EMPTY_QUERY: ResourceQuery = { text: "", status: "all", sort: "name" };

interface Filterable {
  name: string;
  status: ResourceStatus;
  updatedAt: string;
}

const groupOf: Record<ResourceStatus, Exclude<StatusGroup, "all"> | "gone"> = {
  queued: "working",
  creating: "working",
  updating: "working",
  deleting: "working",
  failed: "failed",
  ready: "ready",
  deleted: "gone",
};

/** Failed first, then what is running, then the rest: the order a manager's eye should take. */
const attention: Record<ResourceStatus, number> = { failed: 0, queued: 1, creating: 1, updating: 1, deleting: 1, ready: 2, deleted: 3 };

const byName = (a: Filterable, b: Filterable) => a.name.localeCompare(b.name, "en", { numeric: true });

/** True when the query narrows anything (the table then says "n of m" and offers Clear). */
export function isFiltering(query: ResourceQuery): boolean {
  return query.text.trim() !== "" || query.status !== "all";
}

/**
 * The rows a table shows for `query`. `words` gives the text a row is found by (its name is
 * always included: a bucket's AWS name, a user's description and buckets). A deleted row still
 * on screen stays visible under "All statuses" only.
 */
export function filterResources<T extends Filterable>(list: readonly T[], query: ResourceQuery, words: (item: T) => readonly string[] = () => []): T[] {
  const needles = query.text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const kept = list.filter((item) => {
    if (query.status !== "all" && groupOf[item.status] !== query.status) return false;
    if (needles.length === 0) return true;
    const haystack = [item.name, ...words(item)].join("\n").toLowerCase();
    return needles.every((needle) => haystack.includes(needle));
  });
  const order: Record<SortOrder, (a: T, b: T) => number> = {
    name: byName,
    updated: (a, b) => b.updatedAt.localeCompare(a.updatedAt) || byName(a, b),
    attention: (a, b) => attention[a.status] - attention[b.status] || byName(a, b),
  };
  return kept.sort(order[query.sort]);
}
