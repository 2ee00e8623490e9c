// Proves, on recorded AWS answers, what moto cannot show: IAM's global endpoint, Marker paging, a used key, CreateAccessKey never repeated blindly, secrets kept out of errors.
import { describe, expect, it } from "vitest";
import { iamClient, iamEndpoint } from "./iam";
import {
  accessKeyLastUsedXml,
  createAccessKeyXml,
  listAccessKeysXml,
  throttlingXml,
  xmlResponse,
} from "../../test/aws/recorded-answers";
import { recordingRetry, scriptedAws } from "../../test/aws/test-kit";

const credentials = { accessKeyId: "AKIAHUBTEST000000000", secretAccessKey: "hub-secret" };
const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
const bodyOf = async (request: Request | undefined) => new TextDecoder().decode(await request?.clone().arrayBuffer());
const created = () =>
  xmlResponse(
    createAccessKeyXml(`
      <UserName>stackroom-demo-user-ana</UserName>
      <AccessKeyId>AKIAIOSFODNN7EXAMPLE</AccessKeyId>
      <Status>Active</Status>
      <SecretAccessKey>${secret}</SecretAccessKey>
      <CreateDate>2026-11-20T09:14:03Z</CreateDate>`),
  );

function iam(script: Array<() => Response>) {
  const aws = scriptedAws(script);
  return { aws, client: iamClient({ region: "eu-west-1", credentials, fetch: aws.fetch, retry: recordingRetry().retry }) };
}

describe("iamClient on recorded answers", () => {
  it("follows Marker across pages, at IAM's global endpoint signed for us-east-1", async () => {
    const { aws, client } = iam([
      () => xmlResponse(listAccessKeysXml([{ id: "AKIAOLDKEY0000000001", status: "Inactive", created: "2025-01-02T03:04:05Z" }], "m-2")),
      () => xmlResponse(listAccessKeysXml([{ id: "AKIANEWKEY0000000002", status: "Active", created: "2026-11-20T09:14:03Z" }])),
    ]);

    await expect(client.listAccessKeys("stackroom-demo-user-ana")).resolves.toEqual([
      { accessKeyId: "AKIAOLDKEY0000000001", status: "Inactive", createdAt: new Date("2025-01-02T03:04:05Z") },
      { accessKeyId: "AKIANEWKEY0000000002", status: "Active", createdAt: new Date("2026-11-20T09:14:03Z") },
    ]);
    const [first, second] = aws.requests;
    expect(first?.url).toBe("https://iam.amazonaws.com/");
    expect(first?.headers.get("authorization")).toMatch(/Credential=AKIAHUBTEST000000000\/\d{8}\/us-east-1\/iam\/aws4_request/);
    expect(await bodyOf(first)).toBe("Action=ListAccessKeys&Version=2010-05-08&UserName=stackroom-demo-user-ana");
    expect(await bodyOf(second)).toBe("Action=ListAccessKeys&Version=2010-05-08&UserName=stackroom-demo-user-ana&Marker=m-2");
  });

  it("reads when, where and with what a key was last used", async () => {
    const { client } = iam([() => xmlResponse(accessKeyLastUsedXml)]);
    await expect(client.getAccessKeyLastUsed("AKIAIOSFODNN7EXAMPLE")).resolves.toEqual({
      lastUsedAt: new Date("2026-11-19T16:32:00Z"),
      serviceName: "s3",
      region: "eu-west-1",
    });
  });

  it("retries CreateAccessKey on throttling only: after a 5xx or a lost answer a key may already exist", async () => {
    const throttled = iam([() => xmlResponse(throttlingXml, 400), created]);
    await expect(throttled.client.createAccessKey("stackroom-demo-user-ana")).resolves.toEqual({
      accessKeyId: "AKIAIOSFODNN7EXAMPLE",
      secretAccessKey: secret,
      status: "Active",
      createdAt: new Date("2026-11-20T09:14:03Z"),
    });
    expect(throttled.aws.requests).toHaveLength(2);

    const failed = iam([() => new Response("<html>Internal Server Error</html>", { status: 500 }), created]);
    await expect(failed.client.createAccessKey("stackroom-demo-user-ana")).rejects.toMatchObject({ kind: "Server" });
    expect(failed.aws.requests).toHaveLength(1);

    const lost = iam([
      () => {
        throw new TypeError("Network connection lost.");
      },
      created,
    ]);
    await expect(lost.client.createAccessKey("stackroom-demo-user-ana")).rejects.toMatchObject({ kind: "Network" });
    expect(lost.aws.requests).toHaveLength(1);

    const listed = iam([() => new Response("", { status: 500 }), () => xmlResponse(listAccessKeysXml([]))]);
    await expect(listed.client.listAccessKeys("stackroom-demo-user-ana")).resolves.toEqual([]);
    expect(listed.aws.requests).toHaveLength(2);
  });

  it("keeps a new key whose answer lacks Status and CreateDate, and never puts a secret in an error", async () => {
    const bare = iam([() => xmlResponse(createAccessKeyXml(`<AccessKeyId>AKIAIOSFODNN7EXAMPLE</AccessKeyId><SecretAccessKey>${secret}</SecretAccessKey>`))]);
    const key = await bare.client.createAccessKey("stackroom-demo-user-ana");
    expect(key).toMatchObject({ accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: secret, status: "Active" });
    expect(Math.abs(key.createdAt.getTime() - Date.now())).toBeLessThan(60_000);

    const noId = createAccessKeyXml(`<UserName>stackroom-demo-user-ana</UserName><SecretAccessKey>${secret}</SecretAccessKey>`);
    const cutOff = `<CreateAccessKeyResponse><CreateAccessKeyResult><AccessKey><SecretAccessKey>${secret}</SecretAccessKey`;
    for (const body of [noId, cutOff]) {
      const { client } = iam([() => xmlResponse(body)]);
      const error = await client.createAccessKey("stackroom-demo-user-ana").catch((e: unknown) => e);
      expect(error).toMatchObject({ name: "AwsError", kind: "MalformedResponse" });
      expect(`${String(error)} ${JSON.stringify(error)}`).not.toContain(secret);
    }
  });
});

describe("iamEndpoint", () => {
  it("picks the partition's global endpoint and home region, or the override", () => {
    expect(iamEndpoint("ap-southeast-2")).toEqual({ url: "https://iam.amazonaws.com", signingRegion: "us-east-1" });
    expect(iamEndpoint("cn-northwest-1")).toEqual({ url: "https://iam.cn-north-1.amazonaws.com.cn", signingRegion: "cn-north-1" });
    expect(iamEndpoint("us-gov-east-1")).toEqual({ url: "https://iam.us-gov.amazonaws.com", signingRegion: "us-gov-west-1" });
    expect(iamEndpoint("eu-west-1", "http://127.0.0.1:4566/")).toEqual({ url: "http://127.0.0.1:4566", signingRegion: "us-east-1" });
    expect(iamEndpoint("eu-west-1", " ")).toEqual({ url: "https://iam.amazonaws.com", signingRegion: "us-east-1" });
  });
});
