import type { Bucket, User } from "$contract";

/** What the permission views show: users found by name or description in an order, buckets found by name. */
export interface MatrixQuery {
  user: string;
  bucket: string;
  sort: MatrixSort;
}

export type MatrixSort = "name" | "access";
export const matrixSortLabel = { name: "Users by name", access: "Most access first" } satisfies Record<MatrixSort, string>;
export const EMPTY_MATRIX_QUERY: MatrixQuery = { user: "", bucket: "", sort: "name" };

/** One collator for every comparison: `localeCompare` with options builds one per call, too slow for a sort per keystroke. */
const collator = new Intl.Collator("en", { numeric: true });
const byName = (a: { name: string }, b: { name: string }) => collator.compare(a.name, b.name);
const matches = (needle: string, ...texts: (string | null | undefined)[]) => {
  const words = needle.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = texts.filter(Boolean).join("\n").toLowerCase();
  return words.every((w) => haystack.includes(w));
};

/** Users found by name or description, in the query's order. */
export function findUsers(users: readonly User[], query: MatrixQuery): User[] {
  const rows = users.filter((u) => matches(query.user, u.name, u.spec.description));
  return rows.sort(query.sort === "access" ? (a, b) => b.spec.permissions.length - a.spec.permissions.length || byName(a, b) : byName);
}

/** Buckets found by name or AWS name, by name. */
export function findBuckets(buckets: readonly Bucket[], text: string): Bucket[] {
  return buckets.filter((b) => matches(text, b.name, b.physicalName)).sort(byName);
}

/** The rows and columns of the matrix. */
export function matrixView(users: readonly User[], buckets: readonly Bucket[], query: MatrixQuery): { users: User[]; buckets: Bucket[] } {
  return { users: findUsers(users, query), buckets: findBuckets(buckets, query.bucket) };
}

/** Which buckets one user's grant list shows: every bucket, those the user has access to, or those changed and not saved. */
export type GrantShow = "all" | "granted" | "changed";
export const grantShowLabel = { all: "All buckets", granted: "With access", changed: "Changed" } satisfies Record<GrantShow, string>;

/** One line of a user's grant list; `bucket` is absent when a grant names a bucket no longer in the project. */
export interface GrantLine {
  name: string;
  bucket?: Bucket;
}

/**
 * One user's grant list: the project's buckets found by `text`, plus buckets the user's grants
 * still name but the project no longer has (so those grants can be removed), narrowed by `show`.
 * `counts` are per `show` choice, within the search. `pinned` (the saved grants) lead the list,
 * so opening a user shows what they have first among 300 buckets; they are the saved ones, not
 * the draft's, so a line does not jump away while it is being toggled.
 */
export function grantLines(
  buckets: readonly Bucket[],
  grantedNames: ReadonlySet<string>,
  changedNames: ReadonlySet<string>,
  text: string,
  show: GrantShow,
  pinned: ReadonlySet<string> = new Set(),
): { lines: GrantLine[]; counts: Record<GrantShow, number> } {
  const inProject = new Set(buckets.map((b) => b.name));
  const found: GrantLine[] = [
    ...findBuckets(buckets, text).map((bucket) => ({ name: bucket.name, bucket })),
    ...[...grantedNames, ...changedNames].filter((name, i, all) => !inProject.has(name) && all.indexOf(name) === i && matches(text, name)).map((name) => ({ name })),
  ].sort((a, b) => Number(pinned.has(b.name)) - Number(pinned.has(a.name)) || byName(a, b));
  const granted = found.filter((l) => grantedNames.has(l.name));
  const changed = found.filter((l) => changedNames.has(l.name));
  const lines = show === "granted" ? granted : show === "changed" ? changed : found;
  return { lines, counts: { all: found.length, granted: granted.length, changed: changed.length } };
}
