// Proves AssumeRole against moto returns usable temporary credentials, cached per role+externalId+endpoint and deduplicated.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { assumeRole, assumedRoleCredentials, type AssumeRoleOptions } from "./sts";
import { actions, hubCredentials, randomAccountId, randomSuffix, recordingFetch } from "../../test/aws/test-kit";
import type { AwsFetch } from "./transport";

const accountId = randomAccountId();

function roleOptions(overrides: Partial<AssumeRoleOptions> = {}): AssumeRoleOptions {
  return {
    hubCredentials,
    roleArn: `arn:aws:iam::${accountId}:role/stackroom-manager-${randomSuffix()}`,
    externalId: "stackroom-external-id",
    sessionName: "stackroom-demo",
    region: "eu-west-1",
    endpoint: env.AWS_ENDPOINT,
    ...overrides,
  };
}

describe("assumeRole", () => {
  it("sends AssumeRole with ExternalId and returns temporary credentials", async () => {
    const recorder = recordingFetch();
    const before = Date.now();
    const credentials = await assumeRole(roleOptions({ fetch: recorder.fetch }));

    expect(credentials.accessKeyId).toMatch(/^ASIA/);
    expect(credentials.secretAccessKey).not.toBe("");
    expect(credentials.sessionToken).not.toBe("");
    expect(credentials.expiration.getTime()).toBeGreaterThan(before + 55 * 60_000);
    const [sent] = recorder.sent;
    expect(sent?.service).toBe("sts");
    expect(Object.fromEntries(sent?.form ?? [])).toMatchObject({
      Action: "AssumeRole",
      Version: "2011-06-15",
      ExternalId: "stackroom-external-id",
      RoleSessionName: "stackroom-demo",
      DurationSeconds: "3600",
    });
  });
});

describe("assumedRoleCredentials", () => {
  it("assumes the role once and serves later calls from the cache", async () => {
    const recorder = recordingFetch();
    const options = roleOptions({ fetch: recorder.fetch });

    const first = await assumedRoleCredentials(options).get();
    const second = await assumedRoleCredentials(options).get();

    expect(second).toEqual(first);
    expect(actions(recorder.sent)).toEqual(["AssumeRole"]);
  });

  it("shares one in-flight AssumeRole between concurrent callers", async () => {
    const recorder = recordingFetch();
    const source = assumedRoleCredentials(roleOptions({ fetch: recorder.fetch }));

    const all = await Promise.all([source.get(), source.get(), source.get()]);

    expect(new Set(all.map((c) => c.accessKeyId)).size).toBe(1);
    expect(actions(recorder.sent)).toEqual(["AssumeRole"]);
  });

  it("keys the cache by external id and assumes again after invalidate", async () => {
    const recorder = recordingFetch();
    const options = roleOptions({ fetch: recorder.fetch });
    const source = assumedRoleCredentials(options);

    const first = await source.get();
    await assumedRoleCredentials({ ...options, externalId: "another-external-id" }).get();
    source.invalidate?.();
    const renewed = await source.get();

    expect(actions(recorder.sent)).toEqual(["AssumeRole", "AssumeRole", "AssumeRole"]);
    expect(renewed.accessKeyId).not.toBe(first.accessKeyId);
  });

  it("does not cache a failed AssumeRole", async () => {
    const recorder = recordingFetch();
    let attempts = 0;
    const dropFirst: AwsFetch = (request) => {
      attempts++;
      return attempts === 1 ? Promise.reject(new TypeError("Network connection lost.")) : recorder.fetch(request);
    };
    const source = assumedRoleCredentials(roleOptions({ fetch: dropFirst, retry: { maxAttempts: 1 } }));

    await expect(source.get()).rejects.toMatchObject({ code: "NetworkError", retryable: true });
    await expect(source.get()).resolves.toMatchObject({ accessKeyId: expect.stringMatching(/^ASIA/) });
    expect(attempts).toBe(2);
    expect(actions(recorder.sent)).toEqual(["AssumeRole"]);
  });
});
