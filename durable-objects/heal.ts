import type { ActivityEntry, ResourceKind } from "../worker/domain/contract";
import { isTerminalStackStatus, resourceStatusOf, type StackState } from "../worker/domain/stack-status";
import { applyStackState } from "./apply-stack-state";
import type { Stored } from "./room-store";

const STARTING_GRACE_MS = 10 * 60_000;
const label: Record<ResourceKind, string> = { bucket: "bucket", user: "user" };

/** A resource's stack as CloudFormation itself describes it: the truth the room heals towards. */
export interface ResourceStack<S> {
  name: string;
  spec: S;
  stackStatus: string;
  stackStatusReason?: string;
}

export interface HealStep<T extends Stored> {
  stored: T;
  remove: boolean;
  activity: Pick<ActivityEntry, "message" | "tone">;
}

/**
 * Compares the room's resources of one kind with what CloudFormation says and returns the
 * corrections: resources the room never heard of (built by `adopt`), statuses whose events were
 * missed (releasing stale locks), specs changed outside Stackroom, and resources whose stack is gone.
 */
export function healResources<T extends Stored>(
  kind: ResourceKind,
  current: T[],
  stacks: ResourceStack<T["resource"]["spec"]>[],
  now: string,
  adopt: (stack: ResourceStack<T["resource"]["spec"]>, state: StackState) => T,
): HealStep<T>[] {
  const steps: HealStep<T>[] = [];
  const byName = new Map(current.map((s) => [s.resource.name, s]));
  for (const stack of stacks) {
    const stored = byName.get(stack.name);
    byName.delete(stack.name);
    const status = resourceStatusOf(stack.stackStatus);
    const state: StackState = {
      stackStatus: stack.stackStatus,
      status,
      terminal: isTerminalStackStatus(stack.stackStatus),
      at: now,
      ...(status === "failed" && stack.stackStatusReason ? { reason: stack.stackStatusReason } : {}),
    };
    if (!stored) {
      steps.push({ stored: adopt(stack, state), remove: false, activity: { message: `Found ${label[kind]} ${stack.name} in CloudFormation (${stack.stackStatus})`, tone: "info" } });
      continue;
    }
    const applied = applyStackState(kind, stored, state);
    const specDrift = !stored.resource.lock && state.terminal && JSON.stringify(stored.resource.spec) !== JSON.stringify(stack.spec);
    if (!applied && !specDrift) continue;
    const base = applied?.next ?? stored;
    const next = specDrift ? { ...base, resource: { ...base.resource, spec: stack.spec, updatedAt: now }, appliedSpec: stack.spec } : base;
    steps.push({
      stored: next,
      remove: false,
      activity: {
        message: `Refreshed ${label[kind]} ${stack.name} from CloudFormation: ${stack.stackStatus}${specDrift ? " (settings changed outside Stackroom)" : ""}`,
        tone: status === "failed" ? "error" : "info",
      },
    });
  }
  for (const stored of byName.values()) {
    // A create whose stack does not exist yet is still starting; leave it to its own operation
    // unless it has been "starting" for longer than any CreateStack call can take.
    const lock = stored.resource.lock;
    if (lock?.action === "create" && Date.parse(now) - Date.parse(lock.since) < STARTING_GRACE_MS) continue;
    steps.push({
      stored: { ...stored, resource: { ...stored.resource, status: "deleted", lock: undefined, updatedAt: now } },
      remove: true,
      activity: { message: `The ${label[kind]} ${stored.resource.name} no longer exists in CloudFormation`, tone: "info" },
    });
  }
  return steps;
}
