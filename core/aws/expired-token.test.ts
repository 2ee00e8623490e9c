// Proves an ExpiredToken answer drops the cached role credentials, assumes the role again and retries the call once.
import { expect, it } from "vitest";
import { cloudFormationClient } from "./cloudformation";
import { assumeRoleXml, describeStacksXml, expiredTokenXml, xmlResponse } from "../../test/aws/recorded-answers";
import { assumedRoleCredentials } from "./sts";
import type { AwsFetch } from "./transport";

it("refreshes credentials once on ExpiredToken", async () => {
  const calls: string[] = [];
  let cloudFormationCalls = 0;
  const fetch: AwsFetch = async (request) => {
    const action = new URLSearchParams(new TextDecoder().decode(await request.arrayBuffer())).get("Action") ?? "";
    calls.push(`${new URL(request.url).hostname} ${action}`);
    if (action === "AssumeRole") return xmlResponse(assumeRoleXml(new Date(Date.now() + 3_600_000)));
    cloudFormationCalls++;
    return cloudFormationCalls === 1 ? xmlResponse(expiredTokenXml, 400) : xmlResponse(describeStacksXml);
  };
  const credentials = assumedRoleCredentials({
    hubCredentials: { accessKeyId: "AKIAHUBTEST000000000", secretAccessKey: "hub-secret" },
    roleArn: `arn:aws:iam::111111111111:role/expired-${crypto.randomUUID()}`,
    externalId: "ext-1",
    sessionName: "stackroom-demo",
    region: "eu-west-1",
    fetch,
  });
  const cfn = cloudFormationClient({ region: "eu-west-1", credentials, fetch });

  await expect(cfn.describeStacks("stackroom-demo-bucket-logs")).resolves.toHaveLength(1);
  expect(calls).toEqual([
    "sts.eu-west-1.amazonaws.com AssumeRole",
    "cloudformation.eu-west-1.amazonaws.com DescribeStacks",
    "sts.eu-west-1.amazonaws.com AssumeRole",
    "cloudformation.eu-west-1.amazonaws.com DescribeStacks",
  ]);
});

it("does not loop when the refreshed credentials are refused too", async () => {
  let requests = 0;
  const fetch: AwsFetch = async (request) => {
    requests++;
    const action = new URLSearchParams(new TextDecoder().decode(await request.arrayBuffer())).get("Action");
    return action === "AssumeRole"
      ? xmlResponse(assumeRoleXml(new Date(Date.now() + 3_600_000)))
      : xmlResponse(expiredTokenXml, 400);
  };
  const credentials = assumedRoleCredentials({
    hubCredentials: { accessKeyId: "AKIAHUBTEST000000000", secretAccessKey: "hub-secret" },
    roleArn: `arn:aws:iam::111111111111:role/expired-${crypto.randomUUID()}`,
    externalId: "ext-1",
    sessionName: "stackroom-demo",
    region: "eu-west-1",
    fetch,
  });
  const cfn = cloudFormationClient({ region: "eu-west-1", credentials, fetch });

  await expect(cfn.describeStacks()).rejects.toMatchObject({ kind: "ExpiredToken" });
  expect(requests).toBe(4);
});
