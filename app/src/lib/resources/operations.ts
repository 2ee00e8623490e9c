import type { Lock, QueuedEdit, ResourceKind } from "$contract";
import { KINDS } from "$core/kinds";
import { capitalize } from "$core/words";
import { resourceLabel } from "$lib/format";
import { whose } from "$lib/people";
import type { Resource } from "$lib/project/resource-set.svelte";

/** What an accepted change's 202 carries: the resource as it is now, and the change's id. */
export interface Accepted {
  resource: (Resource & { queueHeld?: string | undefined; neverCreated?: true | undefined }) | undefined;
  operationId: string | undefined;
}

/** The change waits in the queue when its id is among the resource's queued edits. */
function queuedEdit({ resource, operationId }: Accepted): QueuedEdit | undefined {
  return operationId === undefined ? undefined : resource?.queue?.find((e) => e.operationId === operationId);
}

export const lockNoun: Record<Lock["action"], string> = { create: "creation", update: "update", delete: "deletion" };

/** "Alice’s update" / "your update" — the operation something waits behind. */
export function runningOperation(lock: Lock, me: string, midSentence = true): string {
  const owner = whose(lock.by, me);
  return `${midSentence && owner === "Your" ? "your" : owner} ${lockNoun[lock.action]}`;
}

/**
 * The toast after a create/update/delete was accepted: `started` when it runs now, otherwise
 * where it waits — so nobody wonders why their change "did nothing".
 */
export function acceptedMessage(kind: ResourceKind, name: string, started: string, accepted: Accepted, me: string): string {
  if (!queuedEdit(accepted)) return started;
  const { resource } = accepted;
  const what = resourceLabel(kind, name);
  if (resource?.lock) return `Your change to ${what} is queued behind ${runningOperation(resource.lock, me)}; it starts by itself when that finishes.`;
  if (resource?.queueHeld) return `Your change to ${what} is queued, but the queue is on hold: ${resource.queueHeld}`;
  return `Your change to ${what} is queued behind earlier edits; it starts by itself.`;
}

export type ChangeAccess =
  | { state: "free"; why?: string }
  /** Allowed; the change waits in the queue. `why` says behind what. */
  | { state: "queues"; why: string }
  /** Nothing to change any more (deleted, or a deletion runs or waits). */
  | { state: "closed"; why: string };

/** A resource as the page holds it: lock, queue and why the queue is held. */
type LiveResource = NonNullable<Accepted["resource"]>;

/**
 * What an edit or a delete of a resource does right now, and why — shown before anyone clicks.
 * Deleting a resource whose queue is held is the repair the queue waits for: the room starts it
 * at once, and the waiting edits will not run.
 */
export function changeAccess(kind: ResourceKind, resource: LiveResource, me: string, action: "update" | "delete" = "update"): ChangeAccess {
  const { lock, queue = [] } = resource;
  const noun = KINDS[kind].singular;
  if (resource.status === "deleted") return { state: "closed", why: `This ${noun} is deleted.` };
  if (resource.neverCreated && action === "update") return { state: "closed", why: `This ${noun} was never made: remove it, then create it again.` };
  if (lock?.action === "delete" || resource.status === "deleting") {
    return { state: "closed", why: lock ? `${capitalize(runningOperation(lock, me, false))} of this ${noun} is running.` : `This ${noun} is being deleted.` };
  }
  if (queue.some((e) => e.action === "delete")) return { state: "closed", why: `A deletion of this ${noun} is queued; cancel it to make other changes.` };
  if (lock) return { state: "queues", why: `${capitalize(runningOperation(lock, me, false))} is running: your change will be queued and start by itself when it finishes.` };
  if (resource.queueHeld) {
    return action === "delete"
      ? { state: "free", why: `The queue is on hold; deleting is the repair and starts at once. ${queue.length === 1 ? "The edit waiting" : `The ${queue.length} edits waiting`} will not run.` }
      : { state: "queues", why: `Your change will be queued, but the queue is on hold: ${resource.queueHeld}` };
  }
  if (queue.length) return { state: "queues", why: `${queue.length === 1 ? "1 edit is" : `${queue.length} edits are`} waiting; your change will be queued after ${queue.length === 1 ? "it" : "them"}.` };
  return { state: "free" };
}
