import * as z from "zod";
import { KnownKind, Lock, ResourceStatus } from "./contract";

/**
 * What the ops endpoints answer (`/api/ops/*`), read back by the ops CLI with the same schemas.
 */

/** `GET /api/ops/projects/:p/status`: what on-call looks at first. */
export const ProjectStatus = z.object({
  project: z.string(),
  /** Resources per kind and status (`{bucket: {ready: 3, failed: 1}}`). */
  resources: z.record(z.string(), z.record(z.string(), z.number().int())),
  locks: z.array(Lock.extend({ kind: KnownKind, name: z.string() })),
  /** Edits waiting behind a running operation, in all. */
  queued: z.number().int(),
  failures: z.array(z.object({ kind: KnownKind, name: z.string(), status: ResourceStatus, stackStatus: z.string().optional(), reason: z.string().optional() })),
  /** When the room last took in a new CloudFormation event. */
  lastEventAt: z.string().nullable(),
  /** The last verified webhook delivery and the secret version that signed it. */
  lastDelivery: z.object({ at: z.string(), version: z.number().int() }).nullable(),
  webhookSecretVersion: z.number().int(),
  webhookPreviousSecretVersion: z.number().int().nullable(),
  members: z.number().int(),
  pendingLinks: z.number().int(),
  liveSockets: z.number().int(),
  quarantined: z.number().int(),
  seq: z.number().int(),
});
export type ProjectStatus = z.infer<typeof ProjectStatus>;

/** `POST /api/ops/projects/:p/offboard`: done, or what still stands (and what was started). */
export const OffboardAnswer = z.discriminatedUnion("state", [
  z.object({ state: z.literal("offboarded"), project: z.string(), note: z.string() }),
  z.object({
    state: z.literal("deleting"),
    project: z.string(),
    remaining: z.array(z.object({ kind: KnownKind, name: z.string(), status: ResourceStatus })),
    started: z.array(z.object({ kind: KnownKind, name: z.string() })),
    refused: z.array(z.object({ kind: KnownKind, name: z.string(), reason: z.string() })),
  }),
]);
export type OffboardAnswer = z.infer<typeof OffboardAnswer>;

/** `POST /api/ops/projects/:p/dlq-replay`: what one pass over the dead-letter queue did. */
export const ReplayAnswer = z.object({
  project: z.string(),
  /** Messages read from the queue. */
  received: z.number().int(),
  /** Messages whose events the room took in (then deleted from the queue). */
  replayed: z.number().int(),
  /** Events new to the room, and already known (by EventId). */
  accepted: z.number().int(),
  duplicates: z.number().int(),
  /** Messages refused as a whole (another project's stack, a future date): left in the queue. */
  refused: z.array(z.object({ messageId: z.string(), reason: z.string() })),
  /** Messages with neither a CloudFormation notification nor an S3 event notification in them: logged and deleted (AWS would not redeliver them differently). */
  unreadable: z.number().int(),
  /** Messages still in the queue afterwards (ApproximateNumberOfMessages). */
  remaining: z.number().int(),
});
export type ReplayAnswer = z.infer<typeof ReplayAnswer>;

/** `GET /api/ops/health[?deep=1]`: each check and how it went. */
export const HealthAnswer = z.object({
  ok: z.boolean(),
  checks: z.array(z.object({ name: z.string(), ok: z.boolean(), ms: z.number(), error: z.string().optional() })),
});
export type HealthAnswer = z.infer<typeof HealthAnswer>;
