import type { Share } from "$contract";
import { listShares, revokeShare } from "$lib/api";
import { errorMessage } from "$lib/attempt";

/** Debounce for refreshes triggered by activity: a burst of user events costs one request. */
const REFRESH_DELAY_MS = 250;

/**
 * The project's share links as managers see them (never the ciphertext). Loaded on first use;
 * refreshed when the room reports activity on a user, which is how "viewed" arrives live.
 */
export class ProjectShares {
  items = $state<Share[]>([]);
  status = $state<"idle" | "loading" | "ready" | "error">("idle");
  error = $state<string | null>(null);

  readonly #project: string;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #generation = 0;

  constructor(project: string) {
    this.#project = project;
  }

  forUser(name: string): Share[] {
    return this.items.filter((s) => s.user === name);
  }

  /** Loads once; later calls do nothing until `refresh`. */
  ensureLoaded(): void {
    if (this.status === "idle") void this.refresh();
  }

  async refresh(): Promise<void> {
    const generation = ++this.#generation;
    if (this.status !== "ready") this.status = "loading";
    try {
      const { shares } = await listShares(this.#project);
      // An older request answering after a newer one must not win.
      if (generation !== this.#generation) return;
      this.items = [...shares].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      this.status = "ready";
      this.error = null;
    } catch (err) {
      if (generation !== this.#generation) return;
      this.error = errorMessage(err, "Could not load the share links.");
      if (this.status !== "ready") this.status = "error";
    }
  }

  /** After activity on a user: one of its links may have been opened; only if already loaded. */
  refreshSoon(): void {
    if (this.status === "idle") return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.refresh(), REFRESH_DELAY_MS);
  }

  put(share: Share): void {
    this.items = [share, ...this.items.filter((s) => s.handle !== share.handle)].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async revoke(handle: string): Promise<void> {
    const { share } = await revokeShare(this.#project, handle);
    this.put(share);
  }

  dispose(): void {
    clearTimeout(this.#timer);
  }
}
