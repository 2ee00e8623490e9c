// Proves against moto with IAM enforcement on that a user stack's generated policy grants exactly the S3 access asked for under the project's boundary, that key deletion and expiry (permissions [], the expiry Deny) cut it off, and records what moto 5.2.1 does not enforce.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMoto, type MotoServer } from "../../scripts/lib/moto";
import { freePort } from "../../scripts/lib/ports";
import type { Permission, UserSpec } from "../../core/contract/user";
import { physicalBucketName, stackName } from "../../core/naming";
import { projectBoundaryArn, projectBoundaryDocument, projectBoundaryName } from "../../core/project-boundary";
import { userPolicyDocument } from "../../core/user-policy";
import { GRANTS_POLICY_NAME, userPath, userStackInput } from "../../core/user-template";
import { BOOTSTRAP_CALLS, MOTO_ACCOUNT, bootstrapAdmin, queryClient, s3Client, strict, type QueryCall, type S3Call } from "./moto-iam";

const PROJECT = "iamcheck";
const REGION = "eu-west-1";
const physical = (bucket: string) => physicalBucketName(PROJECT, MOTO_ACCOUNT, REGION, bucket);
const A = physical("bucket-a");
const B = physical("bucket-b");
/** Same account, but not named like a project bucket: the boundary must keep users out. */
const FOREIGN = "foreign-bucket";

let moto: MotoServer;
let iam: QueryCall;
let iamRaw: QueryCall;
let cfn: QueryCall;
let adminS3: S3Call;

beforeAll(async () => {
  moto = await startMoto(await freePort(), { INITIAL_NO_AUTH_ACTION_COUNT: String(BOOTSTRAP_CALLS) });
  const admin = await bootstrapAdmin(moto.endpoint);
  iamRaw = queryClient(moto.endpoint, "iam", admin);
  iam = strict(iamRaw);
  cfn = strict(queryClient(moto.endpoint, "cloudformation", admin, REGION));
  adminS3 = s3Client(moto.endpoint, admin, REGION);
  const location = `<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>${REGION}</LocationConstraint></CreateBucketConfiguration>`;
  for (const bucket of [A, B, FOREIGN]) expect((await adminS3("PUT", bucket, { body: location })).status).toBe(200);
  for (const key of [`${A}/seed.txt`, `${A}/in/seed.txt`, `${B}/seed.txt`, `${FOREIGN}/seed.txt`]) {
    expect((await adminS3("PUT", key, { body: "seed" })).status).toBe(200);
  }
  // The bridge stack creates the project's boundary in AWS; user stacks only reference it.
  await iam("CreatePolicy", {
    PolicyName: projectBoundaryName(PROJECT),
    Path: userPath(PROJECT),
    PolicyDocument: JSON.stringify(projectBoundaryDocument(PROJECT, MOTO_ACCOUNT, REGION)),
  });
}, 60_000);

afterAll(async () => {
  await moto?.stop();
});

let userCount = 0;
const spec = (permissions: Permission[], expiresAt: string | null = null): UserSpec => ({ description: null, permissions, expiresAt });

/** CreateStack's Query parameters for the user's stack as Stackroom writes it. */
function stackParams(name: string, userSpec: UserSpec): Record<string, string> {
  const input = userStackInput({ id: PROJECT, accountId: MOTO_ACCOUNT, region: REGION }, name, userSpec);
  const params: Record<string, string> = { StackName: input.stackName, TemplateBody: input.templateBody };
  input.capabilities?.forEach((capability, i) => {
    params[`Capabilities.member.${i + 1}`] = capability;
  });
  input.tags.forEach((tag, i) => {
    params[`Tags.member.${i + 1}.Key`] = tag.Key;
    params[`Tags.member.${i + 1}.Value`] = tag.Value;
  });
  return params;
}

async function createKey(name: string) {
  const key = await iam("CreateAccessKey", { UserName: name });
  const accessKeyId = key.value("AccessKeyId") ?? "";
  const secretAccessKey = key.value("SecretAccessKey") ?? "";
  return { accessKeyId, secretAccessKey, s3: s3Client(moto.endpoint, { accessKeyId, secretAccessKey }, REGION) };
}

/** A user created through CloudFormation from userTemplate(), with a fresh access key. */
async function deployUser(label: string, permissions: Permission[], expiresAt: string | null = null) {
  const name = `${label}.${++userCount}`;
  await cfn("CreateStack", stackParams(name, spec(permissions, expiresAt)));
  return { name, ...(await createKey(name)) };
}

const list = (s3: S3Call, bucket: string, prefix?: string) => s3("GET", bucket, { query: { "list-type": "2", ...(prefix ? { prefix } : {}) } });
const decodedDocument = (encoded: string | undefined): unknown => JSON.parse(decodeURIComponent(encoded ?? ""));

describe("IAM enforcement is really on (negative controls)", () => {
  it("refuses an unknown key, a wrong secret and a user without grants; the admin is allowed", async () => {
    const unknown = s3Client(moto.endpoint, { accessKeyId: "AKIAUNKNOWNKEY000000", secretAccessKey: "x" }, REGION);
    expect((await unknown("GET", `${A}/seed.txt`)).text).toContain("InvalidAccessKeyId");
    const name = `nogrants.${++userCount}`;
    await iam("CreateUser", { UserName: name });
    const key = await createKey(name);
    expect(await key.s3("GET", `${A}/seed.txt`)).toMatchObject({ status: 403, text: expect.stringContaining("AccessDenied") });
    const forged = s3Client(moto.endpoint, { accessKeyId: key.accessKeyId, secretAccessKey: "not-the-secret" }, REGION);
    expect((await forged("GET", `${A}/seed.txt`)).text).toContain("SignatureDoesNotMatch");
    expect(await adminS3("GET", `${A}/seed.txt`)).toEqual({ status: 200, text: "seed" });
  });
});

describe("a user stack deployed to moto", () => {
  it("creates the user under the project path with the generated grants and the project boundary", async () => {
    const permissions: Permission[] = [{ bucket: "bucket-a", access: "read" }, { bucket: "bucket-b", access: "write", prefix: "in/" }];
    const user = await deployUser("shape", permissions);
    const stack = await cfn("DescribeStacks", { StackName: stackName(PROJECT, "user", user.name) });
    const arn = `arn:aws:iam::${MOTO_ACCOUNT}:user${userPath(PROJECT)}${user.name}`;
    expect(stack.value("OutputValue")).toBe(arn);
    expect((await iam("GetUser", { UserName: user.name })).value("Arn")).toBe(arn);
    const grants = await iam("GetUserPolicy", { UserName: user.name, PolicyName: GRANTS_POLICY_NAME });
    expect(decodedDocument(grants.value("PolicyDocument"))).toEqual(userPolicyDocument(permissions, physical));
    // The stack made no policy of its own: the project's boundary is the only one under the path.
    const policies = await iam("ListPolicies", { Scope: "Local", PathPrefix: userPath(PROJECT) });
    expect([...policies.text.matchAll(/<Arn>([^<]+)<\/Arn>/g)].map((m) => m[1])).toEqual([projectBoundaryArn(PROJECT, MOTO_ACCOUNT)]);
  });

  it("read on A: lists and gets A, cannot write to A, cannot touch B or administer A", async () => {
    const { s3 } = await deployUser("reader", [{ bucket: "bucket-a", access: "read" }]);
    expect((await list(s3, A)).text).toContain("<Key>seed.txt</Key>");
    expect((await s3("GET", A, { query: { location: "" } })).status).toBe(200);
    expect(await s3("GET", `${A}/seed.txt`)).toEqual({ status: 200, text: "seed" });
    expect((await s3("PUT", `${A}/reader.txt`, { body: "x" })).status).toBe(403);
    expect((await s3("DELETE", `${A}/seed.txt`)).status).toBe(403);
    expect((await list(s3, B)).status).toBe(403);
    expect((await s3("GET", `${B}/seed.txt`)).status).toBe(403);
    expect((await s3("PUT", `${B}/reader.txt`, { body: "x" })).status).toBe(403);
    expect((await s3("GET", A, { query: { policy: "" } })).status).toBe(403);
    expect((await s3("DELETE", A)).status).toBe(403);
  });

  // Listing inside the prefix cannot be shown here: moto fails the signature of any S3 query
  // holding a `/` (see the gaps below).
  it("readwrite with prefix in/ on A: writes and reads inside in/ only", async () => {
    const { name, s3 } = await deployUser("partner", [{ bucket: "bucket-a", access: "readwrite", prefix: "in/" }]);
    expect((await s3("PUT", `${A}/in/${name}.txt`, { body: "mine" })).status).toBe(200);
    expect(await s3("GET", `${A}/in/${name}.txt`)).toEqual({ status: 200, text: "mine" });
    expect((await s3("DELETE", `${A}/in/${name}.txt`)).status).toBe(204);
    const upload = await s3("POST", `${A}/in/${name}.bin`, { query: { uploads: "" } });
    expect(upload.status).toBe(200);
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(upload.text)?.[1] ?? "";
    expect((await s3("DELETE", `${A}/in/${name}.bin`, { query: { uploadId } })).status).toBe(204);

    expect((await s3("PUT", `${A}/${name}.txt`, { body: "outside" })).status).toBe(403);
    expect((await s3("GET", `${A}/seed.txt`)).status).toBe(403);
    expect((await s3("PUT", `${B}/in/${name}.txt`, { body: "x" })).status).toBe(403);
    expect((await list(s3, B, "in/")).status).toBe(403);
  });

  it("refuses a user whose expiry has passed, grants or not (the Deny in its own policy)", async () => {
    const expired = await deployUser("expired", [{ bucket: "bucket-a", access: "readwrite" }], "2020-01-01T00:00:00Z");
    expect((await expired.s3("GET", `${A}/seed.txt`)).status).toBe(403);
    expect((await expired.s3("PUT", `${A}/expired.txt`, { body: "x" })).status).toBe(403);
  });

  it("refuses a key once it is deleted", async () => {
    const user = await deployUser("deleted", [{ bucket: "bucket-a", access: "read" }]);
    expect((await user.s3("GET", `${A}/seed.txt`)).status).toBe(200);
    await iam("DeleteAccessKey", { UserName: user.name, AccessKeyId: user.accessKeyId });
    expect((await user.s3("GET", `${A}/seed.txt`)).text).toContain("InvalidAccessKeyId");
  });

  it("refuses the key on A after the stack is updated to permissions [] (the expiry path)", async () => {
    const user = await deployUser("expiring", [{ bucket: "bucket-a", access: "readwrite" }]);
    expect((await user.s3("GET", `${A}/seed.txt`)).status).toBe(200);
    await cfn("UpdateStack", stackParams(user.name, spec([], "2026-01-01T00:00:00Z")));
    const stack = await cfn("DescribeStacks", { StackName: stackName(PROJECT, "user", user.name) });
    expect(stack.value("StackStatus")).toBe("UPDATE_COMPLETE");
    expect((await user.s3("GET", `${A}/seed.txt`)).status).toBe(403);
    expect((await list(user.s3, A)).status).toBe(403);
    expect((await user.s3("PUT", `${A}/expired.txt`, { body: "x" })).status).toBe(403);
  });

  // moto cannot apply a permissions boundary (see the gaps below), so its document is enforced
  // here as a user's only policy: whatever an inline policy allows, the boundary's Allow is the cap.
  it("the boundary document, enforced as a policy, reaches the project's buckets and nothing else", async () => {
    const name = `probe.${++userCount}`;
    await iam("CreateUser", { UserName: name, Path: userPath(PROJECT) });
    const boundary = projectBoundaryDocument(PROJECT, MOTO_ACCOUNT, REGION);
    await iam("PutUserPolicy", { UserName: name, PolicyName: "boundary-as-policy", PolicyDocument: JSON.stringify(boundary) });
    const { s3, accessKeyId, secretAccessKey } = await createKey(name);
    expect((await s3("GET", `${A}/seed.txt`)).status).toBe(200);
    expect((await s3("PUT", `${B}/${name}.txt`, { body: "x" })).status).toBe(200);
    expect((await list(s3, B)).status).toBe(200);
    expect((await s3("GET", `${FOREIGN}/seed.txt`)).status).toBe(403);
    expect((await list(s3, FOREIGN)).status).toBe(403);
    expect((await s3("PUT", physical("brand-new"))).status).toBe(403);
    expect((await s3("DELETE", `${A}/seed.txt`, { query: { versionId: "null" } })).status).toBe(403);
    expect((await s3("GET", A, { query: { policy: "" } })).status).toBe(403);
    expect((await s3("DELETE", B)).status).toBe(403);
    const ownIam = queryClient(moto.endpoint, "iam", { accessKeyId, secretAccessKey });
    expect((await ownIam("ListUsers")).code).toBe("AccessDenied");
  });
});

// What moto 5.2.1 does differently from AWS. Each test asserts moto's behaviour, so it fails (and
// should be turned into the AWS expectation) once moto starts enforcing the piece.
describe("moto 5.2.1 gaps (AWS behaves differently)", () => {
  it("ignores the s3:prefix condition: a prefix-only grant can list the whole bucket (AWS: 403)", async () => {
    const { s3 } = await deployUser("prefixgap", [{ bucket: "bucket-a", access: "read", prefix: "in/" }]);
    expect((await list(s3, A)).text).toContain("<Key>seed.txt</Key>");
  });

  it("fails the signature of an S3 request whose query holds a `/`, as it does for boto3 (AWS: 200)", async () => {
    expect((await list(adminS3, A, "in/")).text).toContain("SignatureDoesNotMatch");
    expect((await list(adminS3, A, "in")).status).toBe(200);
  });

  it("accepts a key IAM reports as Inactive (AWS: 403 InvalidAccessKeyId)", async () => {
    const user = await deployUser("inactive", [{ bucket: "bucket-a", access: "read" }]);
    await iam("UpdateAccessKey", { UserName: user.name, AccessKeyId: user.accessKeyId, Status: "Inactive" });
    expect((await iam("ListAccessKeys", { UserName: user.name })).value("Status")).toBe("Inactive");
    expect((await user.s3("GET", `${A}/seed.txt`)).status).toBe(200);
  });

  // moto evaluates StringEquals only and takes any other operator as matching, so the expiry Deny
  // (DateGreaterThanEquals aws:CurrentTime) applies at once. The simulator test proves AWS's side.
  it("refuses a user whose expiry is still ahead (AWS: 200 until expiresAt)", async () => {
    const current = await deployUser("notyet", [{ bucket: "bucket-a", access: "read" }], "2099-01-01T00:00:00Z");
    expect((await current.s3("GET", `${A}/seed.txt`)).status).toBe(403);
  });

  it("drops a user's PermissionsBoundary and has no PutUserPermissionsBoundary", async () => {
    const user = await deployUser("boundarygap", [{ bucket: "bucket-a", access: "read" }]);
    expect((await iam("GetUser", { UserName: user.name })).text).not.toContain("PermissionsBoundary");
    const put = await iamRaw("PutUserPermissionsBoundary", { UserName: user.name, PermissionsBoundary: `arn:aws:iam::${MOTO_ACCOUNT}:policy/any` });
    expect(put.status).toBe(500);
  });
});
