import type { AccessReview } from "$contract";
import { errorMessage } from "$lib/attempt";
import { getAccessReview, refreshAccessReview } from "./review-api";

/**
 * The project's access review as this page knows it: loaded on demand (the tab's badge and the
 * Review tab), read again when the project's users change live, refreshed from IAM on request.
 */
export class AccessReviewState {
  review = $state<AccessReview | null>(null);
  error = $state<string | null>(null);
  refreshing = $state(false);
  #loading: Promise<void> | null = null;

  constructor(readonly projectId: string) {}

  /** Users with at least one flag: the count on the Review tab (null until loaded). */
  get flagged(): number | null {
    return this.review?.totals.flaggedUsers ?? null;
  }

  /** Reads the review again (coalesced: one read at a time). */
  load(): Promise<void> {
    this.#loading ??= (async () => {
      try {
        this.review = await getAccessReview(this.projectId);
        this.error = null;
      } catch (err) {
        this.error = errorMessage(err, "Could not load the access review.");
      } finally {
        this.#loading = null;
      }
    })();
    return this.#loading;
  }

  /** Editors: asks the room to read IAM now; the answer is the fresh review. */
  async refresh(): Promise<void> {
    this.refreshing = true;
    try {
      this.review = await refreshAccessReview(this.projectId);
      this.error = null;
    } catch (err) {
      this.error = errorMessage(err, "Could not refresh the access review.");
    } finally {
      this.refreshing = false;
    }
  }
}
