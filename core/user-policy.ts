import * as z from "zod";
import { IsoTime } from "./contract/resource";
import { Permission } from "./contract/user";

export interface PolicyStatement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/** Bucket-level actions a grant can give; the boundary allows exactly these on project buckets. */
export const BUCKET_ACTIONS = ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"] as const;

/**
 * No `*Version` action on purpose: the old versions are the manager's undo. A reader cannot read
 * what a writer overwrote or deleted, and a writer's DeleteObject only adds a delete marker (no
 * DeleteObjectVersion). Write grants exist only on versioned buckets (the room refuses a write
 * grant on an unversioned bucket and turning versioning off under one), so no grant can destroy
 * history.
 */
const READ_OBJECT_ACTIONS = ["s3:GetObject"] as const;
const WRITE_OBJECT_ACTIONS = ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:ListMultipartUploadParts", "s3:PutObject"] as const;
export const OBJECT_ACTIONS = [...new Set([...WRITE_OBJECT_ACTIONS, ...READ_OBJECT_ACTIONS])].sort();

/** IAM's limit on the summed size of a user's inline policies (whitespace not counted). */
export const USER_INLINE_POLICY_MAX = 2048;

export class PolicyTooLargeError extends Error {
  override name = "PolicyTooLargeError";
}

const bucketArn = (physical: string) => `arn:aws:s3:::${physical}`;
const objectArn = (physical: string, prefix?: string) => `${bucketArn(physical)}/${prefix ?? ""}*`;
const includesWrite = (p: Permission) => p.access !== "read";

/** Sorted by bucket, then prefix (none first): the policy depends on the set, not the order. */
function sortedPermissions(permissions: Permission[]): Permission[] {
  const parsed = z.array(Permission).parse(permissions);
  const key = (p: Permission) => `${p.bucket}\u0000${p.prefix ?? ""}`;
  const sorted = parsed.toSorted((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  sorted.forEach((p, i) => {
    if (i > 0 && key(sorted[i - 1]!) === key(p)) throw new Error(`Bucket ${p.bucket} (prefix "${p.prefix ?? ""}") is granted twice.`);
  });
  return sorted;
}

/**
 * The inline policy of a user. Resources with equal actions share one statement: IAM caps a
 * user's inline policies at 2048 characters, and one statement per grant would fill that with
 * about five buckets. GetBucketLocation never shares a statement with the `s3:prefix` condition (the
 * key is absent from that request, so the condition would deny it). ListBucketMultipartUploads
 * is granted only for whole-bucket writes: it has no `s3:prefix` condition key, so with a prefix
 * it would list other parties' in-flight upload names; uploading itself never needs it.
 * No permissions: a single explicit Deny, which is a valid document and outranks any Allow.
 *
 * With `expiresAt`, an explicit Deny of everything from that time on: IAM itself stops the user
 * even if the scheduled expiry update never runs. It lives here, not in the boundary, because
 * the boundary is one policy for the whole project; it counts against the 2048 characters.
 */
export function userPolicyDocument(
  permissions: Permission[],
  physicalName: (bucket: string) => string,
  expiresAt: string | null = null,
): PolicyDocument {
  const grants = sortedPermissions(permissions);
  if (grants.length === 0) return { Version: "2012-10-17", Statement: [{ Sid: "NoAccess", Effect: "Deny", Action: "*", Resource: "*" }] };

  const buckets = [...new Set(grants.map((p) => p.bucket))];
  const bucketLevel = new Map<string, string[]>();
  // Prefix-only buckets with the same prefixes share a statement; different prefixes never do,
  // or one bucket could be listed under another's prefix.
  const prefixLists = new Map<string, { prefixes: string[]; resources: string[] }>();
  for (const bucket of buckets) {
    const ofBucket = grants.filter((p) => p.bucket === bucket);
    const whole = ofBucket.filter((p) => p.prefix === undefined);
    const actions = ["s3:GetBucketLocation"];
    if (whole.length > 0) actions.push("s3:ListBucket");
    if (whole.some(includesWrite)) actions.push("s3:ListBucketMultipartUploads");
    const group = actions.join(",");
    bucketLevel.set(group, [...(bucketLevel.get(group) ?? []), bucketArn(physicalName(bucket))]);
    if (whole.length === 0) {
      const prefixes = ofBucket.flatMap((p) => [p.prefix ?? "", `${p.prefix ?? ""}*`]);
      const key = prefixes.join("\u0000");
      const list = prefixLists.get(key) ?? { prefixes, resources: [] };
      list.resources.push(bucketArn(physicalName(bucket)));
      prefixLists.set(key, list);
    }
  }

  const objectGroups = [
    { Sid: "ReadObjects", actions: [...READ_OBJECT_ACTIONS], of: (p: Permission) => p.access === "read" },
    { Sid: "WriteObjects", actions: [...WRITE_OBJECT_ACTIONS], of: (p: Permission) => p.access === "write" },
    { Sid: "ReadWriteObjects", actions: OBJECT_ACTIONS, of: (p: Permission) => p.access === "readwrite" },
  ];
  const bucketSids: Record<string, string> = {
    "s3:GetBucketLocation": "LocateBuckets",
    "s3:GetBucketLocation,s3:ListBucket": "ListBuckets",
    "s3:GetBucketLocation,s3:ListBucket,s3:ListBucketMultipartUploads": "ListBucketsAndUploads",
  };
  const statements: PolicyStatement[] = [
    ...Object.entries(bucketSids).flatMap(([group, Sid]): PolicyStatement[] => {
      const resources = bucketLevel.get(group);
      return resources ? [{ Sid, Effect: "Allow", Action: group.split(","), Resource: resources }] : [];
    }),
    ...[...prefixLists.values()].map(({ prefixes, resources }, i): PolicyStatement => ({
      Sid: `ListPrefixes${i + 1}`,
      Effect: "Allow",
      Action: ["s3:ListBucket"],
      Resource: resources,
      Condition: { StringLike: { "s3:prefix": prefixes } },
    })),
    ...objectGroups.flatMap(({ Sid, actions, of }): PolicyStatement[] => {
      const resources = grants.filter(of).map((p) => objectArn(physicalName(p.bucket), p.prefix));
      return resources.length > 0 ? [{ Sid, Effect: "Allow", Action: actions, Resource: resources }] : [];
    }),
  ];
  if (expiresAt !== null) statements.push(expiryStatement(expiresAt));
  return { Version: "2012-10-17", Statement: statements };
}

/** The size IAM counts against USER_INLINE_POLICY_MAX (our documents contain no whitespace). */
export const policySize = (document: PolicyDocument) => JSON.stringify(document).length;

/** Throws PolicyTooLargeError, with a message a manager can act on, when IAM would refuse it. */
export function assertInlinePolicyFits(document: PolicyDocument): void {
  const size = policySize(document);
  if (size > USER_INLINE_POLICY_MAX) {
    throw new PolicyTooLargeError(
      `These permissions need ${size} characters of IAM policy; AWS allows ${USER_INLINE_POLICY_MAX} per user. Grant fewer buckets or use shorter prefixes.`,
    );
  }
}

/** IAM date conditions take W3C ISO 8601; seconds precision in UTC is unambiguous. */
const iamTime = (iso: string) => new Date(IsoTime.parse(iso)).toISOString().replace(/\.\d{3}Z$/, "Z");

/** Denies everything from `expiresAt` on (the boundary stopped allowing at that time before it was shared). */
function expiryStatement(expiresAt: string): PolicyStatement {
  return { Sid: "Expired", Effect: "Deny", Action: "*", Resource: "*", Condition: { DateGreaterThanEquals: { "aws:CurrentTime": iamTime(expiresAt) } } };
}
