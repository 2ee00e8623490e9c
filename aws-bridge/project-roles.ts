import { bucketSuffix, stackNamePatterns } from "../core/naming";
import { projectBoundaryArn, projectBoundaryDocument } from "../core/project-boundary";
import { sftpLogGroupArns, sftpLoggingBoundaryArn, sftpLoggingDocument } from "../core/sftp-logging";
import type { PolicyDocument as BoundaryDocument } from "../core/user-policy";

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
/** The bridge's dead-letter queue (template.yaml DeadLetterQueue). */
export const deadLetterQueueName = (projectId: string) => `stackroom-${projectId}-bridge-dlq`;
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
    // Only the stacks of the kind table's kinds (naming.ts stackNamePatterns): never the bridge's
    // own stack, whatever its name.
    stacks: stackNamePatterns(a.projectId).map((pattern) => `arn:aws:cloudformation:${a.region}:${a.accountId}:stack/${pattern}/*`),
    executionRole: `${iam}:role/${executionRoleName(a.projectId)}`,
    buckets: `arn:aws:s3:::*-${bucketSuffix(a.projectId, a.accountId, a.region)}`,
    users: `${iam}:user/stackroom/${a.projectId}/*`,
    roles: `${iam}:role/stackroom/${a.projectId}/*`,
    boundary: projectBoundaryArn(a.projectId, a.accountId),
    loggingBoundary: sftpLoggingBoundaryArn(a.projectId, a.accountId),
    // The account holds one project, so its Transfer servers and users are this project's.
    transferServers: `arn:aws:transfer:${a.region}:${a.accountId}:server/*`,
    transferUsers: `arn:aws:transfer:${a.region}:${a.accountId}:user/*`,
    logGroup: sftpLogGroupArns(a.projectId, a.accountId, a.region),
    deadLetterQueue: `arn:aws:sqs:${a.region}:${a.accountId}:${deadLetterQueueName(a.projectId)}`,
  };
}

/** The project's permissions boundary (template.yaml ProjectBoundary). */
export function projectBoundaryPolicy(a: ProjectAccount): BoundaryDocument {
  return projectBoundaryDocument(a.projectId, a.accountId, a.region);
}

/** The cap on the SFTP server's logging role (template.yaml SftpLoggingBoundary). */
export function sftpLoggingBoundaryPolicy(a: ProjectAccount): BoundaryDocument {
  return sftpLoggingDocument(a.projectId, a.accountId, a.region);
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
 * What the Worker's DLQ replay (`npm run ops -- dlq-replay <project>`) calls on the bridge's DLQ:
 * read a message, keep it hidden while it is replayed, delete it once delivered, read the queue's
 * counts. Never send (a forged event), purge or delete the queue, or find it by name (the queue
 * URL is built from account, region and deadLetterQueueName).
 */
export const DLQ_REPLAY_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"];

/**
 * What the Worker may do: run the project's bucket/user/SFTP stacks (and resume a failed rollback),
 * only through the execution role (so the role itself needs no S3/IAM write access); read them
 * back; check a bucket is empty before deleting it; manage the access keys of the project's users
 * (keys never go through a template); replay the bridge's DLQ; read the SFTP server's host-key
 * fingerprint; read the ids of the project's users and SFTP roles (who wrote a file).
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
    { Sid: "StackReads", Effect: "Allow", Action: ["cloudformation:DescribeStacks", "cloudformation:GetTemplate", "cloudformation:DescribeStackResource"], Resource: r.stacks },
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
    // Is a bucket empty before it is deleted (versions), and what does it hold (a bucket's page).
    { Sid: "BucketContents", Effect: "Allow", Action: ["s3:ListBucketVersions", "s3:ListBucket"], Resource: r.buckets },
    {
      Sid: "UserAccessKeys",
      Effect: "Allow",
      Action: ["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys", "iam:UpdateAccessKey", "iam:GetAccessKeyLastUsed"],
      Resource: r.users,
    },
    { Sid: "ReplayBridgeDeadLetterQueue", Effect: "Allow", Action: DLQ_REPLAY_ACTIONS, Resource: r.deadLetterQueue },
    // The SFTP server's host-key fingerprint, which recipients check their first connection against.
    { Sid: "SftpServerHostKey", Effect: "Allow", Action: "transfer:DescribeServer", Resource: r.transferServers },
    // Who wrote a file: S3's object events name an IAM user by its UserId (AIDA…) and an SFTP
    // session by its role's RoleId (AROA…), which the room reads once per user. GetRole carries
    // iam:PermissionsBoundary: only the SFTP users' roles (the project boundary), not the logging role.
    { Sid: "UserIdsForFileActivity", Effect: "Allow", Action: "iam:GetUser", Resource: r.users },
    {
      Sid: "SftpRoleIdsForFileActivity",
      Effect: "Allow",
      Action: "iam:GetRole",
      Resource: r.roles,
      Condition: { StringEquals: { "iam:PermissionsBoundary": r.boundary } },
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
const EXECUTION_BUCKET_ACTIONS = [
  "s3:CreateBucket", "s3:DeleteBucket", "s3:ListBucket",
  "s3:GetAccelerateConfiguration", "s3:GetAnalyticsConfiguration", "s3:GetBucketAcl", "s3:GetBucketCORS", "s3:GetBucketLogging",
  "s3:GetBucketNotification", "s3:GetBucketObjectLockConfiguration", "s3:GetBucketOwnershipControls", "s3:GetBucketPolicy",
  "s3:GetBucketPublicAccessBlock", "s3:GetBucketTagging", "s3:GetBucketVersioning", "s3:GetBucketWebsite", "s3:GetEncryptionConfiguration",
  "s3:GetIntelligentTieringConfiguration", "s3:GetInventoryConfiguration", "s3:GetLifecycleConfiguration", "s3:GetMetricsConfiguration",
  "s3:GetReplicationConfiguration",
  "s3:PutBucketTagging", "s3:PutEncryptionConfiguration", "s3:PutBucketVersioning", "s3:PutLifecycleConfiguration",
  "s3:PutBucketPublicAccessBlock", "s3:PutBucketOwnershipControls", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy",
  // The bucket's object events to the project's events topic (its NotificationConfiguration).
  "s3:PutBucketNotification",
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
 * Role actions that carry `iam:PermissionsBoundary` (IAM service authorization data): on create
 * and PutRolePermissionsBoundary the boundary requested, on the others the role's current one.
 * Allowed only with one of the project's two boundaries, so the execution role can neither make
 * a role without a cap nor touch a role that has none (the manager and execution roles included).
 */
export const BOUNDED_ROLE_ACTIONS = [
  "iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:GetRole",
  "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy", "iam:DeleteRole",
];

/** Role actions without that key: reads of inline policies and tags, which grant nothing here. */
export const UNBOUNDED_ROLE_ACTIONS = ["iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:TagRole", "iam:UntagRole"];

/** What CloudFormation calls for the SFTP server's and users' AWS::Transfer::* resources. */
const EXECUTION_TRANSFER_SERVER_ACTIONS = [
  "transfer:DescribeServer", "transfer:StartServer", "transfer:StopServer", "transfer:DeleteServer",
  "transfer:CreateUser", "transfer:TagResource", "transfer:UnTagResource",
];
const EXECUTION_TRANSFER_USER_ACTIONS = [
  "transfer:DescribeUser", "transfer:UpdateUser", "transfer:DeleteUser", "transfer:ImportSshPublicKey", "transfer:DeleteSshPublicKey",
  "transfer:TagResource", "transfer:UnTagResource",
];

/** The SFTP log group's own lifecycle (AWS::Logs::LogGroup handler permissions). */
const EXECUTION_LOG_GROUP_ACTIONS = [
  "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:TagResource", "logs:UntagResource",
  "logs:ListTagsForResource", "logs:GetDataProtectionPolicy", "logs:DeleteDataProtectionPolicy",
];

/**
 * Actions IAM authorizes only against "*" (no resource type in the service authorization data):
 * listing log groups, the CloudWatch Logs delivery that carries the server's structured logs (the
 * Transfer server handler sets it up, with a log resource policy), and read-only EC2 lookups the
 * server handler lists for every endpoint type.
 */
const EXECUTION_UNSCOPED_ACTIONS = [
  "logs:DescribeLogGroups", "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
  "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
  "ec2:DescribeVpcEndpoints", "ec2:DescribeAddresses", "ec2:DescribeNetworkInterfaces",
];

/**
 * What CloudFormation needs for the project's hardened buckets, its boundary-capped users and the
 * SFTP server and users, and explicit Denies that keep the boundaries on every user and role and
 * unchanged whatever is granted later.
 */
export function executionPolicy(a: ProjectAccount): PolicyDocument {
  const r = arns(a);
  const publicSftpOnly = {
    StringEqualsIfExists: { "transfer:RequestServerEndpointType": "PUBLIC" },
    "ForAllValues:StringEquals": { "transfer:RequestServerProtocols": ["SFTP"] },
  };
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
    {
      Sid: "RolesOnlyUnderAProjectBoundary",
      Effect: "Allow",
      Action: BOUNDED_ROLE_ACTIONS,
      Resource: r.roles,
      Condition: { StringEquals: { "iam:PermissionsBoundary": [r.boundary, r.loggingBoundary] } },
    },
    { Sid: "ProjectRoles", Effect: "Allow", Action: UNBOUNDED_ROLE_ACTIONS, Resource: r.roles },
    {
      Sid: "PassProjectRolesToTransfer",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: r.roles,
      Condition: { StringEquals: { "iam:PassedToService": "transfer.amazonaws.com" } },
    },
    // A server is only ever public and SFTP-only: never an FTP server, never one inside a VPC.
    { Sid: "SftpServerCreatePublicSftpOnly", Effect: "Allow", Action: "transfer:CreateServer", Resource: "*", Condition: publicSftpOnly },
    { Sid: "SftpServerUpdatePublicSftpOnly", Effect: "Allow", Action: "transfer:UpdateServer", Resource: r.transferServers, Condition: publicSftpOnly },
    { Sid: "SftpServer", Effect: "Allow", Action: EXECUTION_TRANSFER_SERVER_ACTIONS, Resource: r.transferServers },
    { Sid: "SftpUsers", Effect: "Allow", Action: EXECUTION_TRANSFER_USER_ACTIONS, Resource: r.transferUsers },
    { Sid: "SftpLogGroup", Effect: "Allow", Action: EXECUTION_LOG_GROUP_ACTIONS, Resource: r.logGroup },
    { Sid: "SftpLogDelivery", Effect: "Allow", Action: EXECUTION_UNSCOPED_ACTIONS, Resource: "*" },
    { Sid: "BoundaryStays", Effect: "Deny", Action: ["iam:DeleteUserPermissionsBoundary", "iam:DeleteRolePermissionsBoundary"], Resource: "*" },
    {
      Sid: "BoundaryUnchanged",
      Effect: "Deny",
      Action: ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"],
      Resource: [r.boundary, r.loggingBoundary],
    },
  );
}
