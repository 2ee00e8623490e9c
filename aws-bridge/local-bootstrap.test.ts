// Proves bootstrapProjectAccount creates the events topic, the adapter subscription, the bridge's DLQ, the project and SFTP logging boundaries and the template's roles in moto's project account, and is idempotent.
import { randomBytes, randomInt } from "node:crypto";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { queryClient } from "../core/aws";
import { assumeProjectAccount, bootstrapProjectAccount } from "./local-bootstrap";
import { localSqs } from "./local-sqs";
import { executionPolicy, managerPolicy, managerTrustPolicy, projectBoundaryPolicy, sftpLoggingBoundaryPolicy } from "./project-roles";

const moto = process.env.STACKROOM_TEST_MOTO_ENDPOINT ?? "";
const region = "eu-west-1";

/** A fresh project in a fresh moto account, so tests share nothing. */
function freshProject() {
  return { projectId: `p${randomBytes(5).toString("hex")}`, accountId: String(randomInt(100_000_000_000, 999_999_999_999)) };
}

async function projectCalls(accountId: string) {
  const sts = queryClient("sts", { endpoint: moto, region, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  const { Credentials: c } = await sts(
    "AssumeRole",
    { RoleArn: `arn:aws:iam::${accountId}:role/inspector`, RoleSessionName: "inspector" },
    z.object({ Credentials: z.object({ AccessKeyId: z.string(), SecretAccessKey: z.string(), SessionToken: z.string() }) }),
  );
  const credentials = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
  return {
    sns: queryClient("sns", { endpoint: moto, region, credentials }),
    iam: queryClient("iam", { endpoint: moto, region, credentials }),
  };
}

const PolicyAnswer = z.object({ PolicyDocument: z.string().transform((d) => JSON.parse(d.startsWith("%") ? decodeURIComponent(d) : d) as unknown) });

describe("bootstrapProjectAccount", { timeout: 30_000 }, () => {
  it("creates topic, subscription, DLQ, both boundaries and roles in the project account, with the template's names", async () => {
    const { projectId, accountId } = freshProject();
    const result = await bootstrapProjectAccount({ motoEndpoint: moto, accountId, region, projectId, adapterUrl: "http://127.0.0.1:9/sns" });
    expect(result).toEqual({
      topicArn: `arn:aws:sns:${region}:${accountId}:stackroom-${projectId}-events`,
      subscriptionArn: expect.stringContaining(`arn:aws:sns:${region}:${accountId}:stackroom-${projectId}-events:`),
      deadLetterQueueUrl: expect.stringMatching(new RegExp(`/${accountId}/stackroom-${projectId}-bridge-dlq$`)),
      managerRoleArn: `arn:aws:iam::${accountId}:role/stackroom-${projectId}-manager`,
      executionRoleArn: `arn:aws:iam::${accountId}:role/stackroom-${projectId}-cfn-execution`,
      boundaryArn: `arn:aws:iam::${accountId}:policy/stackroom/${projectId}/stackroom-${projectId}-boundary`,
      sftpLoggingBoundaryArn: `arn:aws:iam::${accountId}:policy/stackroom/${projectId}/stackroom-${projectId}-sftp-logging-boundary`,
    });

    const { iam } = await projectCalls(accountId);
    const account = { projectId, accountId, region, hubPrincipalArn: "arn:aws:iam::123456789012:user/stackroom-hub", externalId: `stackroom-${projectId}` };
    const manager = await iam("GetRolePolicy", { RoleName: `stackroom-${projectId}-manager`, PolicyName: "stackroom-manager" }, PolicyAnswer);
    expect(manager.PolicyDocument).toEqual(managerPolicy(account));
    const execution = await iam("GetRolePolicy", { RoleName: `stackroom-${projectId}-cfn-execution`, PolicyName: "stackroom-cfn-execution" }, PolicyAnswer);
    expect(execution.PolicyDocument).toEqual(executionPolicy(account));
    const boundary = await iam(
      "GetPolicyVersion",
      { PolicyArn: result.boundaryArn, VersionId: "v1" },
      z.object({ PolicyVersion: z.object({ Document: z.string().transform((d) => JSON.parse(decodeURIComponent(d)) as unknown) }) }),
    );
    expect(boundary.PolicyVersion.Document).toEqual(projectBoundaryPolicy(account));
    const logging = await iam(
      "GetPolicyVersion",
      { PolicyArn: result.sftpLoggingBoundaryArn, VersionId: "v1" },
      z.object({ PolicyVersion: z.object({ Document: z.string().transform((d) => JSON.parse(decodeURIComponent(d)) as unknown) }) }),
    );
    expect(logging.PolicyVersion.Document).toEqual(sftpLoggingBoundaryPolicy(account));
    const role = await iam("GetRole", { RoleName: `stackroom-${projectId}-manager` }, z.object({ Role: z.object({ AssumeRolePolicyDocument: z.string() }) }));
    expect(JSON.parse(decodeURIComponent(role.Role.AssumeRolePolicyDocument))).toEqual(managerTrustPolicy(account));

    // The DLQ is the queue the manager role may replay, kept as long and encrypted as the template's.
    const sqs = localSqs({ motoEndpoint: moto, region, credentials: await assumeProjectAccount({ motoEndpoint: moto, accountId, region }) });
    const queue = await sqs.queueAttributes(result.deadLetterQueueUrl);
    const replay = managerPolicy(account).Statement.find((s) => s.Sid === "ReplayBridgeDeadLetterQueue");
    expect(queue).toMatchObject({ QueueArn: replay?.Resource, MessageRetentionPeriod: "1209600", SqsManagedSseEnabled: "true" });
  });

  it("gives the same ARNs on a second run and never subscribes twice", async () => {
    const { projectId, accountId } = freshProject();
    const options = { motoEndpoint: moto, accountId, region, projectId, adapterUrl: "http://127.0.0.1:9/sns" };
    const first = await bootstrapProjectAccount(options);
    const second = await bootstrapProjectAccount(options);
    expect(second).toEqual(first);

    const { sns } = await projectCalls(accountId);
    const list = await sns(
      "ListSubscriptionsByTopic",
      { TopicArn: first.topicArn },
      z.object({ Subscriptions: z.object({ member: z.array(z.object({ Endpoint: z.string(), Protocol: z.string() })) }) }),
    );
    expect(list.Subscriptions.member).toEqual([{ Endpoint: "http://127.0.0.1:9/sns", Protocol: "http" }]);
  });
});
