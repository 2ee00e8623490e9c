import { SvelteMap } from "svelte/reactivity";
import type { Lock, QueuedEdit, ResourceStatus } from "$contract";

/** How long a deleted resource stays on screen, greyed, before it leaves its list. */
export const DELETED_LINGER_MS = 4_000;

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
  readonly #items = new SvelteMap<string, T>();
  readonly #removals = new Map<string, ReturnType<typeof setTimeout>>();
  /** When each resource left the list (ms), so a late HTTP answer cannot bring it back. */
  readonly #removedAt = new Map<string, number>();
  /** The spec each resource had when its running operation took the lock, to say what it changes. */
  readonly #specBefore = new SvelteMap<string, { operationId: string; spec: T["spec"] }>();

  readonly list = $derived([...this.#items.values()].sort((a, b) => a.name.localeCompare(b.name, "en", { numeric: true })));

  get(name: string): T | undefined {
    return this.#items.get(name);
  }

  /** Takes a whole snapshot: what is missing from it is shown as deleted, then removed. */
  replace(items: readonly T[]): void {
    const names = new Set(items.map((i) => i.name));
    for (const name of [...this.#items.keys()]) if (!names.has(name)) this.markGone(name);
    for (const item of items) this.put(item);
  }

  put(item: T): void {
    const held = this.#items.get(item.name);
    if (!item.lock) this.#specBefore.delete(item.name);
    else if (held && held.status !== "deleted" && held.lock?.operationId !== item.lock.operationId) {
      this.#specBefore.set(item.name, { operationId: item.lock.operationId, spec: held.spec });
    }
    this.#cancelRemoval(item.name);
    this.#removedAt.delete(item.name);
    this.#items.set(item.name, item);
    if (item.status === "deleted") this.#scheduleRemoval(item.name);
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

  dispose(): void {
    for (const timer of this.#removals.values()) clearTimeout(timer);
    this.#removals.clear();
  }

  #scheduleRemoval(name: string): void {
    this.#cancelRemoval(name);
    this.#removals.set(
      name,
      setTimeout(() => {
        this.#removals.delete(name);
        const held = this.#items.get(name);
        if (held?.status !== "deleted") return;
        this.#items.delete(name);
        this.#removedAt.set(name, Math.max(Date.parse(held.updatedAt), Date.now()));
      }, DELETED_LINGER_MS),
    );
  }

  #cancelRemoval(name: string): void {
    const timer = this.#removals.get(name);
    if (timer !== undefined) clearTimeout(timer);
    this.#removals.delete(name);
  }
}
