import * as z from "zod";
import { IsoTime, Lock, QueueFields, ResourceStatus } from "./resource";

/**
 * The name a manager gives a bucket. S3's rules (3-63 chars, lowercase letters, digits, hyphens,
 * starts and ends with a letter or digit, no "xn--" prefix / "-s3alias" suffix) minus dots
 * (they break virtual-hosted TLS and cannot appear in a stack name), and short enough that the
 * physical name `<name>-<8 hex>` still fits S3's 63.
 */
export const BucketName = z
  .string({ error: "Enter a bucket name." })
  .min(3, "Use at least 3 characters.")
  .max(54, "Use at most 54 characters (Stackroom adds a unique 9-character suffix).")
  .regex(/^[a-z0-9-]+$/, "Use only lowercase letters, digits and hyphens.")
  .regex(/^[a-z0-9].*[a-z0-9]$/, "Start and end with a letter or digit.")
  .refine((n) => !n.includes("--"), "Do not use two hyphens in a row.")
  .refine((n) => !n.startsWith("xn-") && !n.startsWith("sthree-"), "Names starting with “xn-” or “sthree-” are reserved by S3.");

const Encryption = z.enum(["s3", "kms"]);

/** What a manager asked for; stored in the template's Metadata and in stack tags. */
export const BucketSpec = z.object({
  versioning: z.boolean(),
  encryption: Encryption,
  expireAfterDays: z.number().int().min(1).max(3650).nullable(),
});
export type BucketSpec = z.infer<typeof BucketSpec>;

const ExpireAfterDays = z
  .number({ error: "Enter a whole number of days." })
  .int("Enter a whole number of days.")
  .min(1, "Expire after at least 1 day.")
  .max(3650, "Expire after at most 3650 days (10 years).");

export const CreateBucketBody = z.strictObject({
  name: BucketName,
  versioning: z.boolean().default(true),
  encryption: Encryption.default("s3"),
  expireAfterDays: ExpireAfterDays.nullable().default(null),
  /** false: answer 409 `locked` instead of queueing behind a running operation. */
  queue: z.boolean().default(true),
});
export type CreateBucketBody = z.infer<typeof CreateBucketBody>;

export const UpdateBucketBody = z
  .strictObject({
    versioning: z.boolean().optional(),
    encryption: Encryption.optional(),
    expireAfterDays: ExpireAfterDays.nullable().optional(),
    queue: z.boolean().default(true),
  })
  .refine((b) => b.versioning !== undefined || b.encryption !== undefined || b.expireAfterDays !== undefined, {
    message: "Change at least one setting.",
  });
export type UpdateBucketBody = z.infer<typeof UpdateBucketBody>;

export const Bucket = z.object({
  name: z.string(),
  physicalName: z.string(),
  spec: BucketSpec,
  status: ResourceStatus,
  statusReason: z.string().optional(),
  lock: Lock.optional(),
  operationId: z.string().optional(),
  updatedAt: IsoTime,
  ...QueueFields,
});
export type Bucket = z.infer<typeof Bucket>;

/** 202 body of bucket create/update/delete: the bucket as locked for the operation. */
export const BucketAccepted = z.object({ bucket: Bucket, operationId: z.string() });
export type BucketAccepted = z.infer<typeof BucketAccepted>;

/**
 * `GET /api/projects/:p/buckets/:name/usage`: current objects and their bytes, from one
 * ListObjectsV2 page (1,000 objects); `complete: false` means there are more than that.
 * Old versions are not counted.
 */
export const BucketUsage = z.object({
  objects: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  complete: z.boolean(),
  at: IsoTime,
});
export type BucketUsage = z.infer<typeof BucketUsage>;
