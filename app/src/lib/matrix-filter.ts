import type { Bucket, User } from "$contract";

/** What the permission matrix shows: users (rows) and buckets (columns) found by name, users in an order. */
export interface MatrixQuery {
  user: string;
  bucket: string;
  sort: MatrixSort;
}

export type MatrixSort = "name" | "access";
export const matrixSortLabel = { name: "Users by name", access: "Most access first" } satisfies Record<MatrixSort, string>;
export const EMPTY_MATRIX_QUERY: MatrixQuery = { user: "", bucket: "", sort: "name" };

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name, "en", { numeric: true });
const matches = (needle: string, ...texts: (string | null | undefined)[]) => {
  const words = needle.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const haystack = texts.filter(Boolean).join("\n").toLowerCase();
  return words.every((w) => haystack.includes(w));
};

/** The rows and columns to draw; a user is also found by its description. */
export function matrixView(users: readonly User[], buckets: readonly Bucket[], query: MatrixQuery): { users: User[]; buckets: Bucket[] } {
  const rows = users.filter((u) => matches(query.user, u.name, u.spec.description));
  rows.sort(query.sort === "access" ? (a, b) => b.spec.permissions.length - a.spec.permissions.length || byName(a, b) : byName);
  return { users: rows, buckets: buckets.filter((b) => matches(query.bucket, b.name, b.physicalName)).sort(byName) };
}
