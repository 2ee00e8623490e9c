// Proves describeStacks() without a name follows NextToken across pages (moto pages DescribeStacks at 50 stacks) and tells of each page read.
import { env } from "cloudflare:test";
import { expect, it } from "vitest";
import { cloudFormationClient } from "./cloudformation";
import { actions, randomSuffix, recordingFetch, motoCredentials } from "../../test/aws/test-kit";

it("lists every stack of the account across pages", async () => {
  const region = "eu-west-1";
  const credentials = motoCredentials(env.AWS_ENDPOINT, region);
  await credentials.get();
  const recorder = recordingFetch();
  const cfn = cloudFormationClient({ region, credentials, endpoint: env.AWS_ENDPOINT, fetch: recorder.fetch });
  const templateBody = JSON.stringify({ Resources: { Topic: { Type: "AWS::SNS::Topic" } } });
  const names = Array.from({ length: 53 }, (_, i) => `stackroom-page-${i}-${randomSuffix()}`);
  for (const stackName of names) await cfn.createStack({ stackName, templateBody });
  recorder.sent.length = 0;

  let pages = 0;
  const stacks = await cfn.describeStacks(undefined, () => pages++);

  expect(stacks.map((s) => s.stackName).sort()).toEqual([...names].sort());
  expect(actions(recorder.sent)).toEqual(["DescribeStacks", "DescribeStacks"]);
  expect(recorder.sent[1]?.form.get("NextToken")).toMatch(/^arn:aws:cloudformation:/);
  expect(pages).toBe(2); // what healing counts (durable-objects/heal.ts)
});
