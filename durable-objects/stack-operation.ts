import type { ActivityOperation, ResourceAction } from "../core/contract";
import { stackName } from "../core/naming";
import { capitalize } from "../core/words";
import type { RoomContext } from "./room-context";
import { RoomError, refusal, type RoomResult } from "./room-error";
import type { KindModule, Operation, ResourceView, StoredResource } from "./kinds/kind";
import { assertUnlocked, lockResource, refused, roomErrorFromAws } from "./kinds/kit";

/**
 * A stack operation, for every kind: plan (validate, lock) → record and broadcast the locked
 * state → run (CloudFormation) → outcome. When nothing reached CloudFormation (refused, or a
 * no-op), the lock is undone and the activity says why. Events may arrive before the call
 * returns; they find the lock.
 */
export async function startOperation(room: RoomContext, op: Operation): Promise<RoomResult<{ resource: ResourceView; operationId: string }>> {
  const operationId = op.operationId ?? crypto.randomUUID();
  const before = room.store.get(op.kind, op.name);
  let planned: StoredResource;
  try {
    planned = op.plan(operationId, new Date().toISOString());
  } catch (err) {
    if (err instanceof RoomError) return refusal(err);
    throw err;
  }
  const lock = planned.resource.lock;
  if (op.repair && lock) planned = { ...planned, resource: { ...planned.resource, lock: { ...lock, repair: op.repair } } };
  const { message, detail } = op.describe(planned);
  const operation = (step: ActivityOperation["step"]): ActivityOperation => ({
    id: operationId,
    action: op.action,
    step,
    by: op.actor,
    ...(detail ? { detail } : {}),
    ...(op.repair ? { repair: op.repair } : {}),
  });
  room.record(op.kind, planned, { actor: op.actor, message, tone: "info", operation: operation("started") });
  const outcome = await op.run(planned, operationId);
  const current = () => room.store.get(op.kind, op.name)?.resource ?? planned.resource;
  if (outcome.kind === "started") return { ok: true, resource: current(), operationId };

  // AWS may have started it after all: a heal soon shows what CloudFormation did (room-alarm.ts).
  if (outcome.kind === "refused" && outcome.error.mayHaveRun) scheduleCheck(room.store, Date.now());
  if (room.store.get(op.kind, op.name)?.resource.lock?.operationId === operationId) {
    const activity = { actor: op.actor, message: outcome.message, tone: outcome.kind === "noop" ? ("info" as const) : ("error" as const), operation: operation(outcome.kind === "noop" ? "succeeded" : "failed") };
    if (before) room.record(op.kind, patchResource(before, { updatedAt: new Date().toISOString() }), activity);
    else room.record(op.kind, patchResource(planned, { status: "deleted", lock: undefined }), activity, true);
  }
  return outcome.kind === "noop" ? { ok: true, resource: current(), operationId } : refusal(outcome.error);
}

/** Room meta key: when the room heals from CloudFormation because an operation's outcome is unknown. */
export const CHECK_DUE_KEY = "checkDue";
/** How long after an unconfirmed call the room looks: long enough for CloudFormation to have started. */
const CHECK_AFTER_MS = 30_000;

function scheduleCheck(store: RoomContext["store"], now: number): void {
  const due = Number(store.getMeta(CHECK_DUE_KEY) ?? Infinity);
  store.setMeta(CHECK_DUE_KEY, String(Math.min(due, now + CHECK_AFTER_MS)));
}

/**
 * The state a queued edit will start from, as far as the room can tell now: the running
 * operation done as asked (a delete: the resource gone; a create or update: its new spec applied).
 * What may still happen before then (a rollback, edits queued ahead) is checked again at start.
 */
export function startingState(stored: StoredResource | undefined): StoredResource | undefined {
  const lock = stored?.resource.lock;
  if (!stored || !lock) return stored;
  if (lock.action === "delete") return undefined;
  return { ...stored, resource: { ...stored.resource, lock: undefined }, appliedSpec: stored.resource.spec, failedSpec: undefined };
}

/** A stored resource with some fields of its public view replaced. */
export function patchResource<S extends StoredResource>(stored: S, patch: Partial<Pick<ResourceView, "status" | "lock" | "updatedAt">>): S {
  return { ...stored, resource: { ...stored.resource, ...patch } };
}

export type Repair = ResourceAction["action"];

/** The repairs that make sense for a failed resource, from CloudFormation's last status. */
export function availableActions(stored: StoredResource): Repair[] {
  if (stored.resource.lock || stored.resource.status !== "failed") return [];
  switch (stored.stackStatus) {
    case "UPDATE_ROLLBACK_FAILED":
      return ["continue-rollback"];
    case "UPDATE_ROLLBACK_COMPLETE":
      return stored.failedSpec !== undefined ? ["retry"] : [];
    case "DELETE_FAILED":
      return ["retry"];
    default:
      // ROLLBACK_COMPLETE / ROLLBACK_FAILED: the stack never worked; deleting it is the way on.
      return [];
  }
}

export function refuseRepair(module: KindModule, name: string, action: Repair, stored: StoredResource | undefined): never {
  if (!stored) throw new RoomError("not_found", `${capitalize(module.label(name))} does not exist.`);
  throw new RoomError("conflict", `“${action}” does not apply to ${module.noun} ${name} now (${stored.resource.status}${stored.stackStatus ? `, ${stored.stackStatus}` : ""}).`);
}

/** A kind's operation run again as the retry of a failed one: its own words, and its lock marks it a repair. */
export function retryOperation(op: Operation, noun: string): Operation {
  const what = op.action === "delete" ? "deletion" : op.action === "create" ? "creation" : "update";
  return {
    ...op,
    repair: "retry",
    describe(planned) {
      const { detail } = op.describe(planned);
      return { message: `${op.actor} retried the failed ${what} of ${noun} ${op.name}${detail ? ` (${detail})` : ""}`, detail };
    },
  };
}

/**
 * ContinueUpdateRollback as an operation of any kind: the resource is locked while CloudFormation
 * rolls back, and the usual events release it (UPDATE_ROLLBACK_COMPLETE: previous settings kept).
 */
export function continueRollback(room: RoomContext, module: KindModule, project: { id: string } & Parameters<RoomContext["gateway"]>[0], actor: string, name: string): Operation {
  return {
    kind: module.kind,
    name,
    action: "update",
    actor,
    repair: "continue-rollback",
    plan: (operationId, now) => {
      const stored = room.store.get(module.kind, name);
      assertUnlocked(module.label(name), stored?.resource);
      if (!stored || !availableActions(stored).includes("continue-rollback")) refuseRepair(module, name, "continue-rollback", stored);
      return { ...stored, resource: lockResource(stored.resource, stored.resource.spec, "update", actor, operationId, now) };
    },
    describe: () => ({ message: `${actor} asked CloudFormation to continue the rollback of ${module.noun} ${name}`, detail: "continue the rollback" }),
    run: async (_planned, operationId) => {
      try {
        await room.gateway(project).cloudformation.continueUpdateRollback({ stackName: stackName(project.id, module.kind, name), clientRequestToken: operationId });
        return { kind: "started" };
      } catch (err) {
        return refused(roomErrorFromAws(err, module.label(name)));
      }
    },
  };
}
