import type { ResourceKind } from "$contract";
import { changeAccess, type Accepted } from "./operations";

/**
 * What a dialog that changes an existing resource needs about its queue: whether saving now
 * queues (the resource is busy, read live), and the manager's "don't queue, fail instead".
 */
export class QueueChoice {
  failInstead = $state(false);
  readonly #kind: ResourceKind;
  readonly #current: () => Accepted["resource"];
  readonly #me: () => string;
  readonly #action: "update" | "delete";

  /** `current` and `me` are read on use, so the answer follows the live resource. */
  constructor(kind: ResourceKind, current: () => Accepted["resource"], me: () => string, action: "update" | "delete" = "update") {
    this.#kind = kind;
    this.#current = current;
    this.#me = me;
    this.#action = action;
  }

  /** Saving now puts the change in the queue (the submit button says so). */
  get queues(): boolean {
    const resource = this.#current();
    return resource !== undefined && !this.failInstead && changeAccess(this.#kind, resource, this.#me(), this.#action).state === "queues";
  }

  /** The `queue` flag for the request body. */
  get queue(): boolean {
    return !this.failInstead;
  }
}
