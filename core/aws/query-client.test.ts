// Proves queryClient reads <Action>Result> with the caller's schema (a single-item `member` list as a list, values as strings), reads an action without a Result as {}, signs IAM for us-east-1 and fails with AwsError.
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { AwsError } from "./errors";
import { queryClient } from "./query-client";
import { throttlingXml, xmlResponse } from "../../test/aws/recorded-answers";
import { recordingRetry, scriptedAws } from "../../test/aws/test-kit";
import { xmlList } from "./xml";

const credentials = { accessKeyId: "AKIAHUBTEST000000000", secretAccessKey: "hub-secret" };

const subscriptionsXml = `<ListSubscriptionsByTopicResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <ListSubscriptionsByTopicResult>
    <Subscriptions>
      <member>
        <Protocol>http</Protocol>
        <Endpoint>http://127.0.0.1:9/sns</Endpoint>
        <SubscriptionArn>arn:aws:sns:eu-west-1:111111111111:stackroom-demo-events:0001</SubscriptionArn>
      </member>
    </Subscriptions>
  </ListSubscriptionsByTopicResult>
  <ResponseMetadata><RequestId>384ac68d-3775-11df-8963-01868b7c937a</RequestId></ResponseMetadata>
</ListSubscriptionsByTopicResponse>
`;

const putRolePolicyXml = `<PutRolePolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <ResponseMetadata><RequestId>7e7cd8bc-99ef-11e1-a4c3-27EXAMPLE804</RequestId></ResponseMetadata>
</PutRolePolicyResponse>
`;

const Subscriptions = z.object({ Subscriptions: xmlList(z.object({ Protocol: z.string(), Endpoint: z.string() })) });

describe("queryClient", () => {
  it("reads the action's Result with the caller's schema", async () => {
    const aws = scriptedAws([() => xmlResponse(subscriptionsXml)]);
    const sns = queryClient("sns", { region: "eu-west-1", credentials, fetch: aws.fetch });
    await expect(sns("ListSubscriptionsByTopic", { TopicArn: "arn:aws:sns:eu-west-1:111111111111:t", NextToken: undefined }, Subscriptions)).resolves.toEqual({
      Subscriptions: [{ Protocol: "http", Endpoint: "http://127.0.0.1:9/sns" }],
    });
    expect(aws.requests[0]?.url).toBe("https://sns.eu-west-1.amazonaws.com/");
    expect(new TextDecoder().decode(await aws.requests[0]?.arrayBuffer())).toBe("Action=ListSubscriptionsByTopic&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aeu-west-1%3A111111111111%3At");
  });

  it("reads an action without a Result as {}, at IAM's global endpoint signed for us-east-1", async () => {
    const aws = scriptedAws([() => xmlResponse(putRolePolicyXml)]);
    const iam = queryClient("iam", { region: "eu-west-1", credentials, fetch: aws.fetch });
    await expect(iam("PutRolePolicy", { RoleName: "r", PolicyName: "p", PolicyDocument: "{}" }, z.object({}))).resolves.toEqual({});
    expect(aws.requests[0]?.url).toBe("https://iam.amazonaws.com/");
    expect(aws.requests[0]?.headers.get("authorization")).toMatch(/\/us-east-1\/iam\/aws4_request/);
  });

  it("fails with AwsError: AWS's code after bounded retries, MalformedResponse for another shape", async () => {
    const throttled = scriptedAws(Array.from({ length: 4 }, () => () => xmlResponse(throttlingXml, 400)));
    const cfn = queryClient("cloudformation", { region: "eu-west-1", credentials, fetch: throttled.fetch, retry: recordingRetry().retry });
    await expect(cfn("DescribeStacks", {}, z.unknown())).rejects.toMatchObject({ code: "Throttling", status: 400 });
    expect(throttled.requests).toHaveLength(4);

    const other = scriptedAws([() => xmlResponse(subscriptionsXml)]);
    const sns = queryClient("sns", { region: "eu-west-1", credentials, fetch: other.fetch });
    const error = await sns("CreateTopic", { Name: "t" }, z.object({ TopicArn: z.string() })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsError);
    expect(error).toMatchObject({ code: "MalformedResponse" });
  });
});
