import * as z from "zod";
import type { Stack } from "../core/aws";

/**
 * What the last heal saw of each of the project's stacks (one row per stack in `seen_stacks`): its
 * id, status, last update and the spec its kind read from its template. A heal reads GetTemplate
 * again only for a stack that is new, replaced (another id), or whose status, update time or tags
 * moved since; everything else reuses the spec seen here. A row per stack, written only when it
 * changed: one value for all of them reached 1.09 MB at 2,000 stacks (a Durable Object's SQLite
 * value holds 2 MB), and rewriting it cost a row write per stack per heal. Losing rows costs one
 * full read of their templates, nothing else.
 */
const SeenStack = z.object({
  stackId: z.string(),
  status: z.string(),
  /** LastUpdatedTime, or CreationTime for a stack never updated (ISO). */
  updated: z.string(),
  tags: z.string(),
  spec: z.record(z.string(), z.unknown()),
});
export type SeenStack = z.infer<typeof SeenStack>;

/** By stack name. */
export type SeenStacks = Map<string, SeenStack>;

/** The room meta key the whole map was kept under before the table (migration 6 moves it). */
const LEGACY_SEEN_KEY = "heal_seen_stacks";

/** Migration step: the table, filled from the old single meta row when there is one. */
export function addSeenStacksTable(sql: SqlStorage): void {
  sql.exec("CREATE TABLE IF NOT EXISTS seen_stacks (stack_name TEXT PRIMARY KEY, json TEXT NOT NULL)");
  const legacy = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", LEGACY_SEEN_KEY).toArray()[0];
  if (legacy) {
    try {
      const rows: unknown = JSON.parse(legacy.value);
      if (rows && typeof rows === "object" && !Array.isArray(rows)) {
        for (const [name, seen] of Object.entries(rows)) sql.exec("INSERT OR REPLACE INTO seen_stacks (stack_name, json) VALUES (?, ?)", name, JSON.stringify(seen));
      }
    } catch {
      // unreadable: the next heal reads every template once
    }
    sql.exec("DELETE FROM meta WHERE key = ?", LEGACY_SEEN_KEY);
  }
}

/** The seen stacks as loaded, with each row's text, so a save writes only what changed. */
export class SeenStackStore {
  readonly #loaded = new Map<string, string>();

  constructor(private readonly sql: SqlStorage) {}

  load(): SeenStacks {
    this.#loaded.clear();
    const seen: SeenStacks = new Map();
    for (const row of this.sql.exec<{ stack_name: string; json: string }>("SELECT stack_name, json FROM seen_stacks")) {
      this.#loaded.set(row.stack_name, row.json);
      try {
        const parsed = SeenStack.safeParse(JSON.parse(row.json));
        if (parsed.success) seen.set(row.stack_name, parsed.data);
      } catch {
        // an unreadable row: its template is read again, and the save replaces it
      }
    }
    return seen;
  }

  /** Writes the rows that changed since `load` and removes the stacks no longer seen. */
  save(seen: SeenStacks): void {
    for (const [name, entry] of seen) {
      const json = JSON.stringify(entry);
      if (this.#loaded.get(name) !== json) this.sql.exec("INSERT INTO seen_stacks (stack_name, json) VALUES (?, ?) ON CONFLICT(stack_name) DO UPDATE SET json = excluded.json", name, json);
    }
    for (const name of this.#loaded.keys()) if (!seen.has(name)) this.sql.exec("DELETE FROM seen_stacks WHERE stack_name = ?", name);
    this.#loaded.clear();
    for (const [name, entry] of seen) this.#loaded.set(name, JSON.stringify(entry));
  }
}

/** How a stack looks now, without its spec: what decides whether its template is read again. */
export function seenOf(stack: Stack, spec: object): SeenStack {
  return {
    stackId: stack.stackId,
    status: stack.stackStatus,
    updated: (stack.lastUpdatedTime ?? stack.creationTime).toISOString(),
    tags: JSON.stringify(Object.entries(stack.tags).sort(([a], [b]) => a.localeCompare(b))),
    spec: { ...spec },
  };
}

/** The spec seen before, if the stack is the same stack in the same state; undefined: read its template. */
export function unchangedSpec(seen: SeenStack | undefined, stack: Stack): object | undefined {
  if (!seen) return undefined;
  const now = seenOf(stack, {});
  return seen.stackId === now.stackId && seen.status === now.status && seen.updated === now.updated && seen.tags === now.tags ? seen.spec : undefined;
}
