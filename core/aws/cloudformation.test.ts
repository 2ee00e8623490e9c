// Proves the CloudFormation client's stack lifecycle against moto: create, describe, get template, update (and no-op), delete.
import { env } from "cloudflare:test";
import { expect, it } from "vitest";
import * as z from "zod";
import { cloudFormationClient } from "./cloudformation";
import { queryAction } from "./query";
import { randomAccountId, randomSuffix, motoCredentials } from "../../test/aws/test-kit";
import { createSend } from "./transport";
import { xmlText } from "./xml";

const accountId = randomAccountId();
const region = "eu-west-1";
const credentials = motoCredentials(env.AWS_ENDPOINT, region, accountId);
const cfn = cloudFormationClient({ region, credentials, endpoint: env.AWS_ENDPOINT });

/** A bucket template; moto only reports "No updates" when Parameters are passed, hence the parameter. */
function bucketTemplate(outputs: Record<string, unknown> = {}): string {
  const template = {
    Parameters: { BucketName: { Type: "String" } },
    Resources: { Bucket: { Type: "AWS::S3::Bucket", Properties: { BucketName: { Ref: "BucketName" } } } },
    Outputs: { Name: { Value: { Ref: "Bucket" } }, ...outputs },
  };
  return `\n  ${JSON.stringify(template, null, 2)}\n`;
}

async function createTopic(name: string): Promise<string> {
  const sns = { url: env.AWS_ENDPOINT, version: "2010-03-31", send: createSend("sns", { region, credentials }) };
  const Created = z.object({ CreateTopicResponse: z.object({ CreateTopicResult: z.object({ TopicArn: xmlText }) }) });
  const answer = await queryAction(sns, "CreateTopic", { Name: name }, Created);
  return answer.CreateTopicResponse.CreateTopicResult.TopicArn;
}

it("creates, describes, updates and deletes a stack", async () => {
  const stackName = `stackroom-test-bucket-${randomSuffix()}`;
  const bucketName = `stackroom-test-${randomSuffix()}`;
  const topicArn = await createTopic(`stackroom-events-${randomSuffix()}`);
  const input = {
    stackName,
    templateBody: bucketTemplate(),
    parameters: { BucketName: bucketName },
    tags: { "stackroom:project": "demo", "stackroom:spec": '{"versioning":true}' },
    notificationArns: [topicArn],
    clientRequestToken: `op-${randomSuffix()}`,
    capabilities: ["CAPABILITY_NAMED_IAM"] as const,
  };

  const { stackId } = await cfn.createStack(input);
  expect(stackId).toMatch(new RegExp(`^arn:aws:cloudformation:${region}:${accountId}:stack/${stackName}/`));

  const [created] = await cfn.describeStacks(stackName);
  expect(created).toMatchObject({
    stackId,
    stackName,
    stackStatus: "CREATE_COMPLETE",
    tags: input.tags,
    parameters: { BucketName: bucketName },
    outputs: { Name: bucketName },
    notificationArns: [topicArn],
  });
  expect(created?.creationTime).toBeInstanceOf(Date);
  expect(await cfn.getTemplate(stackName)).toBe(input.templateBody);

  await expect(cfn.updateStack(input)).resolves.toEqual({ changed: false });

  const changedBody = bucketTemplate({ Arn: { Value: { "Fn::GetAtt": ["Bucket", "Arn"] } } });
  await expect(cfn.updateStack({ ...input, templateBody: changedBody })).resolves.toEqual({ changed: true, stackId });
  const [updated] = await cfn.describeStacks(stackName);
  expect(updated).toMatchObject({ stackStatus: "UPDATE_COMPLETE", outputs: { Arn: `arn:aws:s3:::${bucketName}` } });
  expect(await cfn.getTemplate(stackName)).toBe(changedBody);

  await cfn.deleteStack({ stackName, clientRequestToken: `op-${randomSuffix()}` });
  await expect(cfn.describeStacks(stackName)).rejects.toMatchObject({ kind: "StackNotFound" });
  const [deleted] = await cfn.describeStacks(stackId);
  expect(deleted?.stackStatus).toBe("DELETE_COMPLETE");
});

it("reports missing stacks as StackNotFound and a second create as AlreadyExists", async () => {
  const missing = `stackroom-test-missing-${randomSuffix()}`;
  const notFound = { name: "AwsError", kind: "StackNotFound", code: "ValidationError", status: 400, retryable: false };
  await expect(cfn.describeStacks(missing)).rejects.toMatchObject(notFound);
  await expect(cfn.getTemplate(missing)).rejects.toMatchObject(notFound);
  await expect(cfn.updateStack({ stackName: missing, templateBody: bucketTemplate() })).rejects.toMatchObject(notFound);

  const input = {
    stackName: `stackroom-test-twice-${randomSuffix()}`,
    templateBody: bucketTemplate(),
    parameters: { BucketName: `stackroom-test-${randomSuffix()}` },
  };
  await cfn.createStack(input);
  await expect(cfn.createStack(input)).rejects.toMatchObject({ kind: "AlreadyExists", code: "AlreadyExistsException" });
});
