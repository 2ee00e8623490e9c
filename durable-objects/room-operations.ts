import type { ResourceKind } from "../worker/domain/contract";
import { ApiError, refusal, type RoomResult } from "../worker/errors";
import type { RoomContext } from "./room-context";
import type { Stored } from "./room-store";
import type { OperationOutcome } from "./bucket-operation";

export interface OperationPlan<S extends Stored> {
  kind: ResourceKind;
  name: string;
  actor: string;
  /** A queued edit keeps the operation id it was accepted with (= its ClientRequestToken). */
  operationId?: string;
  /** Throws ApiError when the change must not start. */
  plan(operationId: string, now: string): S;
  describe(planned: S): string;
  run(planned: S, operationId: string): Promise<OperationOutcome>;
}

/**
 * The one way a stack operation starts: plan (validate + lock), record and broadcast the locked
 * state, call CloudFormation, and — when nothing reached CloudFormation (refused, or a no-op) —
 * undo the lock and say why. Events may arrive before the call returns; they find the lock.
 */
export async function startOperation<S extends Stored>(room: RoomContext, op: OperationPlan<S>): Promise<RoomResult<{ resource: S["resource"]; operationId: string }>> {
  const operationId = op.operationId ?? crypto.randomUUID();
  const before = room.store.get(op.kind, op.name);
  let planned: S;
  try {
    planned = op.plan(operationId, new Date().toISOString());
  } catch (err) {
    if (err instanceof ApiError) return refusal(err);
    throw err;
  }
  room.record(op.kind, planned, { actor: op.actor, message: op.describe(planned), tone: "info" });
  const outcome = await op.run(planned, operationId);
  const current = () => room.store.get(op.kind, op.name)?.resource ?? planned.resource;
  if (outcome.kind === "started") return { ok: true, resource: current(), operationId };

  if (room.store.get(op.kind, op.name)?.resource.lock?.operationId === operationId) {
    const activity = { actor: op.actor, message: outcome.message, tone: outcome.kind === "noop" ? ("info" as const) : ("error" as const) };
    if (before) room.record(op.kind, patchResource(before, { updatedAt: new Date().toISOString() }), activity);
    else room.record(op.kind, patchResource(planned, { status: "deleted", lock: undefined }), activity, true);
  }
  return outcome.kind === "noop" ? { ok: true, resource: current(), operationId } : refusal(outcome.error);
}


/** A stored resource with some fields of its public view replaced. */
export function patchResource<S extends Stored>(stored: S, patch: Partial<Pick<S["resource"], "status" | "lock" | "updatedAt">>): S {
  // Spreading a union-typed generic loses the link between `resource` and `appliedSpec`; the
  // patch only touches fields both kinds share, so the shape is unchanged.
  return { ...stored, resource: { ...stored.resource, ...patch } } as S;
}
