import type { Bucket, BucketSpec, CreateBucketBody, Lock, ProjectRecord, UpdateBucketBody } from "../worker/domain/contract";
import { ApiError } from "../worker/errors";
import { physicalBucketName } from "../worker/domain/naming";
import type { StoredBucket } from "./room-store";

export type BucketChange =
  | { action: "create"; body: CreateBucketBody }
  | { action: "update"; name: string; body: UpdateBucketBody }
  | { action: "delete"; name: string };

export interface BucketChangeRequest {
  project: ProjectRecord;
  actor: string;
  change: BucketChange;
}

export const changeName = (change: BucketChange): string => (change.action === "create" ? change.body.name : change.name);

const progressStatus = { create: "creating", update: "updating", delete: "deleting" } as const;

function sameSpec(a: BucketSpec, b: BucketSpec): boolean {
  return a.versioning === b.versioning && a.encryption === b.encryption && a.expireAfterDays === b.expireAfterDays;
}

/**
 * Checks a requested change against the bucket's current state and returns the locked state to
 * store before CloudFormation is called. Throws ApiError for anything that must change nothing.
 */
export function planBucketChange(
  request: BucketChangeRequest,
  current: StoredBucket | undefined,
  operationId: string,
  now: string,
): StoredBucket {
  const { change, project, actor } = request;
  const name = changeName(change);
  if (current?.bucket.lock) {
    const { by, since } = current.bucket.lock;
    throw new ApiError("locked", `Bucket “${name}” is being changed by ${by} (since ${since}). Try again when it finishes.`);
  }
  const lock: Lock = { by: actor, since: now, operationId, action: change.action };
  const locked = (bucket: Bucket, spec: BucketSpec): Bucket => ({
    ...bucket,
    spec,
    status: progressStatus[change.action],
    statusReason: undefined,
    lock,
    operationId,
    updatedAt: now,
  });

  if (change.action === "create") {
    if (current && current.bucket.status !== "deleted") {
      throw new ApiError("conflict", `A bucket named “${name}” already exists in this project.`, {
        name: "This name is already used in this project.",
      });
    }
    const { versioning, encryption, expireAfterDays } = change.body;
    const spec = { versioning, encryption, expireAfterDays };
    const physicalName = physicalBucketName(project.id, project.accountId, project.region, name);
    return { bucket: locked({ name, physicalName, spec, status: "creating", updatedAt: now }, spec), appliedSpec: null };
  }

  if (!current || current.bucket.status === "deleted") throw new ApiError("not_found", `No bucket named “${name}”.`);
  if (change.action === "update") {
    if (current.appliedSpec === null) {
      throw new ApiError("conflict", `Bucket “${name}” was never created successfully; delete it and create it again.`);
    }
    const { versioning, encryption, expireAfterDays } = change.body;
    const spec: BucketSpec = {
      versioning: versioning ?? current.bucket.spec.versioning,
      encryption: encryption ?? current.bucket.spec.encryption,
      expireAfterDays: expireAfterDays === undefined ? current.bucket.spec.expireAfterDays : expireAfterDays,
    };
    if (sameSpec(spec, current.bucket.spec) && current.bucket.status === "ready") {
      throw new ApiError("invalid", `Bucket “${name}” already has these settings; nothing to change.`);
    }
    return { bucket: locked(current.bucket, spec), appliedSpec: current.appliedSpec };
  }
  return { bucket: locked(current.bucket, current.bucket.spec), appliedSpec: current.appliedSpec };
}

export function describeChange(actor: string, change: BucketChange, spec: BucketSpec): string {
  const name = changeName(change);
  if (change.action === "delete") return `${actor} started deleting bucket ${name}`;
  const settings = `versioning ${spec.versioning ? "on" : "off"}, ${spec.encryption === "kms" ? "KMS" : "SSE-S3"} encryption${
    spec.expireAfterDays ? `, objects expire after ${spec.expireAfterDays} days` : ""
  }`;
  return change.action === "create"
    ? `${actor} started creating bucket ${name} (${settings})`
    : `${actor} started updating bucket ${name} (${settings})`;
}
