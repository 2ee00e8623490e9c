import { BucketName } from "./contract/bucket";
import type { ResourceKind } from "./contract/resource";
import { allKinds, kindFacts, type SingleKind } from "./kinds";

/** Every stack Stackroom owns starts with this; anything else in the account is foreign. */
const STACK_PREFIX = "stackroom";

/** Stack tag keys (CloudFormation propagates stack tags to the bucket / user it creates). */
export const TAG_KEYS = {
  project: "stackroom:project",
  kind: "stackroom:kind",
  name: "stackroom:name",
  spec: "stackroom:spec",
} as const;

/** AWS tag values are at most 256 characters (CloudFormation Tag, S3 PutBucketTagging). */
export const TAG_VALUE_MAX = 256;

/** CloudFormation stack names: `[A-Za-z][A-Za-z0-9-]*`, at most 128 characters. */
const STACK_NAME_MAX = 128;
const PROJECT_ID = /^[a-z][a-z0-9]{1,19}$/;

export class NamingError extends Error {
  override name = "NamingError";
}

/** Whether `name` can name a resource of `kind` (and so a stack): what a path segment must be before it is used. */
export function isResourceName(kind: ResourceKind, name: string): boolean {
  return kindFacts(kind)?.stack.isName(name) ?? false;
}

/**
 * `stackroom-<project>-<segment>-<name>`, the segment and the name's stack-safe form from the kind
 * table (user names are escaped). Throws NamingError for an invalid project id or name, or when
 * the result exceeds 128 characters (possible only for long user names full of escaped
 * characters). A kind with one resource per project (the SFTP server) has the stack
 * `stackroom-<project>-<segment>`.
 */
export function stackName(projectId: string, kind: SingleKind, name?: string): string;
export function stackName(projectId: string, kind: ResourceKind, name: string): string;
export function stackName(projectId: string, kind: ResourceKind, name?: string): string {
  if (!PROJECT_ID.test(projectId)) throw new NamingError(`Invalid project id: ${projectId}`);
  const stack = kindFacts(kind)?.stack;
  if (!stack) throw new NamingError(`Unknown kind: ${kind}`);
  const resource = name ?? stack.single ?? "";
  if (!stack.isName(resource)) throw new NamingError(`Invalid ${kind} name: ${resource}`);
  if (stack.single !== undefined) return `${STACK_PREFIX}-${projectId}-${stack.segment}`;
  const result = `${STACK_PREFIX}-${projectId}-${stack.segment}-${stack.encode ? stack.encode(resource) : resource}`;
  if (result.length > STACK_NAME_MAX) {
    throw new NamingError(`The stack name for ${kind} ${resource} would exceed ${STACK_NAME_MAX} characters.`);
  }
  return result;
}

/**
 * The stack-name patterns of every kind's stacks in a project (`stackroom-<project>-bucket-*`,
 * `stackroom-<project>-sftp`), for IAM resource ARNs: never another stack of the account.
 */
export function stackNamePatterns(projectId: string): string[] {
  if (!PROJECT_ID.test(projectId)) throw new NamingError(`Invalid project id: ${projectId}`);
  return allKinds().map(([, { stack }]) => `${STACK_PREFIX}-${projectId}-${stack.segment}${stack.single === undefined ? "-*" : ""}`);
}

interface ParsedStackName {
  projectId: string;
  kind: ResourceKind;
  name: string;
}

/**
 * Inverse of stackName; null for any stack Stackroom did not name (foreign or malformed). Project
 * ids and kind segments contain no hyphen, so the first three hyphens are unambiguous separators.
 */
export function parseStackName(name: string): ParsedStackName | null {
  if (name.length > STACK_NAME_MAX) return null;
  const match = new RegExp(`^${STACK_PREFIX}-([a-z][a-z0-9]{1,19})-([a-z]+)(?:-([A-Za-z0-9-]+))?$`).exec(name);
  if (!match) return null;
  const [, projectId = "", segment, encoded] = match;
  const found = allKinds().find(([, facts]) => facts.stack.segment === segment);
  if (!found) return null;
  const [key, { stack }] = found;
  // A kind's own key: the table's are ResourceKind; a registered kind's is what it was registered as.
  const kind = key as ResourceKind;
  if (stack.single !== undefined) return encoded === undefined ? { projectId, kind, name: stack.single } : null;
  if (encoded === undefined) return null;
  const decoded = stack.decode ? stack.decode(encoded) : encoded;
  if (decoded === null || !stack.isName(decoded)) return null;
  return { projectId, kind, name: decoded };
}

/**
 * FNV-1a, 32 bit. Not cryptographic, and it need not be: the suffix only has to be deterministic
 * and spread distinct (account, region, project) triples apart, and it must be sync so naming
 * stays a pure function (WebCrypto's digest is async). Secrecy is no goal either: every input is
 * knowable, and a squatter who pre-creates the name only makes our CreateStack fail with
 * BucketAlreadyExists — CloudFormation never adopts a bucket it did not create.
 */
function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * The S3 bucket name: `<name>-<8 hex>`, the hex derived from account/region/project, so the same
 * name in two projects or accounts never collides and re-deriving it always gives the same name.
 * At most 54 + 9 = 63 characters (S3's limit); a hex suffix never forms S3's reserved suffixes.
 */
export function physicalBucketName(projectId: string, accountId: string, region: string, name: string): string {
  if (!PROJECT_ID.test(projectId)) throw new NamingError(`Invalid project id: ${projectId}`);
  if (!BucketName.safeParse(name).success) throw new NamingError(`Invalid bucket name: ${name}`);
  const suffix = fnv1a32(`${accountId}/${region}/${projectId}`).toString(16).padStart(8, "0");
  return `${name}-${suffix}`;
}

/**
 * The 8-hex suffix every bucket of the project ends with (`<name>-<suffix>`). IAM can only scope
 * S3 by name, and this suffix is the part all the project's buckets share (boundaries, bridge roles).
 */
export function bucketSuffix(projectId: string, accountId: string, region: string): string {
  return physicalBucketName(projectId, accountId, region, "abc").slice(-8);
}
