import type { ProjectRecord } from "../worker/domain/contract";
import type { RoomContext } from "./room-context";
import { startOperation } from "./room-operations";
import { userOperation } from "./room-plans";
import { needsExpiry, nextExpiryCheck } from "./user-expiry";

/** The room has one alarm; it serves the coalesced KV snapshot and user expiry. */
export function nextAlarm(room: RoomContext, now: number): number | null {
  const snapshotDue = Number(room.store.getMeta("snapshotDue") ?? Infinity);
  const expiry = nextExpiryCheck(room.store.list("user"), now);
  const at = Math.min(snapshotDue, expiry ?? Infinity);
  return Number.isFinite(at) ? at : null;
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
