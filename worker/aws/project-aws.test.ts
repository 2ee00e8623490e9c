// Proves projectAws acts in the project's account through its role: one lazy AssumeRole, session and execution role passed along.
import { env } from "cloudflare:test";
import { expect, it } from "vitest";
import { projectAws } from "./project-aws";
import { hubCredentials, randomAccountId, randomSuffix, recordingFetch } from "./test-kit";

it("assumes the project role once, lazily, and creates stacks in the project account", async () => {
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

  const template = JSON.stringify({ Resources: { Topic: { Type: "AWS::SNS::Topic" } } });
  const { stackId } = await aws.cloudformation.createStack({ stackName: `stackroom-${project.id}-probe`, templateBody: template });
  await aws.s3.isBucketEmpty(`stackroom-test-${randomSuffix()}`);
  await projectAws({ endpoint: env.AWS_ENDPOINT, hubCredentials, project, fetch: recorder.fetch }).cloudformation.describeStacks();

  expect(stackId).toContain(`:${accountId}:stack/`);
  expect(recorder.sent.map((r) => `${r.service} ${r.form.get("Action") ?? r.method}`)).toEqual([
    "sts AssumeRole",
    "cloudformation CreateStack",
    "s3 GET",
    "cloudformation DescribeStacks",
  ]);
  const [assume, create] = recorder.sent;
  expect(assume?.form.get("RoleArn")).toBe(project.roleArn);
  expect(assume?.form.get("ExternalId")).toBe(project.externalId);
  expect(assume?.form.get("RoleSessionName")).toBe(`stackroom-${project.id}`);
  expect(create?.form.get("RoleARN")).toBe(project.executionRoleArn);
});
