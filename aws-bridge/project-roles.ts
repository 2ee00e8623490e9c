import { bucketSuffix } from "../worker/domain/naming";
import { projectBoundaryArn, projectBoundaryDocument } from "../worker/domain/project-boundary";
import type { PolicyDocument as BoundaryDocument } from "../worker/domain/user-policy";

/**
 * Names and IAM policies of what the bridge sets up in a project account. template.yaml writes
 * the same documents with `!Sub` (template.test.ts renders them and compares, so the two cannot
 * drift); local-bootstrap.ts creates them in moto from here.
 */

export interface ProjectAccount {
  projectId: string;
  accountId: string;
  region: string;
  /** The IAM user (or role) of the hub whose keys the Worker signs with: the one principal trusted. */
  hubPrincipalArn: string;
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
    boundary: projectBoundaryArn(a.projectId, a.accountId),
  };
}

/** The project's permissions boundary (template.yaml ProjectBoundary). */
export function projectBoundaryPolicy(a: ProjectAccount): BoundaryDocument {
  return projectBoundaryDocument(a.projectId, a.accountId, a.region);
}

/**
 * Only the hub's own principal, not its whole account (any role there could otherwise assume this
 * one), and only with the project's external id (confused-deputy guard).
 */
export function managerTrustPolicy(a: ProjectAccount): PolicyDocument {
  return policy({
    Effect: "Allow",
    Principal: { AWS: a.hubPrincipalArn },
    Action: "sts:AssumeRole",
    Condition: { StringEquals: { "sts:ExternalId": a.externalId } },
  });
}

/**
 * What the Worker may do: run the project's bucket/user stacks (and resume a failed rollback),
 * only through the execution role (so the role itself needs no S3/IAM write access); read them
 * back; check a bucket is empty before deleting it; manage the access keys of the project's users
 * (keys never go through a template).
 */
export function managerPolicy(a: ProjectAccount): PolicyDocument {
  const r = arns(a);
  return policy(
    {
      Sid: "StackChangesThroughExecutionRole",
      Effect: "Allow",
      Action: ["cloudformation:CreateStack", "cloudformation:UpdateStack", "cloudformation:DeleteStack", "cloudformation:ContinueUpdateRollback"],
      Resource: r.stacks,
      Condition: { StringEquals: { "cloudformation:RoleArn": r.executionRole } },
    },
    // Tags given on CreateStack/UpdateStack are authorized as TagResource (hence its CreateAction key).
    { Sid: "StackTags", Effect: "Allow", Action: "cloudformation:TagResource", Resource: r.stacks },
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
      Action: ["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys", "iam:UpdateAccessKey", "iam:GetAccessKeyLastUsed"],
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

/** What CloudFormation calls for the bucket template's resource types (handler permissions). */
export const EXECUTION_BUCKET_ACTIONS = [
  "s3:CreateBucket", "s3:DeleteBucket", "s3:ListBucket",
  "s3:GetAccelerateConfiguration", "s3:GetAnalyticsConfiguration", "s3:GetBucketAcl", "s3:GetBucketCORS", "s3:GetBucketLogging",
  "s3:GetBucketNotification", "s3:GetBucketObjectLockConfiguration", "s3:GetBucketOwnershipControls", "s3:GetBucketPolicy",
  "s3:GetBucketPublicAccessBlock", "s3:GetBucketTagging", "s3:GetBucketVersioning", "s3:GetBucketWebsite", "s3:GetEncryptionConfiguration",
  "s3:GetIntelligentTieringConfiguration", "s3:GetInventoryConfiguration", "s3:GetLifecycleConfiguration", "s3:GetMetricsConfiguration",
  "s3:GetReplicationConfiguration",
  "s3:PutBucketTagging", "s3:PutEncryptionConfiguration", "s3:PutBucketVersioning", "s3:PutLifecycleConfiguration",
  "s3:PutBucketPublicAccessBlock", "s3:PutBucketOwnershipControls", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy",
];

/**
 * The user actions that support the `iam:PermissionsBoundary` condition key (IAM service
 * authorization data) and that CloudFormation needs for our user template.
 */
export const BOUNDED_USER_ACTIONS = ["iam:CreateUser", "iam:PutUserPermissionsBoundary", "iam:PutUserPolicy", "iam:DeleteUserPolicy"];

/**
 * User actions without that key: reads; tags (no policy of the account conditions on tags);
 * UpdateUser (checked on the old and the new name, both under the project path; the boundary
 * stays); deletions, which only take access away.
 */
export const UNBOUNDED_USER_ACTIONS = [
  "iam:GetUser", "iam:GetUserPolicy", "iam:GetLoginProfile", "iam:ListUserPolicies", "iam:ListAttachedUserPolicies",
  "iam:ListGroupsForUser", "iam:ListUserTags", "iam:ListAccessKeys", "iam:TagUser", "iam:UntagUser", "iam:UpdateUser",
  "iam:DeleteUser", "iam:DeleteAccessKey", "iam:DeleteLoginProfile",
];

/**
 * What CloudFormation needs for the project's hardened buckets and its boundary-capped users, and
 * explicit Denies that keep the boundary on every user and unchanged whatever is granted later.
 */
export function executionPolicy(a: ProjectAccount): PolicyDocument {
  const r = arns(a);
  return policy(
    { Sid: "ProjectBuckets", Effect: "Allow", Action: EXECUTION_BUCKET_ACTIONS, Resource: r.buckets },
    {
      Sid: "UsersOnlyUnderTheProjectBoundary",
      Effect: "Allow",
      Action: BOUNDED_USER_ACTIONS,
      Resource: r.users,
      Condition: { StringEquals: { "iam:PermissionsBoundary": r.boundary } },
    },
    { Sid: "ProjectUsers", Effect: "Allow", Action: UNBOUNDED_USER_ACTIONS, Resource: r.users },
    { Sid: "BoundaryStays", Effect: "Deny", Action: "iam:DeleteUserPermissionsBoundary", Resource: "*" },
    {
      Sid: "BoundaryUnchanged",
      Effect: "Deny",
      Action: ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"],
      Resource: r.boundary,
    },
  );
}
