import * as z from "zod";
import { IsoTime } from "./resource";
import { CreatedKey } from "./user";

/** A key unused this long (or never used and older than NEVER_USED_DAYS) is flagged `unused`. */
export const UNUSED_DAYS = 90;
/** A key never used is given this long to be picked up before it is flagged `unused`. */
export const NEVER_USED_DAYS = 7;
/** A key older than this is due for rotation (AWS Config's access-keys-rotated default). */
export const ROTATION_DUE_DAYS = 90;
/** A user whose access ends within this many days is flagged `expiring`. */
export const EXPIRING_DAYS = 14;

/** What the review flags on a key: not used for UNUSED_DAYS (or never, after NEVER_USED_DAYS); older than ROTATION_DUE_DAYS. */
export const KeyFlag = z.enum(["unused", "rotation-due"]);
export type KeyFlag = z.infer<typeof KeyFlag>;

/** What the review flags on a user: access ends within EXPIRING_DAYS; no bucket grants at all. */
export const UserFlag = z.enum(["expiring", "no-grants"]);
export type UserFlag = z.infer<typeof UserFlag>;

export const ReviewFlag = z.enum([...KeyFlag.options, ...UserFlag.options]);
export type ReviewFlag = z.infer<typeof ReviewFlag>;

/** Where and when IAM last saw the key sign a request (GetAccessKeyLastUsed). */
export const KeyLastUse = z.object({ at: IsoTime, service: z.string().nullable(), region: z.string().nullable() });
export type KeyLastUse = z.infer<typeof KeyLastUse>;

/** A rotation under way: the new key replaces the old one at its first use or at `graceEndsAt`. */
export const KeyRotation = z.object({
  oldKeyId: z.string(),
  newKeyId: z.string(),
  startedAt: IsoTime,
  graceEndsAt: IsoTime,
  startedBy: z.string(),
  /** When the room last asked IAM whether the new key was used; null: not yet. */
  checkedAt: IsoTime.nullable(),
});
export type KeyRotation = z.infer<typeof KeyRotation>;

export const ReviewKey = z.object({
  accessKeyId: z.string(),
  status: z.enum(["Active", "Inactive"]),
  createdAt: IsoTime,
  ageDays: z.number().int().nonnegative(),
  /** null: IAM says never used, or (with `checkedAt` null on the user) not read yet. */
  lastUse: KeyLastUse.nullable(),
  flags: z.array(KeyFlag),
});
export type ReviewKey = z.infer<typeof ReviewKey>;

export const ReviewSftpKey = z.object({ fingerprint: z.string(), type: z.string(), comment: z.string().nullable() });
export type ReviewSftpKey = z.infer<typeof ReviewSftpKey>;

export const ReviewUser = z.object({
  name: z.string(),
  expiresAt: IsoTime.nullable(),
  grants: z.number().int().nonnegative(),
  flags: z.array(UserFlag),
  keys: z.array(ReviewKey),
  sftpKeys: z.array(ReviewSftpKey),
  rotation: KeyRotation.nullable(),
  /** When this user's keys and their last use were last read from IAM; null: not yet. */
  checkedAt: IsoTime.nullable(),
});
export type ReviewUser = z.infer<typeof ReviewUser>;

/** `GET /api/projects/:p/access-review` (members), also the answer of `POST …/access-review/refresh` (editors). */
export const AccessReview = z.object({
  users: z.array(ReviewUser),
  /** How many keys (key flags) or users (user flags) carry each flag, and how many users carry any: the count badge. */
  totals: z.object({ unused: z.number(), "rotation-due": z.number(), expiring: z.number(), "no-grants": z.number(), flaggedUsers: z.number() }),
  /** The oldest `checkedAt` of the users listed: last use shown is at least this fresh. null: some user was never read. */
  checkedAt: IsoTime.nullable(),
  /** The last read from IAM failed: the last-use data shown is older than it should be. */
  stale: z.object({ at: IsoTime, message: z.string() }).nullable(),
  /** The time the flags were computed at. */
  at: IsoTime,
});
export type AccessReview = z.infer<typeof AccessReview>;

/** `POST /api/projects/:p/users/:name/keys/rotate` */
export const RotateKeyBody = z.strictObject({
  graceDays: z
    .number({ error: "Give the grace period in days." })
    .int("Give the grace period in whole days.")
    .min(1, "Give the old key at least 1 day.")
    .max(30, "Give the old key at most 30 days.")
    .default(7),
});
export type RotateKeyBody = z.infer<typeof RotateKeyBody>;

/** The rotate answer (201): the new key's secret, shown this once, and the rotation it started. */
export const RotatedKey = CreatedKey.extend({ rotation: KeyRotation });
export type RotatedKey = z.infer<typeof RotatedKey>;
