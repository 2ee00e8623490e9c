import * as z from "zod";
import { Bucket, BucketSpec, CreateBucketBody, Permission, UpdateBucketBody, usersGranted, type ProjectRecord, type User } from "../../core/contract";
import { bucketStackInput, decodeSpecTag, readSpecFromTemplate, TemplateMetadataError } from "../../core/bucket-template";
import { physicalBucketName, stackName, TAG_KEYS } from "../../core/naming";
import { describeIssues } from "../../core/zod-issues";
import { AwsError } from "../../core/aws/errors";
import type { BucketUsage } from "../../core/aws/s3";
import type { RoomContext, TakenGrants } from "../room-context";
import { RoomError } from "../room-error";
import { assertUnlocked, lockResource, refused, roomErrorFromAws } from "./kit";
import { defineKind, storedSchema, type ChangeRequest, type Operation, type OperationOutcome } from "./kind";

/** The bucket as the room keeps it. `restoreGrants`: what a running delete took from users, given back if it fails. */
export const StoredBucket = storedSchema(Bucket, BucketSpec, {
  restoreGrants: z.array(z.object({ user: z.string(), grants: z.array(Permission) })).optional(),
});
export type StoredBucket = z.infer<typeof StoredBucket>;

/** What only buckets ask the project's account: S3, through the project's role. */
interface BucketGateway {
  /** true when the bucket holds no object versions or delete markers (or does not exist). */
  isEmpty(physicalName: string): Promise<boolean>;
  /** Objects and bytes the bucket holds now (one ListObjectsV2 page). */
  usage(physicalName: string): Promise<BucketUsage>;
}

export function bucketGateway(room: Pick<RoomContext, "aws">, project: ProjectRecord): BucketGateway {
  const { s3 } = room.aws(project);
  return {
    isEmpty: async (physicalName) => (await s3.isBucketEmpty(physicalName)).empty,
    usage: (physicalName) => s3.bucketUsage(physicalName),
  };
}

/** A bucket change, as submitted and as queued. */
const BucketChange = z.discriminatedUnion("action", [
  z.object({ action: z.literal("create"), body: CreateBucketBody }),
  z.object({ action: z.literal("update"), name: z.string(), body: UpdateBucketBody }),
  /** `removeGrants`: the manager confirmed the bucket leaves every user's permissions too. */
  z.object({ action: z.literal("delete"), name: z.string(), removeGrants: z.boolean().optional() }),
]);
type BucketChange = z.infer<typeof BucketChange>;

const nameOf = (change: BucketChange): string => (change.action === "create" ? change.body.name : change.name);

const sameSpec = (a: BucketSpec, b: BucketSpec) => a.versioning === b.versioning && a.encryption === b.encryption && a.expireAfterDays === b.expireAfterDays;

/**
 * Checks a requested change against the bucket's current state and the project's users, and
 * answers the locked state to store before CloudFormation is called. Throws RoomError for
 * anything that must change nothing.
 */
export function planBucketChange(request: ChangeRequest<BucketChange>, current: StoredBucket | undefined, projectUsers: User[], operationId: string, now: string): StoredBucket {
  const { change, project, actor } = request;
  const name = nameOf(change);
  assertUnlocked(`bucket “${name}”`, current?.resource);
  const lock = (bucket: Bucket, spec: BucketSpec) => lockResource(bucket, spec, change.action, actor, operationId, now);

  if (change.action === "create") {
    if (current && current.resource.status !== "deleted") {
      throw new RoomError("conflict", `A bucket named “${name}” already exists in this project.`, { name: "This name is already used in this project." });
    }
    const { versioning, encryption, expireAfterDays } = change.body;
    const spec = { versioning, encryption, expireAfterDays };
    const physicalName = physicalBucketName(project.id, project.accountId, project.region, name);
    return { resource: lock({ name, physicalName, spec, status: "creating", updatedAt: now }, spec), appliedSpec: null };
  }

  if (!current || current.resource.status === "deleted") throw new RoomError("not_found", `No bucket named “${name}”.`);
  if (change.action === "update") {
    if (current.appliedSpec === null) throw new RoomError("conflict", `Bucket “${name}” was never created successfully; delete it and create it again.`);
    const { versioning, encryption, expireAfterDays } = change.body;
    const spec: BucketSpec = {
      versioning: versioning ?? current.resource.spec.versioning,
      encryption: encryption ?? current.resource.spec.encryption,
      expireAfterDays: expireAfterDays === undefined ? current.resource.spec.expireAfterDays : expireAfterDays,
    };
    if (sameSpec(spec, current.resource.spec) && current.resource.status === "ready") {
      throw new RoomError("invalid", `Bucket “${name}” already has these settings; nothing to change.`);
    }
    // Versions are what keeps writers from destroying data (see kinds/user.ts).
    const writers = spec.versioning ? [] : usersGranted(projectUsers, name, true).map((u) => u.name);
    if (writers.length > 0) {
      throw new RoomError("conflict", `${writers.join(", ")} can write to bucket “${name}”; without versioning their overwrites and deletes would destroy data. Make their access read-only first.`, {
        versioning: `Users who can write: ${writers.join(", ")}.`,
      });
    }
    return { ...current, resource: lock(current.resource, spec) };
  }
  const granted = usersGranted(projectUsers, name).map((u) => u.name);
  if (granted.length > 0 && !change.removeGrants) {
    throw new RoomError("conflict", `Bucket “${name}” is granted to ${granted.join(", ")}. Remove those grants first, or confirm to remove them together with the bucket.`, {
      users: granted.join(","),
    });
  }
  if (change.removeGrants) {
    const busy = usersGranted(projectUsers, name).find((u) => u.lock);
    if (busy?.lock) throw new RoomError("locked", `User “${busy.name}” is being changed by ${busy.lock.by}; try again when it finishes.`);
  }
  return { ...current, resource: lock(current.resource, current.resource.spec) };
}

function describe(actor: string, change: BucketChange, spec: BucketSpec): { message: string; detail?: string } {
  const name = nameOf(change);
  if (change.action === "delete") return { message: `${actor} started deleting bucket ${name}` };
  const settings = `versioning ${spec.versioning ? "on" : "off"}, ${spec.encryption === "kms" ? "KMS" : "SSE-S3"} encryption${spec.expireAfterDays ? `, objects expire after ${spec.expireAfterDays} days` : ""}`;
  return { message: `${actor} started ${change.action === "create" ? "creating" : "updating"} bucket ${name} (${settings})`, detail: settings };
}

const TAKEN_CODES = new Set(["BucketAlreadyExists", "BucketAlreadyOwnedByYou"]);

/**
 * A bucket name taken in S3 (by anyone: names are global): retrying cannot help, the suffix is
 * fixed per project, so the manager picks another name. AWS's other refusals in a manager's words.
 */
function bucketErrorFromAws(err: unknown, name: string, action: BucketChange["action"]): RoomError {
  if (err instanceof AwsError && err.kind !== "AlreadyExists" && (TAKEN_CODES.has(err.code) || /BucketAlreadyExists|BucketAlreadyOwnedByYou/i.test(err.message))) {
    return new RoomError("conflict", `The S3 name for “${name}” is already taken in AWS (bucket names are shared by every AWS account, and this project's suffix is fixed): choose another name.`, {
      name: "This name is taken in S3; choose another.",
    });
  }
  return roomErrorFromAws(err, `bucket “${name}”`, action);
}

/**
 * Sends the planned change to CloudFormation (operation id = ClientRequestToken, so a retried
 * call never starts a second operation). A delete is refused while the bucket holds any object
 * or old version: Stackroom never destroys data (CloudFormation would also fail, but only after
 * a long DELETE_FAILED round trip).
 */
async function runBucket(room: RoomContext, request: ChangeRequest<BucketChange>, planned: StoredBucket, operationId: string): Promise<OperationOutcome> {
  const { project, change } = request;
  const { name, physicalName, spec } = planned.resource;
  const gateway = room.gateway(project);
  const stack = stackName(project.id, "bucket", name);
  try {
    if (change.action === "delete") {
      if (!(await bucketGateway(room, project).isEmpty(physicalName))) return refused(notEmpty(name));
      await gateway.deleteStack({ stackName: stack, operationId });
      return { kind: "started" };
    }
    const input = { ...bucketStackInput(project, name, spec, physicalName), operationId };
    if (change.action === "create") {
      await gateway.createStack(input);
      return { kind: "started" };
    }
    const { changed } = await gateway.updateStack(input);
    return changed ? { kind: "started" } : { kind: "noop", message: `Bucket ${name} already had these settings; nothing changed` };
  } catch (err) {
    return refused(bucketErrorFromAws(err, name, change.action));
  }
}

function notEmpty(name: string): RoomError {
  return new RoomError("conflict", `Bucket “${name}” still holds objects (or old versions of objects). Empty it first: Stackroom never deletes data. Nothing was changed.`);
}

function bucketOperation(room: RoomContext, request: ChangeRequest<BucketChange>): Operation {
  const name = nameOf(request.change);
  return {
    kind: "bucket",
    name,
    action: request.change.action,
    actor: request.actor,
    plan: (operationId, now, assumed) => planBucketChange(request, assumed ? assumed.current && StoredBucket.parse(assumed.current) : room.store.getAs("bucket", name, StoredBucket), room.neighbours.users(), operationId, now),
    describe: (planned) => describe(request.actor, request.change, StoredBucket.parse(planned).resource.spec),
    run: async (raw, operationId) => {
      const planned = StoredBucket.parse(raw);
      const deleteBucket = () => runBucket(room, request, planned, operationId);
      if (request.change.action !== "delete" || !request.change.removeGrants) return deleteBucket();
      // The manager confirmed: take the bucket out of every grant, then delete it — all or nothing.
      // Every precondition AWS lets us ask is checked before the first step: it holds no objects.
      if (!(await bucketGateway(room, request.project).isEmpty(planned.resource.physicalName))) return refused(notEmpty(name));
      const keep = (taken: TakenGrants) => {
        const locked = room.store.getAs("bucket", name, StoredBucket);
        if (!locked) return;
        const withTaken: StoredBucket = { ...locked, restoreGrants: taken };
        room.store.put("bucket", withTaken);
      };
      return room.workflows.takeGrantsThenDelete({ project: request.project, actor: request.actor, bucket: name, keep, deleteBucket });
    },
  };
}

/** The spec from the template's Metadata, or (an unreadable or older template) from the stack's spec tag. */
function readSpec(templateBody: string, tags: Readonly<Record<string, string>>): BucketSpec | null {
  try {
    const metadata = readSpecFromTemplate(templateBody);
    if (metadata) return metadata.spec;
  } catch (err) {
    if (!(err instanceof TemplateMetadataError)) throw err;
  }
  const tag = tags[TAG_KEYS.spec];
  return tag ? decodeSpecTag(tag) : null;
}

export const bucketKind = defineKind<BucketChange, StoredBucket>({
  kind: "bucket",
  stored: StoredBucket,
  change: BucketChange,
  spec: BucketSpec,
  nameOf,
  operation: bucketOperation,
  summarize(change) {
    if (change.action !== "update") return `${change.action} bucket`;
    const fields = Object.entries(change.body).filter(([key, value]) => key !== "queue" && value !== undefined);
    return `update ${fields.map(([key, value]) => `${key} → ${JSON.stringify(value)}`).join(", ")}`;
  },
  merge(first, next) {
    if (first.action !== "update" || next.action !== "update") return null;
    return BucketChange.safeParse({ ...first, body: { ...first.body, ...definedOnly(next.body) } }).data ?? null;
  },
  retry(stored) {
    const { name } = stored.resource;
    if (stored.stackStatus === "DELETE_FAILED") return { action: "delete", name };
    return stored.failedSpec ? { action: "update", name, body: { ...stored.failedSpec, queue: true } } : null;
  },
  readSpec,
  adopt(project: ProjectRecord, name, spec, state, now) {
    const physicalName = physicalBucketName(project.id, project.accountId, project.region, name);
    return { resource: { name, physicalName, spec, status: state.status, statusReason: state.reason, updatedAt: now }, appliedSpec: state.status === "ready" ? spec : null };
  },
  settle(room, project, stored) {
    const taken = stored.restoreGrants;
    if (!taken || stored.resource.lock) return { stored, after: () => undefined };
    const { restoreGrants: _settled, ...rest } = stored;
    const failed = stored.resource.status !== "deleted";
    const why = stored.resource.statusReason ?? `its stack ended in ${stored.stackStatus ?? "failure"}`;
    return { stored: rest, after: () => (failed ? room.workflows.giveBack(project, stored.resource.name, taken, why) : undefined) };
  },
  invalid: (error) => {
    const { message, fields } = describeIssues(error, "The bucket change");
    return new RoomError("invalid", message, fields);
  },
});

function definedOnly(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
}
