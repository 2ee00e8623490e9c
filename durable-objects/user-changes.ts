import type { Bucket, CreateUserBody, Permission, ProjectRecord, UpdateUserBody, UserSpec } from "../worker/domain/contract";
import { ApiError } from "../worker/errors";
import { userPath, userTemplate } from "../worker/domain/user-template";
import { PolicyTooLargeError } from "../worker/domain/user-policy";
import type { StoredUser } from "./room-store";
import { assertUnlocked, lockResource } from "./resource-lock";

export type UserChange =
  | { action: "create"; body: CreateUserBody }
  | { action: "update"; name: string; body: UpdateUserBody }
  | { action: "delete"; name: string }
  /** Internal: the expiry alarm (and bucket deletes) set a new spec directly. */
  | { action: "update"; name: string; spec: UserSpec }
  /** Internal: grants given back (a bucket delete that took them failed); merged into the spec as it is when it runs. */
  | { action: "update"; name: string; restore: Permission[] };

export interface UserChangeRequest {
  project: ProjectRecord;
  actor: string;
  change: UserChange;
}

export const userChangeName = (change: UserChange): string => (change.action === "create" ? change.body.name : change.name);

/** Every granted bucket must exist and be usable: not being created for the first time, deleted or being deleted. */
function assertGrantable(permissions: Permission[], buckets: Bucket[]): void {
  const fields: Record<string, string> = {};
  permissions.forEach((p, i) => {
    const bucket = buckets.find((b) => b.name === p.bucket);
    if (!bucket || bucket.status === "deleted") fields[`permissions.${i}.bucket`] = `There is no bucket named “${p.bucket}” in this project.`;
    else if (bucket.status === "deleting" || bucket.lock?.action === "delete") fields[`permissions.${i}.bucket`] = `Bucket “${p.bucket}” is being deleted.`;
  });
  const first = Object.values(fields)[0];
  if (first) throw new ApiError("conflict", first, fields);
}

/**
 * Write grants only on versioned buckets: there a writer's PutObject and DeleteObject keep the old
 * version (and no grant includes *Version actions), so no grant can destroy data. On a bucket that
 * keeps no versions they would, so such a grant is refused (400) rather than quietly allowed.
 */
function assertWritesKeepHistory(permissions: Permission[], buckets: Bucket[]): void {
  const fields: Record<string, string> = {};
  permissions.forEach((p, i) => {
    const bucket = buckets.find((b) => b.name === p.bucket);
    if (p.access !== "read" && bucket && !bucket.spec.versioning) {
      fields[`permissions.${i}.access`] = `Bucket “${p.bucket}” keeps no versions, so writing could destroy data. Turn its versioning on first, or grant read only.`;
    }
  });
  const first = Object.values(fields)[0];
  if (first) throw new ApiError("invalid", first, fields);
}

/** IAM caps a user's inline policy at 2048 characters: too many grants is the manager's to fix (400). */
function assertPolicyFits(project: ProjectRecord, name: string, spec: UserSpec): void {
  try {
    userTemplate({ projectId: project.id, accountId: project.accountId, region: project.region, name, spec });
  } catch (err) {
    if (err instanceof PolicyTooLargeError) throw new ApiError("invalid", err.message, { permissions: err.message });
    throw err;
  }
}

function specOf(body: UpdateUserBody, current: UserSpec): UserSpec {
  return {
    description: body.description === undefined ? current.description : body.description,
    permissions: body.permissions ?? current.permissions,
    expiresAt: body.expiresAt === undefined ? current.expiresAt : body.expiresAt,
  };
}

/** The spec with `restore` granted again: grants on buckets that are gone, or already there, are left out. */
function withRestored(current: UserSpec, restore: Permission[], buckets: Bucket[]): UserSpec {
  const key = (p: Permission) => `${p.bucket}\u0000${p.prefix ?? ""}`;
  const have = new Set(current.permissions.map(key));
  const alive = (p: Permission) => buckets.some((b) => b.name === p.bucket && b.status !== "deleted");
  return { ...current, permissions: [...current.permissions, ...restore.filter((p) => alive(p) && !have.has(key(p)))] };
}

/** Checks a user change against current state and returns the locked user to store before CloudFormation runs. */
export function planUserChange(
  request: UserChangeRequest,
  current: StoredUser | undefined,
  buckets: Bucket[],
  operationId: string,
  now: string,
): StoredUser {
  const { change, project, actor } = request;
  const name = userChangeName(change);
  assertUnlocked("user", name, current?.resource);

  if (change.action === "create") {
    if (current && current.resource.status !== "deleted") {
      throw new ApiError("conflict", `A user named “${name}” already exists in this project.`, { name: "This name is already used in this project." });
    }
    const { description, permissions, expiresAt } = change.body;
    assertGrantable(permissions, buckets);
    assertWritesKeepHistory(permissions, buckets);
    const spec: UserSpec = { description, permissions, expiresAt };
    assertPolicyFits(project, name, spec);
    const user = { name, path: userPath(project.id), spec, status: "creating" as const, keys: [], updatedAt: now };
    return { resource: lockResource(user, spec, "create", actor, operationId, now), appliedSpec: null };
  }
  if (!current || current.resource.status === "deleted") throw new ApiError("not_found", `No user named “${name}”.`);
  if (change.action === "delete") return { ...current, resource: lockResource(current.resource, current.resource.spec, "delete", actor, operationId, now) };

  if (current.appliedSpec === null) throw new ApiError("conflict", `User “${name}” was never created successfully; delete it and create it again.`);
  const spec = "spec" in change ? change.spec : "restore" in change ? withRestored(current.resource.spec, change.restore, buckets) : specOf(change.body, current.resource.spec);
  if ("body" in change && change.body.permissions) {
    assertGrantable(spec.permissions, buckets);
    assertWritesKeepHistory(spec.permissions, buckets);
  }
  assertPolicyFits(project, name, spec);
  if (JSON.stringify(spec) === JSON.stringify(current.resource.spec) && current.resource.status === "ready") {
    throw new ApiError("invalid", `User “${name}” already has these settings; nothing to change.`);
  }
  return { ...current, resource: lockResource(current.resource, spec, "update", actor, operationId, now) };
}

export function describeUserChange(actor: string, change: UserChange, spec: UserSpec): string {
  const name = userChangeName(change);
  if (change.action === "delete") return `${actor} started deleting user ${name} (its access keys first)`;
  const grants = spec.permissions.length
    ? spec.permissions.map((p) => `${p.access} on ${p.bucket}${p.prefix ? `/${p.prefix}` : ""}`).join(", ")
    : "no bucket access";
  const expiry = spec.expiresAt ? `, expires ${spec.expiresAt}` : "";
  return `${actor} started ${change.action === "create" ? "creating" : "updating"} user ${name} (${grants}${expiry})`;
}
