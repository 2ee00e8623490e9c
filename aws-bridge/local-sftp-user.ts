import ssh2, { type ParsedKey } from "ssh2";
import * as z from "zod";
import { parseSshPublicKey } from "../core/contract/ssh-key";
import type { Permission } from "../core/contract/user";
import { NamingError, physicalBucketName, stackName } from "../core/naming";
import { readUserSpecFromTemplate } from "../core/user-template";
import { AwsError, type QueryCall } from "../core/aws";
import { projectIamPath } from "../core/project-boundary";

/**
 * One SFTP user as its deployed user stack declares it, read from CloudFormation at login
 * (DescribeStacks + GetTemplate), as Transfer Family would know it: the AWS::Transfer::User's keys
 * and logical home, and what the user may do where, from the grants in the template's spec (the
 * same grants its SftpRole's policy is generated from).
 */

export interface Mapping {
  /** The path the user sees, `/uploads` or `/uploads/in`. */
  entry: string;
  bucket: string;
  /** The key prefix the entry stands for: `` or `in/`. */
  prefix: string;
}

export interface SftpUser {
  name: string;
  /**
   * The user's SftpRole (the stack's physical id, under the project path): Transfer Family assumes
   * it for the session, so S3 tells the session's writes as `AWS:<RoleId>:<session>`. Null when
   * the stack has none (written by hand, or before SFTP roles).
   */
  roleArn: string | null;
  /** The declared keys the contract accepts: the only ones a sign-in is verified against. */
  keys: ParsedKey[];
  /** Declared keys the contract refuses (position 1-based), with why: never used, whoever wrote them into the stack. */
  refusedKeys: { position: number; line: string; reason: string }[];
  mappings: Mapping[];
  /** Whether IAM would allow reading or writing this object under the user's grants. */
  may(action: "read" | "write", bucket: string, key: string): boolean;
  /** Whether IAM would allow listing with this `s3:prefix` (any grant covering it). */
  mayList(bucket: string, prefix: string): boolean;
}

interface UserSource {
  cloudformation: QueryCall;
  projectId: string;
  accountId: string;
  region: string;
  now?: () => number;
}

/** Stack states whose template is the one in force (moto completes at once; no rollbacks there). */
const IN_FORCE = new Set(["CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE", "IMPORT_ROLLBACK_COMPLETE"]);

const Stacks = z.object({ Stacks: z.object({ member: z.array(z.object({ StackStatus: z.string() })) }) });
const Template = z.object({ TemplateBody: z.string() });
const StackResource = z.object({ StackResourceDetail: z.object({ PhysicalResourceId: z.string().min(1) }) });

const TransferUser = z.object({
  Type: z.literal("AWS::Transfer::User"),
  Properties: z.object({
    UserName: z.string(),
    HomeDirectoryType: z.literal("LOGICAL"),
    HomeDirectoryMappings: z.array(z.object({ Entry: z.string().startsWith("/"), Target: z.string().startsWith("/") })).min(1),
    SshPublicKeys: z.array(z.string()).default([]),
  }),
});
const Resources = z.object({ Resources: z.record(z.string(), z.unknown()) });

/** `/phys/in` -> bucket `phys`, prefix `in/`; `/phys` -> prefix ``. */
function mappingOf(entry: string, target: string): Mapping {
  const [bucket = "", ...rest] = target.slice(1).split("/").filter((part) => part !== "");
  return { entry: entry.replace(/\/+$/, "") || "/", bucket, prefix: rest.length > 0 ? `${rest.join("/")}/` : "" };
}

function grantsCheck(permissions: Permission[], physical: (bucket: string) => string, expired: () => boolean) {
  const covering = (bucket: string, key: string) => permissions.filter((p) => physical(p.bucket) === bucket && key.startsWith(p.prefix ?? ""));
  return {
    may(action: "read" | "write", bucket: string, key: string): boolean {
      if (expired()) return false;
      return covering(bucket, key).some((p) => p.access === "readwrite" || p.access === action);
    },
    mayList(bucket: string, prefix: string): boolean {
      return !expired() && covering(bucket, prefix).length > 0;
    },
  };
}

/**
 * The declared keys split by the contract's judgement. The stack is no proof a key is sound: it may
 * predate a check (RSA e = 1, small-order Ed25519 keys: ones anyone can sign for) or be written by
 * hand, and ssh2 parses and verifies such keys without complaint.
 */
function readKeys(lines: string[]): Pick<SftpUser, "keys" | "refusedKeys"> {
  const keys: ParsedKey[] = [];
  const refusedKeys: SftpUser["refusedKeys"] = [];
  lines.forEach((line, i) => {
    const judged = parseSshPublicKey(line);
    if (!judged.ok) return refusedKeys.push({ position: i + 1, line, reason: judged.reason });
    const parsed = ssh2.utils.parseKey(judged.key.line);
    if (parsed instanceof Error) refusedKeys.push({ position: i + 1, line, reason: `ssh2 cannot read it (${parsed.message}).` });
    else keys.push(parsed);
  });
  return { keys, refusedKeys };
}

/** The ARN of the stack's SftpRole, from its physical id (the role's name) and the project's IAM path. */
async function sftpRoleArn(source: UserSource, stack: string): Promise<string | null> {
  try {
    const { StackResourceDetail: role } = await source.cloudformation("DescribeStackResource", { StackName: stack, LogicalResourceId: "SftpRole" }, StackResource);
    return `arn:aws:iam::${source.accountId}:role${projectIamPath(source.projectId)}${role.PhysicalResourceId}`;
  } catch (err) {
    if (err instanceof AwsError && err.code === "ValidationError") return null;
    throw err;
  }
}

/** The user named `name`, or null when no deployed user stack gives it SFTP access. */
export async function loadSftpUser(source: UserSource, name: string): Promise<SftpUser | null> {
  let stack: string;
  try {
    stack = stackName(source.projectId, "user", name);
  } catch (err) {
    if (err instanceof NamingError) return null;
    throw err;
  }
  try {
    const described = await source.cloudformation("DescribeStacks", { StackName: stack }, Stacks);
    if (!described.Stacks.member.some((s) => IN_FORCE.has(s.StackStatus))) return null;
  } catch (err) {
    if (err instanceof AwsError && err.code === "ValidationError") return null;
    throw err;
  }
  const { TemplateBody: body } = await source.cloudformation("GetTemplate", { StackName: stack }, Template);
  const metadata = readUserSpecFromTemplate(body);
  let resources: Record<string, unknown>;
  try {
    resources = Resources.parse(JSON.parse(body)).Resources;
  } catch {
    return null;
  }
  const transfer = Object.values(resources).map((r) => TransferUser.safeParse(r)).find((r) => r.success)?.data;
  if (!metadata || !transfer || transfer.Properties.UserName !== name || metadata.name !== name) return null;

  const physical = (bucket: string) => physicalBucketName(source.projectId, source.accountId, source.region, bucket);
  const now = source.now ?? Date.now;
  const expiresAt = metadata.spec.expiresAt;
  const expired = () => expiresAt !== null && Date.parse(expiresAt) <= now();
  return {
    name,
    roleArn: await sftpRoleArn(source, stack),
    ...readKeys(transfer.Properties.SshPublicKeys),
    mappings: transfer.Properties.HomeDirectoryMappings.map((m) => mappingOf(m.Entry, m.Target)),
    ...grantsCheck(metadata.spec.permissions, physical, expired),
  };
}
