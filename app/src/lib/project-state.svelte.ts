import { SvelteMap } from "svelte/reactivity";
import type { ActivityEntry, ActivityPage, Bucket, LiveFrame, ProjectSummary, ProjectView } from "$contract";

/** How long a deleted bucket stays on screen, greyed, before it leaves the list. */
export const DELETED_LINGER_MS = 4_000;

/** What the caller should do after `apply`: `resync` = our seq is ahead of the room's, reload. */
export type ApplyResult = "applied" | "ignored" | "resync";

/**
 * One project as this manager sees it: the KV snapshot, then every live frame with a higher seq.
 * Buckets are keyed by name; the activity feed is kept newest first and deduplicated by seq.
 */
export class ProjectState {
  readonly project: ProjectSummary;
  seq = $state(0);
  activity = $state<ActivityEntry[]>([]);
  /** `before` for the next older activity page; null when the feed is complete. */
  olderCursor = $state<number | null>(null);

  readonly #buckets = new SvelteMap<string, Bucket>();
  readonly #removals = new Map<string, ReturnType<typeof setTimeout>>();
  /** When each bucket left the list (ms), so a late HTTP answer cannot bring it back. */
  readonly #removedAt = new Map<string, number>();

  readonly buckets = $derived([...this.#buckets.values()].sort((a, b) => a.name.localeCompare(b.name, "en", { numeric: true })));

  constructor(view: ProjectView, firstActivityPage?: ActivityPage) {
    this.project = view.project;
    this.seq = view.seq;
    this.#replaceBuckets(view.buckets);
    if (firstActivityPage) this.addActivity(firstActivityPage);
  }

  /** Viewers read only; editors and owners create, change and delete. */
  get canWrite(): boolean {
    return this.project.role !== "viewer";
  }

  bucket(name: string): Bucket | undefined {
    return this.#buckets.get(name);
  }

  /** Applies one room frame; frames at or below our seq were already seen and are ignored. */
  apply(frame: LiveFrame): ApplyResult {
    switch (frame.type) {
      case "hello":
        return frame.seq < this.seq ? "resync" : "ignored";
      case "snapshot":
        this.#replaceBuckets(frame.buckets);
        this.seq = frame.seq;
        return "applied";
      case "change":
        if (frame.seq <= this.seq) return "ignored";
        this.seq = frame.seq;
        // `bucket` is absent for changes to other kinds of resource and null when a bucket is gone.
        if (frame.bucket) this.#put(frame.bucket);
        else if (frame.bucket === null && frame.activity.kind === "bucket") this.#markGone(frame.activity.name);
        this.#mergeActivity([frame.activity]);
        return "applied";
    }
  }

  /**
   * Takes a bucket from an HTTP answer (e.g. the 202 of a create). It has no seq, and the room
   * may already have pushed a later state (moto completes a stack before CreateStack returns),
   * so it only wins when it is newer than what we hold.
   */
  offer(bucket: Bucket): void {
    const offeredAt = Date.parse(bucket.updatedAt);
    const held = this.#buckets.get(bucket.name);
    if (held && Date.parse(held.updatedAt) >= offeredAt) return;
    if ((this.#removedAt.get(bucket.name) ?? -Infinity) >= offeredAt) return;
    this.#put(bucket);
  }

  /** Adds a page of activity (newest first) and remembers where the next older page starts. */
  addActivity(page: ActivityPage): void {
    this.#mergeActivity(page.entries);
    this.olderCursor = page.nextBefore;
  }

  /** Replaces the newest activity after a snapshot frame, keeping older pages already loaded. */
  refreshActivity(page: ActivityPage): void {
    this.#mergeActivity(page.entries);
  }

  /** Stops pending removals; call when the page goes away. */
  dispose(): void {
    for (const timer of this.#removals.values()) clearTimeout(timer);
    this.#removals.clear();
  }

  #replaceBuckets(buckets: readonly Bucket[]): void {
    const names = new Set(buckets.map((b) => b.name));
    for (const name of [...this.#buckets.keys()]) if (!names.has(name)) this.#markGone(name);
    for (const bucket of buckets) this.#put(bucket);
  }

  #put(bucket: Bucket): void {
    this.#cancelRemoval(bucket.name);
    this.#removedAt.delete(bucket.name);
    this.#buckets.set(bucket.name, bucket);
    if (bucket.status === "deleted") this.#scheduleRemoval(bucket.name);
  }

  /** Shows the bucket as deleted for a moment instead of letting the row vanish mid-glance. */
  #markGone(name: string): void {
    const held = this.#buckets.get(name);
    if (!held) return;
    if (held.status !== "deleted") this.#buckets.set(name, { ...held, status: "deleted", lock: undefined });
    if (!this.#removals.has(name)) this.#scheduleRemoval(name);
  }

  #scheduleRemoval(name: string): void {
    this.#cancelRemoval(name);
    this.#removals.set(
      name,
      setTimeout(() => {
        this.#removals.delete(name);
        const held = this.#buckets.get(name);
        if (held?.status !== "deleted") return;
        this.#buckets.delete(name);
        this.#removedAt.set(name, Math.max(Date.parse(held.updatedAt), Date.now()));
      }, DELETED_LINGER_MS),
    );
  }

  #cancelRemoval(name: string): void {
    const timer = this.#removals.get(name);
    if (timer !== undefined) clearTimeout(timer);
    this.#removals.delete(name);
  }

  #mergeActivity(entries: readonly ActivityEntry[]): void {
    const bySeq = new Map(this.activity.map((e) => [e.seq, e]));
    for (const entry of entries) bySeq.set(entry.seq, entry);
    this.activity = [...bySeq.values()].sort((a, b) => b.seq - a.seq);
  }
}
