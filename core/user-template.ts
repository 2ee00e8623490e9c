import * as z from "zod";
import { readStackroomMetadata } from "./template-metadata";
import { TEMPLATE_VERSION, type StackTag } from "./template-metadata";
import { ProjectId, type ProjectRecord } from "./contract/project";
import { IsoTime } from "./contract/resource";
import { SftpAccess } from "./contract/sftp";
import { Permission, UserName, UserSpec } from "./contract/user";
import { physicalBucketName, stackName, TAG_KEYS, TAG_VALUE_MAX } from "./naming";
import { projectBoundaryArn, projectIamPath } from "./project-boundary";
import { canonicalKeys, sftpUserResources } from "./sftp-user";
import type { ResourceStackInput } from "./stack-input";
import { assertInlinePolicyFits, userPolicyDocument } from "./user-policy";

export interface UserTemplateInput {
  projectId: string;
  accountId: string;
  region: string;
  name: string;
  spec: UserSpec;
}

/** The inline policy's name; constant, so an update rewrites the document in place. */
export const GRANTS_POLICY_NAME = "stackroom-grants";

/** The IAM path of every user of a project. */
export const userPath = projectIamPath;

const byGrant = (a: Permission, b: Permission) => {
  const [ka, kb] = [`${a.bucket}\u0000${a.prefix ?? ""}`, `${b.bucket}\u0000${b.prefix ?? ""}`];
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

/**
 * A fixed key order and permissions sorted by bucket and prefix, so equal specs give byte-equal
 * templates (and a reordered matrix save is a no-op update, not a new template).
 */
function canonicalSpec(spec: UserSpec): UserSpec {
  const parsed = UserSpec.parse(spec);
  return {
    description: parsed.description,
    permissions: parsed.permissions
      .map((p) => ({ bucket: p.bucket, access: p.access, ...(p.prefix === undefined ? {} : { prefix: p.prefix }) }))
      .toSorted(byGrant),
    expiresAt: parsed.expiresAt,
    sftp: parsed.sftp ? { sshPublicKeys: canonicalKeys(parsed.sftp) } : null,
  };
}

/** Template values may not be null (cfn-lint E4002): null is written as an absent key. */
function metadataSpec(spec: UserSpec) {
  return {
    ...(spec.description === null ? {} : { description: spec.description }),
    permissions: spec.permissions,
    ...(spec.expiresAt === null ? {} : { expiresAt: spec.expiresAt }),
    ...(spec.sftp ? { sftp: spec.sftp } : {}),
  };
}

/**
 * The CloudFormation template (JSON) of one managed user; deterministic for equal inputs. Throws
 * PolicyTooLargeError when the grants exceed IAM's inline-policy limit, TemplateTooLargeError when
 * the whole template (SSH keys, mostly) exceeds CloudFormation's TemplateBody limit. With
 * `spec.sftp`, the user's SFTP access (sftp-user.ts) joins the same stack.
 *
 * The grants are an `AWS::IAM::Policy` (an inline user policy, PutUserPolicy) rather than the
 * user's `Policies` property: same IAM result, but moto's CloudFormation applies only the former,
 * so the local stack and the IAM-enforcement tests run the very policy this template declares.
 * The boundary is the project's, created by the bridge stack and referenced by ARN: the stack
 * creates no managed policy, and the execution role could not create one that lifts the cap.
 */
export function userTemplate(input: UserTemplateInput): string {
  const projectId = ProjectId.parse(input.projectId);
  const name = UserName.parse(input.name);
  const spec = canonicalSpec(input.spec);
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(input.region)) throw new Error(`Invalid AWS region: ${input.region}`);
  const physicalName = (bucket: string) => physicalBucketName(projectId, input.accountId, input.region, bucket);
  const grants = userPolicyDocument(spec.permissions, physicalName, spec.expiresAt);
  assertInlinePolicyFits(grants);
  const path = userPath(projectId);
  const template = {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: `Stackroom user ${name} of project ${projectId}. Managed by Stackroom; do not edit by hand.`,
    // The spec lives here so a lost cache can be rebuilt from GetTemplate alone.
    Metadata: { Stackroom: { kind: "user", project: projectId, name, spec: metadataSpec(spec), version: TEMPLATE_VERSION } },
    Resources: {
      User: {
        Type: "AWS::IAM::User",
        Properties: { UserName: name, Path: path, PermissionsBoundary: projectBoundaryArn(projectId, input.accountId) },
      },
      Grants: {
        Type: "AWS::IAM::Policy",
        Properties: { PolicyName: GRANTS_POLICY_NAME, Users: [{ Ref: "User" }], PolicyDocument: grants },
      },
      ...(spec.sftp ? sftpUserResources({ projectId, accountId: input.accountId, region: input.region, name, sftp: spec.sftp, permissions: spec.permissions, grants, policyName: GRANTS_POLICY_NAME }) : {}),
    },
    Outputs: {
      UserArn: { Description: "IAM user ARN", Value: { "Fn::GetAtt": ["User", "Arn"] } },
    },
  };
  const body = JSON.stringify(template, null, 2);
  if (new TextEncoder().encode(body).length > TEMPLATE_BODY_MAX) {
    throw new TemplateTooLargeError(`This user's settings make a CloudFormation template over ${TEMPLATE_BODY_MAX} bytes. Use fewer or shorter SSH keys, or fewer grants.`);
  }
  return body;
}

/** CreateStack/UpdateStack take at most 51,200 bytes of TemplateBody; SSH keys are what can reach it. */
const TEMPLATE_BODY_MAX = 51_200;

export class TemplateTooLargeError extends Error {
  override name = "TemplateTooLargeError";
}

/**
 * A summary of the spec as a tag value: the permissions do not fit AWS's 256 characters (20
 * grants with 200-character prefixes) and the description may hold characters tags refuse, so
 * the tag carries the grant count and the expiry and the template's Metadata the full spec.
 */
function encodeUserSpecTag(spec: UserSpec): string {
  const s = canonicalSpec(spec);
  return `v${TEMPLATE_VERSION} grants=${s.permissions.length} expiresAt=${s.expiresAt ?? "none"}`;
}

interface UserSpecSummary {
  grants: number;
  expiresAt: string | null;
}

/** Inverse of encodeUserSpecTag; null for anything else. */
export function decodeUserSpecTag(value: string): UserSpecSummary | null {
  const m = /^v1 grants=(\d{1,3}) expiresAt=(none|\S+)$/.exec(value);
  if (!m) return null;
  if (m[2] === "none") return { grants: Number(m[1]), expiresAt: null };
  const expiresAt = IsoTime.safeParse(m[2]);
  return expiresAt.success ? { grants: Number(m[1]), expiresAt: expiresAt.data } : null;
}

/**
 * Stack tags of a user stack (propagated to the IAM user). IAM names may
 * contain `,`, which tag values refuse; it is written as `:`, which IAM names never contain.
 */
export function userStackTags(input: { projectId: string; name: string; spec: UserSpec }): StackTag[] {
  const tags = [
    { Key: TAG_KEYS.project, Value: ProjectId.parse(input.projectId) },
    { Key: TAG_KEYS.kind, Value: "user" },
    { Key: TAG_KEYS.name, Value: UserName.parse(input.name).replaceAll(",", ":") },
    { Key: TAG_KEYS.spec, Value: encodeUserSpecTag(input.spec) },
  ];
  for (const tag of tags) {
    if (tag.Value.length > TAG_VALUE_MAX) throw new Error(`Tag ${tag.Key} exceeds ${TAG_VALUE_MAX} characters.`);
  }
  return tags;
}

/**
 * A user's stack as Stackroom creates and updates it: stack name, template, tags and the IAM
 * capability its named IAM user needs.
 */
export function userStackInput(project: Pick<ProjectRecord, "id" | "accountId" | "region">, name: string, spec: UserSpec): ResourceStackInput {
  return {
    stackName: stackName(project.id, "user", name),
    templateBody: userTemplate({ projectId: project.id, accountId: project.accountId, region: project.region, name, spec }),
    tags: userStackTags({ projectId: project.id, name, spec }),
    capabilities: ["CAPABILITY_NAMED_IAM"],
  };
}

const StoredSpec = z
  .object({ description: z.string().max(200).optional(), permissions: z.array(Permission), expiresAt: IsoTime.optional(), sftp: SftpAccess.optional() })
  .transform((s): UserSpec => ({ description: s.description ?? null, permissions: s.permissions, expiresAt: s.expiresAt ?? null, sftp: s.sftp ?? null }));

const StackroomMetadata = z.object({
  kind: z.literal("user"),
  project: ProjectId,
  name: UserName,
  spec: StoredSpec,
  version: z.literal(TEMPLATE_VERSION),
});
type UserTemplateMetadata = z.infer<typeof StackroomMetadata>;

/**
 * Reads the spec back from a template body (GetTemplate). null: not a Stackroom user template
 * (not JSON, no `Metadata.Stackroom`, or another kind). Throws TemplateMetadataError when the
 * Stackroom user metadata is there but unreadable (hand-edited, or written by a newer Stackroom).
 */
export function readUserSpecFromTemplate(templateBody: string): UserTemplateMetadata | null {
  return readStackroomMetadata(templateBody, "user", StackroomMetadata);
}
