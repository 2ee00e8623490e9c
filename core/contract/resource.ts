import * as z from "zod";

/** What a manager sees; derived from CloudFormation stack statuses (see stack-status.ts). */
export const ResourceStatus = z.enum(["queued", "creating", "updating", "deleting", "ready", "failed", "deleted"]);
export type ResourceStatus = z.infer<typeof ResourceStatus>;

export const ResourceKind = z.enum(["bucket", "user", "sftp"]);
export type ResourceKind = z.infer<typeof ResourceKind>;

/** Held while a resource's stack operation runs. */
export const Lock = z.object({
  by: z.string(),
  since: z.string(),
  operationId: z.string(),
  action: z.enum(["create", "update", "delete"]),
  /** The operation repairs an earlier failure (retry, continue-rollback): its outcome is told as the repair's. */
  repair: z.enum(["retry", "continue-rollback"]).optional(),
});
export type Lock = z.infer<typeof Lock>;

export const IsoTime = z.string().datetime({ offset: true });

/** An edit waiting behind the running operation of the same resource (FIFO). */
export const QueuedEdit = z.object({
  operationId: z.string(),
  by: z.string(),
  since: z.string(),
  action: z.enum(["create", "update", "delete"]),
  /** What the edit will do, in a manager's words. */
  summary: z.string(),
});
export type QueuedEdit = z.infer<typeof QueuedEdit>;

/** Fields every resource view carries about its queue and its repairs. */
export const QueueFields = {
  /** Edits waiting for the lock, oldest first; absent when none. */
  queue: z.array(QueuedEdit).optional(),
  /** Why the queue is not advancing (the last operation left the stack needing an operator). */
  queueHeld: z.string().optional(),
  /** Repairs that make sense after a failure (POST …/:name/actions); deleting is always possible. */
  actions: z.array(z.enum(["retry", "continue-rollback"])).optional(),
  /** A failed resource whose create never succeeded: removing it deletes only its failed stack, no data. */
  neverCreated: z.literal(true).optional(),
};

export const ResourceAction = z.strictObject({ action: z.enum(["retry", "continue-rollback"]) });
export type ResourceAction = z.infer<typeof ResourceAction>;
