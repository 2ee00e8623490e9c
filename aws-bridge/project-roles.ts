import { bucketSuffix } from "../worker/domain/naming";

/**
 * Names and IAM policies of what the bridge sets up in a project account. template.yaml writes
 * the same documents with `!Sub` (template.test.ts renders them and compares, so the two cannot
 * drift); local-bootstrap.ts creates them in moto from here.
 */

export interface ProjectAccount {
  projectId: string;
  accountId: string;
  region: string;
  /** The Stackroom hub account whose Worker assumes the manager role. */
  hubAccountId: string;
  externalId: string;
}

export const eventsTopicName = (projectId: string) => `stackroom-${projectId}-events`;
export const managerRoleName = (projectId: string) => `stackroom-${projectId}-manager`;
export const executionRoleName = (projectId: string) => `stackroom-${projectId}-cfn-execution`;
export const MANAGER_POLICY_NAME = "stackroom-manager";
export const EXECUTION_POLICY_NAME = "stackroom-cfn-execution";


type Statement = Record<string, unknown>;
export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Statement[];
}
const policy = (...Statement: Statement[]): PolicyDocument => ({ Version: "2012-10-17", Statement });

function arns(a: ProjectAccount) {
  const iam = `arn:aws:iam::${a.accountId}`;
  return {
    // Only resource stacks (naming.ts stackName): never the bridge's own stack, whatever its name.
    stacks: ["bucket", "user"].map((kind) => `arn:aws:cloudformation:${a.region}:${a.accountId}:stack/stackroom-${a.projectId}-${kind}-*/*`),
    executionRole: `${iam}:role/${executionRoleName(a.projectId)}`,
    buckets: `arn:aws:s3:::*-${bucketSuffix(a.projectId, a.accountId, a.region)}`,
    users: `${iam}:user/stackroom/${a.projectId}/*`,
    policies: `${iam}:policy/stackroom/${a.projectId}/*`,
  };
}

/** Only the hub account, and only with the project's external id (confused-deputy guard). */
export function managerTrustPolicy(a: ProjectAccount): PolicyDocument {
  return policy({
    Effect: "Allow",
    Principal: { AWS: `arn:aws:iam::${a.hubAccountId}:root` },
    Action: "sts:AssumeRole",
    Condition: { StringEquals: { "sts:ExternalId": a.externalId } },
  });
}

/**
 * What the Worker may do: run the project's bucket/user stacks, and only through the execution
 * role (so the role itself needs no S3/IAM write access); read them back; check a bucket is empty
 * before deleting it; manage the access keys of the project's users (keys never go through a
 * template).
 */
export function managerPolicy(a: ProjectAccount): PolicyDocument {
  const r = arns(a);
  return policy(
    {
      Sid: "StackChangesThroughExecutionRole",
      Effect: "Allow",
      Action: ["cloudformation:CreateStack", "cloudformation:UpdateStack", "cloudformation:DeleteStack"],
      Resource: r.stacks,
      Condition: { StringEquals: { "cloudformation:RoleArn": r.executionRole } },
    },
    { Sid: "StackReads", Effect: "Allow", Action: ["cloudformation:DescribeStacks", "cloudformation:GetTemplate"], Resource: r.stacks },
    // Healing lists the project's stacks with DescribeStacks without a StackName, which IAM
    // authorizes against "*" only. Read-only, and the account holds nothing but this project.
    { Sid: "ListStacksForHealing", Effect: "Allow", Action: "cloudformation:DescribeStacks", Resource: "*" },
    {
      Sid: "PassExecutionRoleToCloudFormation",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: r.executionRole,
      Condition: { StringEquals: { "iam:PassedToService": "cloudformation.amazonaws.com" } },
    },
    { Sid: "EmptyBucketCheck", Effect: "Allow", Action: "s3:ListBucketVersions", Resource: r.buckets },
    {
      Sid: "UserAccessKeys",
      Effect: "Allow",
      Action: ["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys", "iam:UpdateAccessKey"],
      Resource: r.users,
    },
  );
}

/** Only CloudFormation, and only for stacks of this account. */
export function executionTrustPolicy(a: ProjectAccount): PolicyDocument {
  return policy({
    Effect: "Allow",
    Principal: { Service: "cloudformation.amazonaws.com" },
    Action: "sts:AssumeRole",
    Condition: { StringEquals: { "aws:SourceAccount": a.accountId } },
  });
}

/** What CloudFormation needs for the project's hardened buckets and its boundary-limited users. */
export function executionPolicy(a: ProjectAccount): PolicyDocument {
  const r = arns(a);
  return policy(
    {
      Sid: "ProjectBuckets",
      Effect: "Allow",
      Action: [
        "s3:CreateBucket", "s3:DeleteBucket", "s3:ListBucket", "s3:GetBucket*", "s3:Get*Configuration",
        "s3:PutBucketTagging", "s3:PutEncryptionConfiguration", "s3:PutBucketVersioning", "s3:PutLifecycleConfiguration",
        "s3:PutBucketPublicAccessBlock", "s3:PutBucketOwnershipControls", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy",
      ],
      Resource: r.buckets,
    },
    {
      Sid: "ProjectUsersOnlyWithBoundary",
      Effect: "Allow",
      Action: ["iam:CreateUser", "iam:PutUserPermissionsBoundary"],
      Resource: r.users,
      Condition: { StringLike: { "iam:PermissionsBoundary": r.policies } },
    },
    {
      Sid: "ProjectUsers",
      Effect: "Allow",
      Action: [
        "iam:GetUser", "iam:UpdateUser", "iam:DeleteUser", "iam:TagUser", "iam:UntagUser", "iam:ListUserTags",
        "iam:PutUserPolicy", "iam:GetUserPolicy", "iam:DeleteUserPolicy", "iam:ListUserPolicies",
        "iam:ListAttachedUserPolicies", "iam:ListGroupsForUser", "iam:ListAccessKeys", "iam:DeleteAccessKey",
        "iam:DeleteLoginProfile", "iam:DeleteUserPermissionsBoundary",
      ],
      Resource: r.users,
    },
    {
      Sid: "ProjectBoundaryPolicies",
      Effect: "Allow",
      Action: [
        "iam:CreatePolicy", "iam:DeletePolicy", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions",
        "iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:TagPolicy", "iam:UntagPolicy",
      ],
      Resource: r.policies,
    },
  );
}
