import type { ActivityEntry } from "../worker/domain/contract";
import { isTerminalStackStatus, resourceStatusOf, type StackState } from "../worker/domain/stack-status";
import { applyStackState } from "./apply-stack-state";
import type { StoredBucket } from "./room-store";
import type { BucketStack } from "./stack-reader";

const STARTING_GRACE_MS = 10 * 60_000;

export interface HealStep {
  stored: StoredBucket;
  remove: boolean;
  activity: Pick<ActivityEntry, "message" | "tone">;
}

/**
 * Compares the room's buckets with what CloudFormation says and returns the corrections:
 * buckets the room never heard of, statuses whose events were missed (releasing stale locks),
 * specs changed outside Stackroom, and buckets whose stack is gone.
 */
export function healBuckets(current: StoredBucket[], stacks: BucketStack[], now: string): HealStep[] {
  const steps: HealStep[] = [];
  const byName = new Map(current.map((s) => [s.bucket.name, s]));
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
      steps.push({
        stored: {
          bucket: { name: stack.name, physicalName: stack.physicalName, spec: stack.spec, status, statusReason: state.reason, updatedAt: now },
          appliedSpec: status === "ready" ? stack.spec : null,
        },
        remove: false,
        activity: { message: `Found bucket ${stack.name} in CloudFormation (${stack.stackStatus})`, tone: "info" },
      });
      continue;
    }
    const applied = applyStackState(stored, state);
    const specDrift = !stored.bucket.lock && state.terminal && JSON.stringify(stored.bucket.spec) !== JSON.stringify(stack.spec);
    if (applied || specDrift) {
      const base = applied?.next ?? stored;
      const next = specDrift ? { bucket: { ...base.bucket, spec: stack.spec, updatedAt: now }, appliedSpec: stack.spec } : base;
      steps.push({
        stored: next,
        remove: false,
        activity: {
          message: `Refreshed bucket ${stack.name} from CloudFormation: ${stack.stackStatus}${specDrift ? " (settings changed outside Stackroom)" : ""}`,
          tone: status === "failed" ? "error" : "info",
        },
      });
    }
  }
  for (const stored of byName.values()) {
    // A create whose stack does not exist yet is still starting; leave it to its own operation
    // unless it has been "starting" for longer than any CreateStack call can take.
    const lock = stored.bucket.lock;
    if (lock?.action === "create" && Date.parse(now) - Date.parse(lock.since) < STARTING_GRACE_MS) continue;
    steps.push({
      stored: { ...stored, bucket: { ...stored.bucket, status: "deleted", lock: undefined, updatedAt: now } },
      remove: true,
      activity: { message: `Bucket ${stored.bucket.name} no longer exists in CloudFormation`, tone: "info" },
    });
  }
  return steps;
}
