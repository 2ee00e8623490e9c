import { BucketName } from "./contract/bucket";
import { SFTP_SERVER_NAME } from "./contract/sftp";
import type { ResourceKind } from "./contract/resource";

/** Every stack Stackroom owns starts with this; anything else in the account is foreign. */
export const STACK_PREFIX = "stackroom";

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
const IAM_USER_NAME = /^[\w+=,.@-]{1,64}$/;

export class NamingError extends Error {
  override name = "NamingError";
}

/**
 * IAM user names allow `+=,.@_-`, stack names only `-`. Users are escaped reversibly with `-`
 * as the escape character (`-` itself becomes `-h`), so `alice` stays `alice` and
 * `ann.lee` becomes `ann-dlee`. Bucket names are already stack-safe and stay as they are.
 */
const USER_ESCAPES: Record<string, string> = { "-": "h", "+": "p", "=": "e", ",": "c", ".": "d", "@": "a", _: "u" };
const USER_UNESCAPES = Object.fromEntries(Object.entries(USER_ESCAPES).map(([raw, code]) => [code, raw]));

function encodeUserName(name: string): string {
  return [...name].map((c) => (USER_ESCAPES[c] === undefined ? c : `-${USER_ESCAPES[c]}`)).join("");
}

function decodeUserName(encoded: string): string | null {
  let out = "";
  for (let i = 0; i < encoded.length; i++) {
    const c = encoded.charAt(i);
    if (c !== "-") {
      out += c;
      continue;
    }
    const raw = USER_UNESCAPES[encoded.charAt(++i)];
    if (raw === undefined) return null;
    out += raw;
  }
  return out;
}

/** Whether `name` can name a resource of `kind` (and so a stack): what a path segment must be before it is used. */
export function isResourceName(kind: ResourceKind, name: string): boolean {
  switch (kind) {
    case "bucket":
      return BucketName.safeParse(name).success;
    case "user":
      return IAM_USER_NAME.test(name);
    case "sftp":
      return name === SFTP_SERVER_NAME;
  }
}

/**
 * `stackroom-<project>-<kind>-<name>`; user names are escaped (see USER_ESCAPES). Throws
 * NamingError for an invalid project id or name, or when the result exceeds 128 characters
 * (possible only for long user names full of escaped characters). The project's one SFTP server
 * (kind `sftp`, name SFTP_SERVER_NAME) has the stack `stackroom-<project>-sftp`.
 */
export function stackName(projectId: string, kind: "sftp", name?: string): string;
export function stackName(projectId: string, kind: ResourceKind, name: string): string;
export function stackName(projectId: string, kind: ResourceKind, name: string = SFTP_SERVER_NAME): string {
  if (!PROJECT_ID.test(projectId)) throw new NamingError(`Invalid project id: ${projectId}`);
  if (!isResourceName(kind, name)) throw new NamingError(`Invalid ${kind} name: ${name}`);
  if (kind === "sftp") return `${STACK_PREFIX}-${projectId}-sftp`;
  const encoded = kind === "user" ? encodeUserName(name) : name;
  const result = `${STACK_PREFIX}-${projectId}-${kind}-${encoded}`;
  if (result.length > STACK_NAME_MAX) {
    throw new NamingError(`The stack name for ${kind} ${name} would exceed ${STACK_NAME_MAX} characters.`);
  }
  return result;
}

export interface ParsedStackName {
  projectId: string;
  kind: ResourceKind;
  name: string;
}

/** Inverse of stackName; null for any stack Stackroom did not name (foreign or malformed). */
export function parseStackName(name: string): ParsedStackName | null {
  if (name.length > STACK_NAME_MAX) return null;
  const sftp = /^stackroom-([a-z][a-z0-9]{1,19})-sftp$/.exec(name);
  if (sftp) return { projectId: sftp[1] ?? "", kind: "sftp", name: SFTP_SERVER_NAME };
  // Project ids contain no hyphen, so the first three hyphens are unambiguous separators.
  const match = /^stackroom-([a-z][a-z0-9]{1,19})-(bucket|user)-([A-Za-z0-9-]+)$/.exec(name);
  if (!match) return null;
  const [, projectId = "", kindText, encoded = ""] = match;
  const kind: ResourceKind = kindText === "user" ? "user" : "bucket";
  const decoded = kind === "user" ? decodeUserName(encoded) : encoded;
  if (decoded === null || !isResourceName(kind, decoded)) return null;
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
