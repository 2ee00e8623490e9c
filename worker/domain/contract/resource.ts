import { z } from "zod";

/** What a manager sees; derived from CloudFormation stack statuses (see stack-status.ts). */
export const ResourceStatus = z.enum(["queued", "creating", "updating", "deleting", "ready", "failed", "deleted"]);
export type ResourceStatus = z.infer<typeof ResourceStatus>;

export const ResourceKind = z.enum(["bucket", "user"]);
export type ResourceKind = z.infer<typeof ResourceKind>;

/** Held while a resource's stack operation runs. */
export const Lock = z.object({
  by: z.string(),
  since: z.string(),
  operationId: z.string(),
  action: z.enum(["create", "update", "delete"]),
});
export type Lock = z.infer<typeof Lock>;

export const IsoTime = z.string().datetime({ offset: true });
