// Proves projectAws acts in the project's account through its role: one lazy AssumeRole shared by CloudFormation, S3 and IAM.
import { env } from "cloudflare:test";
import { expect, it } from "vitest";
import { projectAws } from "./project-aws";
import { hubCredentials, randomAccountId, randomSuffix, recordingFetch } from "../../test/aws/test-kit";

it("assumes the project role once, lazily, and creates stacks and access keys in the project account", async () => {
  const accountId = randomAccountId();
  const project = {
    id: `p${randomSuffix()}`,
    region: "eu-west-1",
    roleArn: `arn:aws:iam::${accountId}:role/stackroom-manager`,
    externalId: `ext-${randomSuffix()}`,
    executionRoleArn: `arn:aws:iam::${accountId}:role/stackroom-cloudformation`,
  };
  const recorder = recordingFetch();
  const aws = projectAws({ endpoint: env.AWS_ENDPOINT, hubCredentials, project, fetch: recorder.fetch });
  expect(recorder.sent).toEqual([]);

  const userName = `stackroom-${project.id}-user-ana`;
  const template = JSON.stringify({ Resources: { User: { Type: "AWS::IAM::User", Properties: { UserName: userName } } } });
  const { stackId } = await aws.cloudformation.createStack({ stackName: `stackroom-${project.id}-probe`, templateBody: template });
  await aws.s3.isBucketEmpty(`stackroom-test-${randomSuffix()}`);
  // The user the project's stack made is visible to IAM: same account, same role credentials.
  const key = await aws.iam.createAccessKey(userName);
  await projectAws({ endpoint: env.AWS_ENDPOINT, hubCredentials, project, fetch: recorder.fetch }).cloudformation.describeStacks();

  expect(stackId).toContain(`:${accountId}:stack/`);
  expect(recorder.sent.map((r) => `${r.service} ${r.form.get("Action") ?? r.method}`)).toEqual([
    "sts AssumeRole",
    "cloudformation CreateStack",
    "s3 GET",
    "iam CreateAccessKey",
    "cloudformation DescribeStacks",
  ]);
  const [assume, create] = recorder.sent;
  expect(assume?.form.get("RoleArn")).toBe(project.roleArn);
  expect(assume?.form.get("ExternalId")).toBe(project.externalId);
  expect(assume?.form.get("RoleSessionName")).toBe(`stackroom-${project.id}`);
  expect(create?.form.get("RoleARN")).toBe(project.executionRoleArn);
  expect((await aws.iam.listAccessKeys(userName)).map((k) => k.accessKeyId)).toEqual([key.accessKeyId]);
});
