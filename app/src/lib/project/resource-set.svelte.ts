import { SvelteMap, SvelteSet } from "svelte/reactivity";
import type { Lock, QueuedEdit, ResourceStatus } from "$contract";

/** How long a deleted resource stays on screen, greyed, before it leaves its list by itself. */
export const DELETED_LINGER_MS = 12_000;
/** The last part of the linger, during which the row fades out. */
export const DELETED_FADE_MS = 800;

/** What buckets and users have in common for the live list. */
export interface Resource {
  name: string;
  spec: unknown;
  status: ResourceStatus;
  updatedAt: string;
  lock?: Lock | undefined;
  queue?: QueuedEdit[] | undefined;
}

/**
 * One kind of resource of a project, keyed by name and sorted for display. A deleted resource
 * lingers greyed for a moment, and an HTTP answer older than what the room pushed never wins.
 */
export class ResourceSet<T extends Resource> {
  /**
   * By name. A live frame edits one key; a snapshot swaps in a whole new map, so hundreds of
   * resources cost one update instead of two signal writes each (a new key bumps the map's
   * version and size; in dev mode each such write past the fifth records a stack trace).
   */
  #items = $state.raw(new SvelteMap<string, T>());
  readonly #removals = new Map<string, ReturnType<typeof setTimeout>[]>();
  /** Deleted resources in their last moment on screen (the row fades). */
  readonly leaving = new SvelteSet<string>();
  /** When each resource left the list (ms), so a late HTTP answer cannot bring it back. */
  readonly #removedAt = new Map<string, number>();
  /** The spec each resource had when its running operation took the lock, to say what it changes. */
  readonly #specBefore = new SvelteMap<string, { operationId: string; spec: T["spec"] }>();

  readonly list = $derived([...this.#items.values()].sort((a, b) => a.name.localeCompare(b.name, "en", { numeric: true })));
  /** How many exist: a deleted one still on screen is not counted. */
  readonly liveCount = $derived(this.list.filter((r) => r.status !== "deleted").length);

  get(name: string): T | undefined {
    return this.#items.get(name);
  }

  /** Takes a whole snapshot: what is missing from it is shown as deleted, then removed. */
  replace(items: readonly T[]): void {
    const names = new Set(items.map((i) => i.name));
    for (const name of [...this.#items.keys()]) if (!names.has(name)) this.markGone(name);
    const held = new Map(this.#items);
    const next = new Map(held);
    for (const item of items) {
      this.#admit(item, held.get(item.name));
      next.set(item.name, item);
    }
    this.#items = new SvelteMap(next);
    for (const item of items) this.#settle(item, held.get(item.name));
  }

  put(item: T): void {
    const held = this.#items.get(item.name);
    this.#admit(item, held);
    this.#items.set(item.name, item);
    this.#settle(item, held);
  }

  /** What taking `item` in place of `held` changes beside the map: the spec before its lock, pending removals. */
  #admit(item: T, held: T | undefined): void {
    if (!item.lock) this.#specBefore.delete(item.name);
    else if (held && held.status !== "deleted" && held.lock?.operationId !== item.lock.operationId) {
      this.#specBefore.set(item.name, { operationId: item.lock.operationId, spec: held.spec });
    }
    this.#cancelRemoval(item.name);
    this.#removedAt.delete(item.name);
  }

  /** A deleted resource lingers a moment, unless it never existed. */
  #settle(item: T, held: T | undefined): void {
    if (item.status !== "deleted") return;
    // A create AWS refused at once never made a resource: nothing to show as deleted, no ghost row.
    if (held?.status === "creating" && held.lock?.action === "create") this.#remove(item.name);
    else this.#scheduleRemoval(item.name);
  }

  /** The spec before the running operation started, when this page saw it (not after a mid-operation load). */
  specBefore(name: string): T["spec"] | undefined {
    const item = this.#items.get(name);
    const before = this.#specBefore.get(name);
    return item?.lock && before?.operationId === item.lock.operationId ? before.spec : undefined;
  }

  /**
   * Takes a resource from an HTTP answer (e.g. a 202). It has no seq, and the room may already
   * have pushed a later state (moto completes a stack before CreateStack returns), so it only
   * wins when it is newer than what we hold.
   */
  offer(item: T): void {
    const offeredAt = Date.parse(item.updatedAt);
    const held = this.#items.get(item.name);
    if (held && Date.parse(held.updatedAt) >= offeredAt) return;
    // The answer to our own DELETE can arrive after the room reported the deletion finished.
    if (held?.status === "deleted" && item.status === "deleting") return;
    if ((this.#removedAt.get(item.name) ?? -Infinity) >= offeredAt) return;
    this.put(item);
  }

  /** Shows the resource as deleted for a moment instead of letting its row vanish mid-glance. */
  markGone(name: string): void {
    const held = this.#items.get(name);
    if (!held) return;
    if (held.status !== "deleted") this.#items.set(name, { ...held, status: "deleted", lock: undefined, queue: undefined });
    if (!this.#removals.has(name)) this.#scheduleRemoval(name);
  }

  /** The manager is done looking at a deleted resource: it leaves the list now. */
  dismiss(name: string): void {
    if (this.#items.get(name)?.status === "deleted") this.#remove(name);
  }

  dispose(): void {
    for (const timers of this.#removals.values()) for (const timer of timers) clearTimeout(timer);
    this.#removals.clear();
  }

  #scheduleRemoval(name: string): void {
    this.#cancelRemoval(name);
    this.#removals.set(name, [
      setTimeout(() => this.leaving.add(name), DELETED_LINGER_MS - DELETED_FADE_MS),
      setTimeout(() => this.#remove(name), DELETED_LINGER_MS),
    ]);
  }

  #remove(name: string): void {
    this.#cancelRemoval(name);
    const held = this.#items.get(name);
    if (held?.status !== "deleted") return;
    this.#items.delete(name);
    this.#removedAt.set(name, Math.max(Date.parse(held.updatedAt), Date.now()));
  }

  #cancelRemoval(name: string): void {
    for (const timer of this.#removals.get(name) ?? []) clearTimeout(timer);
    this.#removals.delete(name);
    this.leaving.delete(name);
  }
}
