import { ProjectId } from "./contract/project";
import { sftpFolder, sftpUserNameProblem, type SftpAccess } from "./contract/sftp";
import { parseSshPublicKey, SshKeyError } from "./contract/ssh-key";
import type { Permission } from "./contract/user";
import { bucketSuffix, physicalBucketName } from "./naming";
import { projectBoundaryArn, projectIamPath } from "./project-boundary";
import { serverIdOf, sftpServerExportName, transferTrustPolicy } from "./sftp-server-template";
import type { PolicyDocument } from "./user-policy";

/**
 * The SFTP half of a user stack: an AWS::Transfer::User on the project's server and the role
 * Transfer Family assumes for it. user-template.ts merges these resources in when the spec has
 * SFTP; everything that decides what the user reaches (grants, expiry) stays in user-policy.ts.
 */

interface SftpUserInput {
  projectId: string;
  accountId: string;
  region: string;
  /** The Stackroom user name, which is also the Transfer Family user name. */
  name: string;
  sftp: SftpAccess;
  /** In canonical order (user-template.ts canonicalSpec). */
  permissions: Permission[];
  /** The user's inline policy (userPolicyDocument): the SFTP role gets exactly the same grants. */
  grants: PolicyDocument;
  /** The inline policy's name on the IAM user, reused on the role. */
  policyName: string;
}

interface HomeDirectoryMapping {
  Entry: string;
  Target: string;
}

/**
 * Logical home directory: each granted bucket (or prefix of it) appears as `/<bucket>` (or
 * `/<bucket>/<prefix>`) and maps to the same path in the physical bucket, so the user sees its
 * grants and nothing else. Entries and targets run parallel, so an entry inside another entry of
 * the same bucket adds nothing and is left out (the role's policy decides what may be done
 * there). A prefix that is not a whole folder (`report` for `report*`) maps the folder `report/`,
 * a part of what the grant allows.
 *
 * Without grants (a new or expired user), `/` maps to a bucket Stackroom can never have (two
 * hyphens are not allowed in a bucket name): Transfer Family needs at least one mapping for a
 * LOGICAL home, and the role's explicit Deny of everything blocks it anyway.
 */
export function homeDirectoryMappings(permissions: Permission[], physicalName: (bucket: string) => string, suffix: string): HomeDirectoryMapping[] {
  const paths = [...new Set(permissions.map((p) => sftpFolder(p).slice(1)))].sort();
  const kept = paths.filter((path) => !paths.some((other) => other !== path && path.startsWith(`${other}/`)));
  if (kept.length === 0) return [{ Entry: "/", Target: `/no--access-${suffix}` }];
  return kept.map((path) => {
    const [bucket = "", ...rest] = path.split("/");
    const tail = rest.length > 0 ? `/${rest.join("/")}` : "";
    return { Entry: `/${path}`, Target: `/${physicalName(bucket)}${tail}` };
  });
}

/** The keys in normal form and a fixed order, so equal key sets give byte-equal templates. */
export function canonicalKeys(sftp: SftpAccess): string[] {
  return sftp.sshPublicKeys
    .map((line, i) => {
      const parsed = parseSshPublicKey(line);
      // A key stored before a stricter check (a weak RSA exponent, a small-order point) lands here.
      if (!parsed.ok) throw new SshKeyError(`SSH key ${i + 1} is no longer accepted: ${parsed.reason}`);
      return parsed.key.line;
    })
    .toSorted();
}

/**
 * The resources (logical ids SftpRole, SftpUser) of a user's SFTP access. The server id comes from
 * the SFTP server stack's export (the server ARN; the id is its last path part), so the user stack
 * needs no input of its own and CloudFormation refuses to delete the server while a user stack
 * still imports it. The role sits under the project path with the project boundary, like the IAM user.
 */
export function sftpUserResources(input: SftpUserInput): Record<string, object> {
  const projectId = ProjectId.parse(input.projectId);
  const problem = sftpUserNameProblem(input.name);
  if (problem !== null) throw new Error(problem);
  const physicalName = (bucket: string) => physicalBucketName(projectId, input.accountId, input.region, bucket);
  return {
    SftpRole: {
      Type: "AWS::IAM::Role",
      Properties: {
        Path: projectIamPath(projectId),
        Description: `SFTP access of Stackroom user ${input.name} (project ${projectId}): the same grants as the IAM user.`,
        PermissionsBoundary: projectBoundaryArn(projectId, input.accountId),
        AssumeRolePolicyDocument: transferTrustPolicy(input.accountId),
        Policies: [{ PolicyName: input.policyName, PolicyDocument: input.grants }],
      },
    },
    SftpUser: {
      Type: "AWS::Transfer::User",
      Properties: {
        ServerId: serverIdOf({ "Fn::ImportValue": sftpServerExportName(projectId) }),
        UserName: input.name,
        Role: { "Fn::GetAtt": ["SftpRole", "Arn"] },
        HomeDirectoryType: "LOGICAL",
        HomeDirectoryMappings: homeDirectoryMappings(input.permissions, physicalName, bucketSuffix(projectId, input.accountId, input.region)),
        SshPublicKeys: canonicalKeys(input.sftp),
      },
    },
  };
}
