import { FileList, type FileEntry } from "$contract";
import { api } from "$lib/api";
import { errorMessage } from "$lib/attempt";
import { FILES_PAGE, PREFIX_PAUSE_MS, filesPath, hasMore, nextLimit, refreshDelay } from "./file-list";

/**
 * A bucket's recent files as its page shows them: read from the room under a key prefix (typed,
 * asked for once the typing pauses), a page more on "Show more", and read again when the live feed
 * says files changed, at most once every 2 s however fast a burst arrives. An answer to a query
 * no longer shown is dropped.
 */
export class RecentFiles {
  files = $state<FileEntry[]>([]);
  /** The prefix box as typed; `prefix` follows once the typing pauses. */
  typed = $state("");
  prefix = $state("");
  limit = $state(FILES_PAGE);
  /** A first answer for the current prefix has arrived (until then the list is loading). */
  loaded = $state(false);
  loading = $state(false);
  error = $state<string | null>(null);

  #asked = 0;
  #lastReadMs: number | null = null;
  #pause: ReturnType<typeof setTimeout> | undefined;
  #refresh: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly project: string,
    readonly bucket: string,
  ) {}

  get more(): boolean {
    return this.loaded && hasMore(this.files.length, this.limit);
  }

  /** Reads the list now under the current prefix and limit. */
  async load(): Promise<void> {
    const asked = ++this.#asked;
    const prefix = this.prefix;
    this.#lastReadMs = Date.now();
    this.loading = true;
    try {
      const answer = await api(filesPath(this.project, this.bucket, prefix, this.limit), FileList);
      if (asked !== this.#asked) return;
      this.files = answer.files;
      this.error = null;
      this.loaded = true;
    } catch (err) {
      if (asked === this.#asked) this.error = errorMessage(err, "Could not load the recent files.");
    } finally {
      if (asked === this.#asked) this.loading = false;
    }
  }

  /** The prefix box changed: start over under the new prefix once the typing pauses. */
  type(value: string): void {
    this.typed = value;
    clearTimeout(this.#pause);
    this.#pause = setTimeout(() => {
      if (value === this.prefix) return;
      this.prefix = value;
      this.limit = FILES_PAGE;
      this.files = [];
      this.loaded = false;
      void this.load();
    }, PREFIX_PAUSE_MS);
  }

  /** "Show more": a page more, up to what the room keeps. */
  showMore(): void {
    this.limit = nextLimit(this.limit);
    void this.load();
  }

  /** Files changed (a live file line): read again, at most once every 2 s. */
  changed(): void {
    if (this.#refresh !== undefined) return;
    this.#refresh = setTimeout(() => {
      this.#refresh = undefined;
      void this.load();
    }, refreshDelay(this.#lastReadMs, Date.now()));
  }

  /** Stops pending reads; call when the page goes away. */
  dispose(): void {
    clearTimeout(this.#pause);
    clearTimeout(this.#refresh);
    this.#asked++;
  }
}
