import type { Lock, QueuedEdit, ResourceKind } from "$contract";
import { whose } from "./people";
import type { Resource } from "./resource-set.svelte";

/** What an accepted change's 202 carries: the resource as it is now, and the change's id. */
export interface Accepted {
  resource: (Resource & { queueHeld?: string | undefined }) | undefined;
  operationId: string | undefined;
}

/** The change waits in the queue when its id is among the resource's queued edits. */
export function queuedEdit({ resource, operationId }: Accepted): QueuedEdit | undefined {
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
  const what = `${kind} ${name}`;
  if (resource?.lock) return `Your change to ${what} is queued behind ${runningOperation(resource.lock, me)}; it starts by itself when that finishes.`;
  if (resource?.queueHeld) return `Your change to ${what} is queued, but the queue is on hold: ${resource.queueHeld}`;
  return `Your change to ${what} is queued behind earlier edits; it starts by itself.`;
}
