import * as z from "zod";
import type { Stack } from "../core/aws";
import type { RoomStore } from "./room-store";

/**
 * What the last heal saw of each of the project's stacks (one meta row): its id, status, last
 * update and the spec its kind read from its template. A heal reads GetTemplate again only for a
 * stack that is new, replaced (another id), or whose status, update time or tags moved since;
 * everything else reuses the spec seen here. Losing the row costs one full read, nothing else.
 */
const SEEN_KEY = "heal_seen_stacks";

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

const SeenRow = z.record(z.string(), SeenStack);

export function loadSeenStacks(store: RoomStore): SeenStacks {
  const json = store.getMeta(SEEN_KEY);
  if (json === undefined) return new Map();
  try {
    return new Map(Object.entries(SeenRow.parse(JSON.parse(json))));
  } catch {
    return new Map(); // an unreadable row: the next heal reads every template once
  }
}

export function saveSeenStacks(store: RoomStore, seen: SeenStacks): void {
  store.setMeta(SEEN_KEY, JSON.stringify(Object.fromEntries(seen)));
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
