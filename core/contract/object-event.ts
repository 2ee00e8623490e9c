import * as z from "zod";
import { IsoTime } from "./resource";

/**
 * File activity: what partners do in the project's buckets. S3 sends each bucket's object events
 * (created, removed) to the project's SNS topic; the bridge forwards them, signed like stack
 * events, to `POST /webhooks/objects/:project`; the room keeps the last ones per bucket and folds
 * bursts into the activity feed.
 */

/**
 * One S3 event notification record as the bridge forwards it (from `Records[]` of the S3 event
 * message): the physical bucket, the object key (URL-decoded), its size (created only), who did
 * it (`principalId` as S3 gives it: `AWS:AIDA…` for an IAM user, `AWS:AROA…:session` for a role
 * session such as Transfer Family's), and S3's `sequencer` (orders events of one key).
 */
export const ObjectEvent = z.object({
  /** Unique per event (S3's request id and sequencer, with the key): what duplicates are dropped by. */
  eventId: z.string().min(1).max(512),
  bucket: z.string().min(3).max(63),
  key: z.string().min(1).max(1024),
  event: z.enum(["created", "removed"]),
  size: z.number().int().nonnegative().optional(),
  principalId: z.string().max(512),
  sourceIp: z.string().max(64).optional(),
  at: IsoTime,
  sequencer: z.string().max(64).optional(),
  /** The account that owns the bucket (the project's): checked against the project. */
  account: z.string().regex(/^\d{12}$/),
});
export type ObjectEvent = z.infer<typeof ObjectEvent>;

/** Body of `POST /webhooks/objects/:project` (signed like the stack-event webhook). */
export const ObjectEventBatch = z.object({
  objectEvents: z.array(ObjectEvent).min(1).max(500),
});
export type ObjectEventBatch = z.infer<typeof ObjectEventBatch>;

/** One entry of a bucket's recent files; `by` is the Stackroom user, or "someone outside Stackroom". */
export const FileEntry = z.object({
  key: z.string(),
  size: z.number().int().nonnegative().optional(),
  event: z.enum(["created", "removed"]),
  by: z.string(),
  at: IsoTime,
});
export type FileEntry = z.infer<typeof FileEntry>;

/** `GET /api/projects/:p/buckets/:name/files?prefix=&limit=` (members): newest first, from the room. */
export const FileList = z.object({ files: z.array(FileEntry) });
export type FileList = z.infer<typeof FileList>;

/** The query of that route: a key prefix, and how many (default 100, at most 1,000). */
export const FileQuery = z.object({
  prefix: z.string().max(1024).default(""),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type FileQuery = z.infer<typeof FileQuery>;

/** Who a file event is told as when its principal is no Stackroom user of the project. */
export const OUTSIDE_STACKROOM = "someone outside Stackroom";
