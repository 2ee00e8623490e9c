import type { ActivityEntry, ActivityFilter } from "$contract";
import { getActivity } from "$lib/api";
import { activityFilterKey } from "./activity-filter";

/**
 * The server's pages of activity under one filter (the feed's view while a filter is on). A new
 * filter starts over; an answer that arrives for a filter no longer shown is dropped.
 */
export class FilteredActivity {
  /** Newest first, as the server answered them. */
  entries = $state<ActivityEntry[]>([]);
  /** `before` for the next older page under the filter; null when there is none. */
  cursor = $state<number | null>(null);
  /** The first page under the current filter has arrived. */
  loaded = $state(false);
  loading = $state(false);
  failed = $state<string | null>(null);
  #key: string | null = null;
  #filter: ActivityFilter = {};

  constructor(private readonly project: string) {}

  /** Shows `filter`: fetches its first page unless it is the filter already shown. */
  show(filter: ActivityFilter): void {
    const key = activityFilterKey(filter);
    if (key === this.#key) return;
    this.#key = key;
    this.#filter = filter;
    this.entries = [];
    this.cursor = null;
    this.loaded = false;
    this.failed = null;
    void this.#load(key, undefined);
  }

  /** Fetches the next older page under the current filter. */
  async older(): Promise<void> {
    if (this.cursor === null || this.#key === null || this.loading) return;
    await this.#load(this.#key, this.cursor);
  }

  async #load(key: string, before: number | undefined): Promise<void> {
    this.loading = true;
    try {
      const page = await getActivity(this.project, { filter: this.#filter, ...(before === undefined ? {} : { before }) });
      if (key !== this.#key) return;
      const seen = new Set(this.entries.map((e) => e.seq));
      this.entries = [...this.entries, ...page.entries.filter((e) => !seen.has(e.seq))];
      this.cursor = page.nextBefore;
      this.loaded = true;
    } catch (err) {
      if (key === this.#key) this.failed = err instanceof Error ? err.message : "Could not load the activity.";
    } finally {
      if (key === this.#key) this.loading = false;
    }
  }
}
