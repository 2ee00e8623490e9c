import * as z from "zod";
import { AwsError, queryClient, type Credentials, type QueryCall } from "../core/aws";
import { xmlList } from "../core/aws/xml";
import { localSqs } from "./local-sqs";
import {
  deadLetterQueueName,
  eventsTopicName,
  EXECUTION_POLICY_NAME,
  executionPolicy,
  executionRoleName,
  executionTrustPolicy,
  MANAGER_POLICY_NAME,
  managerPolicy,
  managerRoleName,
  managerTrustPolicy,
  projectBoundaryPolicy,
  sftpLoggingBoundaryPolicy,
  type PolicyDocument,
  type ProjectAccount,
} from "./project-roles";
import { projectBoundaryArn, projectBoundaryName, projectIamPath } from "../core/project-boundary";
import { sftpLoggingBoundaryArn, sftpLoggingBoundaryName } from "../core/sftp-logging";

/**
 * Does in moto what template.yaml does in AWS, as far as moto goes: the events topic with the
 * local adapter subscribed over HTTP (instead of a Lambda), the bridge's DLQ (where the adapter
 * puts what it gives up, as Lambda would), the project's permissions boundary that every user
 * stack references and the SFTP logging boundary the SFTP server stack's logging role references,
 * and the manager and execution roles with the template's names and policies. No KMS key, Lambda
 * or alarms: nothing runs or watches them locally.
 * Idempotent: a second run returns the same ARNs and adds no second subscription.
 */

interface BootstrapOptions {
  motoEndpoint: string;
  accountId: string;
  region: string;
  projectId: string;
  /** Where moto should POST the topic's notifications (the local adapter). */
  adapterUrl: string;
  /** The hub principal the manager role trusts (moto does not check trust policies). */
  hubPrincipalArn?: string;
  externalId?: string;
  /** Credentials of the hub; moto accepts any. */
  hubCredentials?: Credentials;
}

/** template.yaml DeadLetterQueue's settings (template.test.ts keeps them equal). */
export const DEAD_LETTER_QUEUE_ATTRIBUTES = { MessageRetentionPeriod: "1209600", SqsManagedSseEnabled: "true" };

interface BootstrappedAccount {
  topicArn: string;
  subscriptionArn: string;
  deadLetterQueueUrl: string;
  managerRoleArn: string;
  executionRoleArn: string;
  boundaryArn: string;
  sftpLoggingBoundaryArn: string;
}

const AssumeRoleResult = z.object({ Credentials: z.object({ AccessKeyId: z.string(), SecretAccessKey: z.string(), SessionToken: z.string() }) });
const CreateTopicResult = z.object({ TopicArn: z.string() });
const SubscriptionsPage = z.object({
  Subscriptions: xmlList(z.object({ SubscriptionArn: z.string(), Protocol: z.string(), Endpoint: z.string() })),
  NextToken: z.string().optional(),
});
const SubscribeResult = z.object({ SubscriptionArn: z.string() });
const RoleResult = z.object({ Role: z.object({ Arn: z.string() }) });

/** Credentials acting in the project account: moto picks the account from the access key it issued. */
export async function assumeProjectAccount(o: Pick<BootstrapOptions, "motoEndpoint" | "accountId" | "region" | "hubCredentials">): Promise<Credentials> {
  return assumeRoleLocally(o, o.hubCredentials ?? { accessKeyId: "test", secretAccessKey: "test" }, `arn:aws:iam::${o.accountId}:role/stackroom-bootstrap`, "stackroom-bootstrap");
}

/** STS AssumeRole in moto as `caller`: a session whose S3 calls moto tells as `AWS:<RoleId>:<session>` (scripts/moto_server.py). */
export async function assumeRoleLocally(o: Pick<BootstrapOptions, "motoEndpoint" | "region">, caller: Credentials, roleArn: string, sessionName: string): Promise<Credentials> {
  const sts = queryClient("sts", { endpoint: o.motoEndpoint, region: o.region, credentials: caller });
  const { Credentials: c } = await sts("AssumeRole", { RoleArn: roleArn, RoleSessionName: sessionName }, AssumeRoleResult);
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

async function ensureSubscription(sns: QueryCall, topicArn: string, endpoint: string): Promise<string> {
  let nextToken: string | undefined;
  do {
    const page = await sns("ListSubscriptionsByTopic", { TopicArn: topicArn, NextToken: nextToken }, SubscriptionsPage);
    const existing = page.Subscriptions.find((s) => s.Protocol === "http" && s.Endpoint === endpoint);
    if (existing) return existing.SubscriptionArn;
    nextToken = page.NextToken;
  } while (nextToken);
  const { SubscriptionArn } = await sns("Subscribe", { TopicArn: topicArn, Protocol: "http", Endpoint: endpoint, ReturnSubscriptionArn: "true" }, SubscribeResult);
  return SubscriptionArn;
}

/** A boundary never changes for a project, so an existing one is left as it is. */
async function ensureBoundary(iam: QueryCall, account: ProjectAccount, name: string, document: PolicyDocument | ReturnType<typeof projectBoundaryPolicy>, description: string): Promise<void> {
  const params = { PolicyName: name, Path: projectIamPath(account.projectId), PolicyDocument: JSON.stringify(document), Description: `Stackroom (local bootstrap): ${description}` };
  try {
    await iam("CreatePolicy", params, z.unknown());
  } catch (error) {
    if (!(error instanceof AwsError && error.code === "EntityAlreadyExists")) throw error;
  }
}

async function ensureRole(iam: QueryCall, name: string, trust: PolicyDocument, policyName: string, permissions: PolicyDocument): Promise<string> {
  const trustJson = JSON.stringify(trust);
  let arn: string;
  try {
    const created = await iam("CreateRole", { RoleName: name, AssumeRolePolicyDocument: trustJson, MaxSessionDuration: "3600", Description: "Stackroom (local bootstrap)" }, RoleResult);
    arn = created.Role.Arn;
  } catch (error) {
    if (!(error instanceof AwsError && error.code === "EntityAlreadyExists")) throw error;
    arn = (await iam("GetRole", { RoleName: name }, RoleResult)).Role.Arn;
    await iam("UpdateAssumeRolePolicy", { RoleName: name, PolicyDocument: trustJson }, z.unknown());
  }
  await iam("PutRolePolicy", { RoleName: name, PolicyName: policyName, PolicyDocument: JSON.stringify(permissions) }, z.unknown());
  return arn;
}

export async function bootstrapProjectAccount(o: BootstrapOptions): Promise<BootstrappedAccount> {
  const credentials = await assumeProjectAccount(o);
  const account: ProjectAccount = {
    projectId: o.projectId,
    accountId: o.accountId,
    region: o.region,
    hubPrincipalArn: o.hubPrincipalArn ?? "arn:aws:iam::123456789012:user/stackroom-hub",
    externalId: o.externalId ?? `stackroom-${o.projectId}`,
  };
  const sns = queryClient("sns", { endpoint: o.motoEndpoint, region: o.region, credentials });
  // IAM is global: queryClient signs it for us-east-1 whatever the project's region.
  const iam = queryClient("iam", { endpoint: o.motoEndpoint, region: o.region, credentials });

  const { TopicArn: topicArn } = await sns("CreateTopic", { Name: eventsTopicName(o.projectId) }, CreateTopicResult);
  const subscriptionArn = await ensureSubscription(sns, topicArn, o.adapterUrl);
  const sqs = localSqs({ motoEndpoint: o.motoEndpoint, region: o.region, credentials });
  const deadLetterQueueUrl = await sqs.createQueue(deadLetterQueueName(o.projectId), DEAD_LETTER_QUEUE_ATTRIBUTES);
  await ensureBoundary(iam, account, projectBoundaryName(o.projectId), projectBoundaryPolicy(account), "caps every user of the project");
  await ensureBoundary(iam, account, sftpLoggingBoundaryName(o.projectId), sftpLoggingBoundaryPolicy(account), "caps the SFTP logging role of the project");
  const boundaryArn = projectBoundaryArn(o.projectId, o.accountId);
  const executionRoleArn = await ensureRole(iam, executionRoleName(o.projectId), executionTrustPolicy(account), EXECUTION_POLICY_NAME, executionPolicy(account));
  const managerRoleArn = await ensureRole(iam, managerRoleName(o.projectId), managerTrustPolicy(account), MANAGER_POLICY_NAME, managerPolicy(account));
  return { topicArn, subscriptionArn, deadLetterQueueUrl, managerRoleArn, executionRoleArn, boundaryArn, sftpLoggingBoundaryArn: sftpLoggingBoundaryArn(o.projectId, o.accountId) };
}
