import type { Bucket, BucketSpec, CreateBucketBody, ProjectRecord, UpdateBucketBody, User } from "../worker/domain/contract";
import { ApiError } from "../worker/errors";
import { physicalBucketName } from "../worker/domain/naming";
import type { StoredBucket } from "./room-store";
import { assertUnlocked, lockResource } from "./resource-lock";

export type BucketChange =
  | { action: "create"; body: CreateBucketBody }
  | { action: "update"; name: string; body: UpdateBucketBody }
  | { action: "delete"; name: string; removeGrants?: boolean };

export interface BucketChangeRequest {
  project: ProjectRecord;
  actor: string;
  change: BucketChange;
}

export const bucketChangeName = (change: BucketChange): string => (change.action === "create" ? change.body.name : change.name);

function sameSpec(a: BucketSpec, b: BucketSpec): boolean {
  return a.versioning === b.versioning && a.encryption === b.encryption && a.expireAfterDays === b.expireAfterDays;
}

/** Users (not deleted) who may write to the bucket. */
export function usersWriting(bucket: string, users: User[]): string[] {
  return users.filter((u) => u.status !== "deleted" && u.spec.permissions.some((p) => p.bucket === bucket && p.access !== "read")).map((u) => u.name);
}

/** Users whose permissions name the bucket. */
export function usersGranted(bucket: string, users: User[]): string[] {
  return users.filter((u) => u.status !== "deleted" && u.spec.permissions.some((p) => p.bucket === bucket)).map((u) => u.name);
}

/**
 * Checks a requested change against the bucket's current state and returns the locked state to
 * store before CloudFormation is called. Throws ApiError for anything that must change nothing.
 */
export function planBucketChange(
  request: BucketChangeRequest,
  current: StoredBucket | undefined,
  users: User[],
  operationId: string,
  now: string,
): StoredBucket {
  const { change, project, actor } = request;
  const name = bucketChangeName(change);
  assertUnlocked("bucket", name, current?.resource);
  const lock = (bucket: Bucket, spec: BucketSpec) => lockResource(bucket, spec, change.action, actor, operationId, now);

  if (change.action === "create") {
    if (current && current.resource.status !== "deleted") {
      throw new ApiError("conflict", `A bucket named “${name}” already exists in this project.`, {
        name: "This name is already used in this project.",
      });
    }
    const { versioning, encryption, expireAfterDays } = change.body;
    const spec = { versioning, encryption, expireAfterDays };
    const physicalName = physicalBucketName(project.id, project.accountId, project.region, name);
    return { resource: lock({ name, physicalName, spec, status: "creating", updatedAt: now }, spec), appliedSpec: null };
  }

  if (!current || current.resource.status === "deleted") throw new ApiError("not_found", `No bucket named “${name}”.`);
  if (change.action === "update") {
    if (current.appliedSpec === null) {
      throw new ApiError("conflict", `Bucket “${name}” was never created successfully; delete it and create it again.`);
    }
    const { versioning, encryption, expireAfterDays } = change.body;
    const spec: BucketSpec = {
      versioning: versioning ?? current.resource.spec.versioning,
      encryption: encryption ?? current.resource.spec.encryption,
      expireAfterDays: expireAfterDays === undefined ? current.resource.spec.expireAfterDays : expireAfterDays,
    };
    if (sameSpec(spec, current.resource.spec) && current.resource.status === "ready") {
      throw new ApiError("invalid", `Bucket “${name}” already has these settings; nothing to change.`);
    }
    // Versions are what keeps writers from destroying data (see user-changes.ts).
    const writers = spec.versioning ? [] : usersWriting(name, users);
    if (writers.length > 0) {
      throw new ApiError("conflict", `${writers.join(", ")} can write to bucket “${name}”; without versioning their overwrites and deletes would destroy data. Make their access read-only first.`, {
        versioning: `Users who can write: ${writers.join(", ")}.`,
      });
    }
    return { resource: lock(current.resource, spec), appliedSpec: current.appliedSpec };
  }
  const granted = usersGranted(name, users);
  if (granted.length > 0 && !change.removeGrants) {
    throw new ApiError(
      "conflict",
      `Bucket “${name}” is granted to ${granted.join(", ")}. Remove those grants first, or confirm to remove them together with the bucket.`,
      { users: granted.join(",") },
    );
  }
  return { resource: lock(current.resource, current.resource.spec), appliedSpec: current.appliedSpec };
}

export function describeChange(actor: string, change: BucketChange, spec: BucketSpec): string {
  const name = bucketChangeName(change);
  if (change.action === "delete") return `${actor} started deleting bucket ${name}`;
  const settings = `versioning ${spec.versioning ? "on" : "off"}, ${spec.encryption === "kms" ? "KMS" : "SSE-S3"} encryption${
    spec.expireAfterDays ? `, objects expire after ${spec.expireAfterDays} days` : ""
  }`;
  return change.action === "create"
    ? `${actor} started creating bucket ${name} (${settings})`
    : `${actor} started updating bucket ${name} (${settings})`;
}
