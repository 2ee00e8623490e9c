// Proves retries are bounded full-jitter backoff on throttling/5xx/network errors only, fed recorded AWS answers.
import { describe, expect, it } from "vitest";
import { cloudFormationClient } from "./cloudformation";
import { AwsError } from "./errors";
import { describeStacksXml, throttlingXml, xmlResponse } from "../../test/aws/recorded-answers";
import { recordingRetry, scriptedAws } from "../../test/aws/test-kit";

const credentials = { accessKeyId: "AKIAHUBTEST000000000", secretAccessKey: "hub-secret" };
const throttled = () => xmlResponse(throttlingXml, 400);
const described = () => xmlResponse(describeStacksXml);

describe("retries", () => {
  it("retries throttling and returns the stack once AWS answers", async () => {
    const aws = scriptedAws([throttled, throttled, described]);
    const { retry, sleeps } = recordingRetry(0.5);
    const cfn = cloudFormationClient({ region: "eu-west-1", credentials, fetch: aws.fetch, retry });

    const [stack] = await cfn.describeStacks("stackroom-demo-bucket-logs");

    expect(aws.requests).toHaveLength(3);
    expect(sleeps).toEqual([100, 200]);
    expect(stack).toMatchObject({
      stackName: "stackroom-demo-bucket-logs",
      stackStatus: "CREATE_IN_PROGRESS",
      stackStatusReason: "User Initiated",
      tags: { "stackroom:project": "demo" },
      outputs: { BucketName: "logs-1a2b3c4d" },
      notificationArns: ["arn:aws:sns:eu-west-1:111111111111:stackroom-events"],
      parameters: {},
    });
    expect(stack?.creationTime.toISOString()).toBe("2026-11-20T09:14:03.512Z");
    const sent = aws.requests[0];
    expect(sent?.url).toBe("https://cloudformation.eu-west-1.amazonaws.com/");
    expect(sent?.headers.get("authorization")).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAHUBTEST000000000\/\d{8}\/eu-west-1\/cloudformation\/aws4_request/);
    expect(new TextDecoder().decode(await sent?.arrayBuffer())).toBe("Action=DescribeStacks&Version=2010-05-15&StackName=stackroom-demo-bucket-logs");
  });

  it("gives up after 4 attempts with the throttling error", async () => {
    const aws = scriptedAws([throttled, throttled, throttled, throttled]);
    const { retry, sleeps } = recordingRetry(0.999);
    const cfn = cloudFormationClient({ region: "eu-west-1", credentials, fetch: aws.fetch, retry });

    const error = await cfn.describeStacks().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AwsError);
    expect(error).toMatchObject({ code: "Throttling", kind: "Throttled", status: 400, retryable: true, mayHaveRun: false });
    expect(aws.requests).toHaveLength(4);
    expect(sleeps).toEqual([199, 399, 799]);
  });

  it("retries 5xx and network failures, not client errors", async () => {
    const unavailable = () => new Response("<html>Service Unavailable</html>", { status: 503 });
    const offline = (): Response => {
      throw new TypeError("Network connection lost.");
    };
    const flaky = scriptedAws([unavailable, offline, described]);
    const cfn = cloudFormationClient({ region: "eu-west-1", credentials, fetch: flaky.fetch, retry: recordingRetry().retry });
    await expect(cfn.describeStacks("stackroom-demo-bucket-logs")).resolves.toHaveLength(1);
    expect(flaky.requests).toHaveLength(3);

    const denied = scriptedAws([() => xmlResponse(throttlingXml.replace("Throttling", "AccessDenied"), 403)]);
    const refused = cloudFormationClient({ region: "eu-west-1", credentials, fetch: denied.fetch, retry: recordingRetry().retry });
    await expect(refused.describeStacks()).rejects.toMatchObject({ kind: "AccessDenied", retryable: false });
    expect(denied.requests).toHaveLength(1);
  });

  it("says the call may have run when an attempt got no answer or a 5xx, even if the last was throttled", async () => {
    const unavailable = () => xmlResponse(throttlingXml.replace("Throttling", "InternalFailure"), 500);
    const cut = (): Response => {
      throw new TypeError("Network connection lost.");
    };
    for (const [first, why] of [[unavailable, "a 500"], [cut, "a lost answer"]] as const) {
      const aws = scriptedAws([first, throttled, throttled, throttled]);
      const cfn = cloudFormationClient({ region: "eu-west-1", credentials, fetch: aws.fetch, retry: recordingRetry().retry });
      const error = await cfn.describeStacks().catch((e: unknown) => e);
      expect(error, why).toMatchObject({ kind: "Throttled", mayHaveRun: true });
    }
    const refusedOnly = scriptedAws([() => xmlResponse(throttlingXml.replace("Throttling", "ValidationError"), 400)]);
    const cfn = cloudFormationClient({ region: "eu-west-1", credentials, fetch: refusedOnly.fetch, retry: recordingRetry().retry });
    await expect(cfn.describeStacks()).rejects.toMatchObject({ kind: "Validation", mayHaveRun: false });
  });
});
