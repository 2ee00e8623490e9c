// Proves the IAM access-key client against moto: two keys per user, list, deactivate, last used, delete one and all, typed errors.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { iamClient } from "./iam";
import { queryAction } from "./query";
import { actions, randomSuffix, recordingFetch, motoCredentials } from "../../test/aws/test-kit";
import { createSend, type AwsFetch } from "./transport";
import { xmlText } from "./xml";

const region = "eu-west-1";
const credentials = motoCredentials(env.AWS_ENDPOINT, region);
const client = (fetch?: AwsFetch) => iamClient({ region, credentials, endpoint: env.AWS_ENDPOINT, fetch });
const iam = client();

/** Users come from CloudFormation in Stackroom; here a plain CreateUser stands in. */
async function createUser(userName = `stackroom-test-user-${randomSuffix()}`): Promise<string> {
  const service = { url: env.AWS_ENDPOINT, version: "2010-05-08", send: createSend("iam", { region: "us-east-1", credentials }) };
  const Created = z.object({ CreateUserResponse: z.object({ CreateUserResult: z.object({ User: z.object({ UserName: xmlText }) }) }) });
  const answer = await queryAction(service, "CreateUser", { UserName: userName, Path: "/stackroom/test/" }, Created);
  return answer.CreateUserResponse.CreateUserResult.User.UserName;
}

const byId = (a: { accessKeyId: string }, b: { accessKeyId: string }) => a.accessKeyId.localeCompare(b.accessKeyId);

it("creates two keys, refuses a third, lists, deactivates, reports last use and deletes", async () => {
  const userName = await createUser();
  const before = Date.now() - 60_000;

  const first = await iam.createAccessKey(userName);
  const second = await iam.createAccessKey(userName);
  for (const key of [first, second]) {
    expect(key).toMatchObject({ accessKeyId: expect.stringMatching(/^AKIA/), status: "Active" });
    expect(key.secretAccessKey).toMatch(/^\S{40}$/);
    expect(key.createdAt.getTime()).toBeGreaterThan(before);
  }
  expect(second.accessKeyId).not.toBe(first.accessKeyId);
  expect(second.secretAccessKey).not.toBe(first.secretAccessKey);

  // moto enforces AWS's quota of two keys per user, answering like AWS (409 LimitExceeded).
  const third = await iam.createAccessKey(userName).catch((e: unknown) => e);
  expect(third).toMatchObject({ kind: "LimitExceeded", code: "LimitExceeded", status: 409, retryable: false });
  expect(String(third)).not.toContain(first.secretAccessKey);

  const listed = await iam.listAccessKeys(userName);
  expect(listed.sort(byId)).toEqual(
    [first, second].map(({ accessKeyId, createdAt }) => ({ accessKeyId, status: "Active", createdAt })).sort(byId),
  );

  await iam.updateAccessKey(userName, first.accessKeyId, "Inactive");
  const afterUpdate = await iam.listAccessKeys(userName);
  expect(afterUpdate.find((k) => k.accessKeyId === first.accessKeyId)?.status).toBe("Inactive");
  expect(afterUpdate.find((k) => k.accessKeyId === second.accessKeyId)?.status).toBe("Active");

  // A key never used: AWS (and moto) answer ServiceName and Region "N/A" and no LastUsedDate.
  await expect(iam.getAccessKeyLastUsed(second.accessKeyId)).resolves.toEqual({ lastUsedAt: null });

  await iam.deleteAccessKey(userName, first.accessKeyId);
  expect((await iam.listAccessKeys(userName)).map((k) => k.accessKeyId)).toEqual([second.accessKeyId]);
});

it("deletes every key of a user, and repeating it is a no-op", async () => {
  const userName = await createUser();
  const keys = [await iam.createAccessKey(userName), await iam.createAccessKey(userName)];
  const recorder = recordingFetch();
  const recorded = client(recorder.fetch);

  const deleted = await recorded.deleteAllAccessKeys(userName);

  expect(deleted.sort()).toEqual(keys.map((k) => k.accessKeyId).sort());
  await expect(iam.listAccessKeys(userName)).resolves.toEqual([]);
  expect(actions(recorder.sent)).toEqual(["ListAccessKeys", "DeleteAccessKey", "DeleteAccessKey"]);
  expect(recorder.sent.map((r) => r.service)).toEqual(["iam", "iam", "iam"]);
  await expect(recorded.deleteAllAccessKeys(userName)).resolves.toEqual([]);
  await expect(recorded.deleteAllAccessKeys(`stackroom-test-gone-${randomSuffix()}`)).resolves.toEqual([]);
});

describe("typed errors", () => {
  it("reports a missing user or key as NoSuchEntity", async () => {
    const missing = `stackroom-test-missing-${randomSuffix()}`;
    const noSuchEntity = { name: "AwsError", kind: "NoSuchEntity", code: "NoSuchEntity", status: 404, retryable: false };
    await expect(iam.listAccessKeys(missing)).rejects.toMatchObject(noSuchEntity);
    await expect(iam.createAccessKey(missing)).rejects.toMatchObject(noSuchEntity);
    await expect(iam.updateAccessKey(missing, "AKIAIOSFODNN7EXAMPLE", "Inactive")).rejects.toMatchObject(noSuchEntity);
    await expect(iam.deleteAccessKey(missing, "AKIAIOSFODNN7EXAMPLE")).rejects.toMatchObject(noSuchEntity);

    const userName = await createUser();
    await expect(iam.deleteAccessKey(userName, "AKIAIOSFODNN7EXAMPLE")).rejects.toMatchObject(noSuchEntity);
    await expect(iam.getAccessKeyLastUsed("AKIAIOSFODNN7EXAMPLE")).rejects.toMatchObject(noSuchEntity);
  });

  it("reports a taken user name as AlreadyExists", async () => {
    const userName = await createUser();
    await expect(createUser(userName)).rejects.toMatchObject({ kind: "AlreadyExists", code: "EntityAlreadyExists", status: 409 });
  });
});

it("reads the unique ids S3's object events name a user and a role by", async () => {
  const userName = await createUser();
  const userId = await iam.getUserId(userName);
  expect(userId.length).toBeGreaterThan(8);
  expect(await iam.getUserId(userName)).toBe(userId);
  await expect(iam.getUserId(`${userName}-gone`)).rejects.toMatchObject({ kind: "NoSuchEntity" });

  const roleName = `stackroom-test-role-${randomSuffix()}`;
  const service = { url: env.AWS_ENDPOINT, version: "2010-05-08", send: createSend("iam", { region: "us-east-1", credentials }) };
  const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "transfer.amazonaws.com" }, Action: "sts:AssumeRole" }] });
  const Created = z.object({ CreateRoleResponse: z.object({ CreateRoleResult: z.object({ Role: z.object({ RoleId: xmlText }) }) }) });
  const created = await queryAction(service, "CreateRole", { RoleName: roleName, Path: "/stackroom/test/", AssumeRolePolicyDocument: trust }, Created);
  expect(await iam.getRoleId(roleName)).toBe(created.CreateRoleResponse.CreateRoleResult.Role.RoleId);
  expect(await iam.getRoleId(roleName)).toMatch(/^AROA/);
  await expect(iam.getRoleId(`${roleName}-gone`)).rejects.toMatchObject({ kind: "NoSuchEntity" });
});
