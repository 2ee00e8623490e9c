import * as z from "zod";
import { BucketName } from "./bucket";
import { IsoTime, Lock, QueueFields, ResourceStatus } from "./resource";
import { SftpAccess, SftpAccessInput, sftpUserNameProblem } from "./sftp";

/**
 * IAM user names (letters, digits and `+=,.@_-`), capped at 46 characters so that the escaped
 * stack name `stackroom-<project>-user-<name>` always fits CloudFormation's 128.
 */
export const UserName = z
  .string({ error: "Enter a user name." })
  .min(1, "Enter a user name.")
  .max(46, "Use at most 46 characters.")
  .regex(/^[A-Za-z0-9+=,.@_-]+$/, "Use letters, digits and + = , . @ _ - only.");

export const Access = z.enum(["read", "write", "readwrite"]);
export type Access = z.infer<typeof Access>;

/**
 * Prefixes are folders: `incoming` means `incoming/`. Without the slash the policy's
 * `bucket/incoming*` would also cover `incoming-private/…`, more than the grant shows.
 */
export function folderPrefix(prefix: string): string {
  return prefix.endsWith("/") ? prefix : `${prefix}/`;
}

/** A folder of object keys such as `incoming/` — no leading slash, no wildcards; stored with its trailing slash. */
const Prefix = z
  .string()
  .min(1, "Leave the folder empty or enter one such as incoming/.")
  .max(200, "Use at most 200 characters.")
  .regex(/^[A-Za-z0-9!_.'()\/-]+$/, "Use letters, digits and ! _ . ' ( ) / - only (no * or ?).")
  .refine((p) => !p.startsWith("/"), "Do not start the folder with a slash.")
  .refine((p) => !p.includes("//"), "Do not use two slashes in a row.")
  .transform(folderPrefix);

export const Permission = z.object({ bucket: BucketName, access: Access, prefix: Prefix.optional() });
export type Permission = z.infer<typeof Permission>;

const Permissions = z
  .array(Permission)
  .max(20, "Grant at most 20 bucket permissions per user.")
  .refine((ps) => new Set(ps.map((p) => `${p.bucket}\u0000${p.prefix ?? ""}`)).size === ps.length, "Each bucket (and prefix) may appear once.");

/** What a manager asked for; stored in the template's Metadata and in stack tags. */
export const UserSpec = z.object({
  description: z.string().max(200).nullable(),
  permissions: z.array(Permission),
  /** Access stops at this time (keys deactivated, grants removed). */
  expiresAt: IsoTime.nullable(),
  /**
   * SFTP (AWS Transfer Family) with these keys; null or absent: none. Optional so that specs
   * stored before SFTP existed (room storage, KV snapshots, queued edits) still read.
   */
  sftp: SftpAccess.nullable().optional(),
});
export type UserSpec = z.infer<typeof UserSpec>;

const FutureTime = IsoTime.refine((t) => Date.parse(t) > Date.now(), "Choose a time in the future.");

export const CreateUserBody = z.strictObject({
  name: UserName,
  description: z.string().max(200, "Use at most 200 characters.").nullable().default(null),
  permissions: Permissions.default([]),
  /**
   * Absent: the project's default expiry for new users (project settings), if it has one; null:
   * no expiry, on purpose (also when the project has a default).
   */
  expiresAt: FutureTime.nullable().optional(),
  /** SFTP access; absent or null: none. */
  sftp: SftpAccessInput.nullable().default(null),
  queue: z.boolean().default(true),
}).superRefine((body, ctx) => {
  const problem = body.sftp === null ? null : sftpUserNameProblem(body.name);
  if (problem !== null) ctx.addIssue({ code: "custom", path: ["sftp"], message: problem, input: body.sftp });
});
export type CreateUserBody = z.infer<typeof CreateUserBody>;

export const UpdateUserBody = z
  .strictObject({
    description: z.string().max(200, "Use at most 200 characters.").nullable().optional(),
    permissions: Permissions.optional(),
    expiresAt: FutureTime.nullable().optional(),
    /** null removes SFTP access; absent keeps it as it is. */
    sftp: SftpAccessInput.nullable().optional(),
    queue: z.boolean().default(true),
  })
  .refine((b) => b.description !== undefined || b.permissions !== undefined || b.expiresAt !== undefined || b.sftp !== undefined, {
    message: "Change at least one setting.",
  });
export type UpdateUserBody = z.infer<typeof UpdateUserBody>;

/** IAM access key ids: upper-case letters and digits (AKIA…). */
export const AccessKeyId = z.string().regex(/^[A-Z0-9]{16,128}$/, "Not an access key id.");

/** An access key as listed (never with its secret). */
export const AccessKeySummary = z.object({
  accessKeyId: z.string(),
  status: z.enum(["Active", "Inactive"]),
  createdAt: IsoTime,
  lastUsedAt: IsoTime.nullable().optional(),
});
export type AccessKeySummary = z.infer<typeof AccessKeySummary>;

export const User = z.object({
  name: z.string(),
  /** IAM path the user lives under: `/stackroom/<project>/`. */
  path: z.string(),
  spec: UserSpec,
  status: ResourceStatus,
  statusReason: z.string().optional(),
  lock: Lock.optional(),
  operationId: z.string().optional(),
  keys: z.array(AccessKeySummary),
  updatedAt: IsoTime,
  ...QueueFields,
});
export type User = z.infer<typeof User>;

/**
 * The users (not deleted) whose grants name this bucket; with `writers`, only those who may write
 * (write or read-write). What the rooms and the app mean by "users granted this bucket".
 */
export function usersGranted<U extends { name: string; status: string; spec: { permissions: readonly Permission[] } }>(users: readonly U[], bucket: string, writers = false): U[] {
  return users.filter((u) => u.status !== "deleted" && u.spec.permissions.some((p) => p.bucket === bucket && (!writers || p.access !== "read")));
}

export const UserAccepted = z.object({ user: User, operationId: z.string() });
export type UserAccepted = z.infer<typeof UserAccepted>;

/** `POST /api/projects/:p/users/:name/keys` (201): the secret, shown this once. */
export const CreatedKey = z.object({
  accessKeyId: z.string(),
  secretAccessKey: z.string(),
  createdAt: IsoTime,
  user: z.string(),
  region: z.string(),
});
export type CreatedKey = z.infer<typeof CreatedKey>;

/** `PATCH /api/projects/:p/users/:name/keys/:keyId` */
export const UpdateKeyBody = z.strictObject({ status: z.enum(["Active", "Inactive"]) });

/** `GET /api/projects/:p/users/:name/keys` — with last-used dates read from IAM. */
export const KeyList = z.object({ keys: z.array(AccessKeySummary) });
export type KeyList = z.infer<typeof KeyList>;
