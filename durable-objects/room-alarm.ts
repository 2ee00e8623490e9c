import type { ProjectRecord } from "../worker/domain/contract";
import type { RoomContext } from "./room-context";
import { patchResource, startOperation } from "./room-operations";
import { userOperation } from "./room-plans";
import { needsExpiry, nextExpiryCheck } from "./user-expiry";
import type { ResourceKind } from "../worker/domain/contract";
import { AwsError } from "../worker/aws/errors";
import { stackName } from "../worker/domain/naming";
import { isTerminalStackStatus, resourceStatusOf, type StackState } from "../worker/domain/stack-status";
import { applyStackState } from "./apply-stack-state";
import type { Stored } from "./room-store";

/** The room has one alarm; it serves the coalesced KV snapshot, user expiry and stuck locks. */
export function nextAlarm(room: RoomContext, now: number, stuckMs: number): number | null {
  const snapshotDue = Number(room.store.getMeta("snapshotDue") ?? Infinity);
  const expiry = nextExpiryCheck(room.store.list("user"), now);
  const stuck = Math.min(...lockedResources(room).map(({ lastHeard }) => Math.max(lastHeard + stuckMs, now + 1_000)));
  const at = Math.min(snapshotDue, expiry ?? Infinity, stuck);
  return Number.isFinite(at) ? at : null;
}

/** Every locked resource with the last time anything was heard of its operation. */
function lockedResources(room: RoomContext): Array<{ kind: ResourceKind; stored: Stored; lastHeard: number }> {
  return (["bucket", "user"] as const).flatMap((kind) =>
    room.store.list(kind).flatMap((stored) => {
      const lock = stored.resource.lock;
      if (!lock) return [];
      const heard = room.store.lastHeard(kind, stored.resource.name);
      return [{ kind, stored, lastHeard: Math.max(Date.parse(lock.since), heard) }];
    }),
  );
}

/**
 * A lock whose operation sent no event for `stuckMs` (a lost SNS delivery, a bridge outage) is
 * checked against CloudFormation itself (DescribeStacks), and the room continues from the truth.
 */
export async function healStuckLocks(room: RoomContext, project: ProjectRecord, now: number, stuckMs: number): Promise<void> {
  for (const { kind, stored, lastHeard } of lockedResources(room)) {
    if (now - lastHeard < stuckMs) continue;
    const name = stored.resource.name;
    room.store.heard(kind, name, now); // next look in another stuckMs
    let state: StackState;
    try {
      const [stack] = await room.gateway(project).cloudformation.describeStacks(stackName(project.id, kind, name));
      if (!stack) continue;
      const status = resourceStatusOf(stack.stackStatus);
      state = { stackStatus: stack.stackStatus, status, terminal: isTerminalStackStatus(stack.stackStatus), at: new Date(now).toISOString(), ...(status === "failed" && stack.stackStatusReason ? { reason: stack.stackStatusReason } : {}) };
    } catch (err) {
      if (!(err instanceof AwsError && err.kind === "StackNotFound")) {
        console.error("ProjectRoom:stuck-lock check failed", { kind, name, error: err instanceof Error ? err.message : String(err) });
        continue;
      }
      // No stack: a delete that finished, or a create that never started.
      state = { stackStatus: "DELETE_COMPLETE", status: "deleted", terminal: true, at: new Date(now).toISOString() };
      if (stored.resource.lock?.action !== "delete") state = { ...state, stackStatus: "NOT_FOUND" };
    }
    const applied = state.stackStatus === "NOT_FOUND" ? null : applyStackState(kind, stored, state);
    const current = room.store.get(kind, name);
    if (applied && current?.resource.lock?.operationId === stored.resource.lock?.operationId) {
      room.record(kind, applied.next, { actor: "Stackroom", message: `No event for ${Math.round(stuckMs / 1000)} s; CloudFormation says ${state.stackStatus}. ${applied.activity.message}`, tone: applied.activity.tone }, applied.next.resource.status === "deleted");
    } else if (state.stackStatus === "NOT_FOUND" && current?.resource.lock) {
      room.record(kind, patchResource(current, { status: "deleted", lock: undefined }), { actor: "Stackroom", message: `The ${kind} ${name} has no CloudFormation stack; its operation never started`, tone: "error" }, true);
    }
  }
}

/**
 * Stops expired users: their active keys are deactivated through IAM at once, and their grants
 * are removed through the normal stack path (so CloudFormation stays the store of truth).
 * A locked user is left for the next alarm.
 */
export async function expireDueUsers(room: RoomContext, project: ProjectRecord, now: number): Promise<void> {
  for (const user of room.store.list("user").filter((u) => needsExpiry(u, now) && !u.resource.lock)) {
    const name = user.resource.name;
    const gateway = room.gateway(project);
    try {
      for (const key of user.resource.keys.filter((k) => k.status === "Active")) await gateway.keys.setStatus(name, key.accessKeyId, "Inactive");
    } catch (err) {
      console.error("ProjectRoom:expiry could not deactivate keys", { name, error: err instanceof Error ? err.message : String(err) });
      continue;
    }
    const fresh = room.store.get("user", name) ?? user;
    const keys = fresh.resource.keys.map((k) => ({ ...k, status: "Inactive" as const }));
    room.record("user", { ...fresh, resource: { ...fresh.resource, keys } }, { actor: "Stackroom", message: `User ${name} expired: its access keys were deactivated`, tone: "info" });
    if (fresh.resource.spec.permissions.length === 0) continue;
    const spec = { ...fresh.resource.spec, permissions: [] };
    const result = await startOperation(room, userOperation(room, { project, actor: "Stackroom (expiry)", change: { action: "update", name, spec } }));
    if (!result.ok) console.error("ProjectRoom:expiry could not remove grants", { name, error: result.error.message });
  }
}
