// Proves, with the IAM simulator, what a managed user can actually do: its generated inline policy under the project boundary that template.yaml creates grants each access level on its prefixes only, stops at expiresAt, and no inline grant (s3:PutBucketPolicy, iam:*) reaches past the boundary.
import { describe, expect, it } from "vitest";
import type { Permission } from "../core/contract/user";
import { physicalBucketName } from "../core/naming";
import { userPolicyDocument } from "../core/user-policy";
import { loadBridgeTemplate, renderedProperty, sampleAccount as account } from "../test/aws-bridge/bridge-template";
import { decide, type Decision } from "../test/aws-bridge/iam-simulator";

const template = loadBridgeTemplate();
const boundary = renderedProperty(template, "ProjectBoundary", "PolicyDocument");
const ACCOUNT = account.accountId;
const principal = `arn:aws:iam::${ACCOUNT}:user/stackroom/demo/partner`;
const physical = (bucket: string) => physicalBucketName("demo", ACCOUNT, account.region, bucket);
const bucketArn = (bucket: string) => `arn:aws:s3:::${physical(bucket)}`;
const objectArn = (bucket: string, key: string) => `${bucketArn(bucket)}/${key}`;

interface Attempt {
  action: string;
  resource: string;
  context?: Record<string, string>;
  resourceAccount?: string;
}

/** What a user whose only policy is `inline`, capped by the project boundary, is told by IAM. */
const asUser = (inline: unknown) => (a: Attempt): Promise<Decision> =>
  decide({ principal, action: a.action, resource: a.resource, resourceAccount: a.resourceAccount ?? ACCOUNT, context: a.context }, { identity: [inline], boundary });
const asGranted = (permissions: Permission[], expiresAt: string | null = null) => asUser(userPolicyDocument(permissions, physical, expiresAt));

const get = (bucket: string, key: string): Attempt => ({ action: "s3:GetObject", resource: objectArn(bucket, key) });
const put = (bucket: string, key: string): Attempt => ({ action: "s3:PutObject", resource: objectArn(bucket, key) });
const list = (bucket: string, prefix?: string): Attempt => ({ action: "s3:ListBucket", resource: bucketArn(bucket), ...(prefix === undefined ? {} : { context: { "s3:prefix": prefix } }) });

describe("a read grant with prefix in/", () => {
  const can = asGranted([{ bucket: "data", access: "read", prefix: "in/" }]);

  it("gets objects under in/ only, and writes or deletes nothing", async () => {
    expect(await can(get("data", "in/a.csv"))).toBe("Allowed");
    expect(await can(get("data", "in/sub/b.csv"))).toBe("Allowed");
    expect(await can(get("data", "out/a.csv"))).toBe("ImplicitlyDenied");
    expect(await can(get("data", "insider.csv"))).toBe("ImplicitlyDenied");
    expect(await can(put("data", "in/a.csv"))).toBe("ImplicitlyDenied");
    expect(await can({ action: "s3:DeleteObject", resource: objectArn("data", "in/a.csv") })).toBe("ImplicitlyDenied");
  });

  it("lists with an s3:prefix inside in/ only, and locates the bucket", async () => {
    expect(await can(list("data", "in/"))).toBe("Allowed");
    expect(await can(list("data", "in/sub/"))).toBe("Allowed");
    expect(await can(list("data", "out/"))).toBe("ImplicitlyDenied");
    expect(await can(list("data", "i"))).toBe("ImplicitlyDenied");
    expect(await can(list("data"))).toBe("ImplicitlyDenied");
    expect(await can({ action: "s3:GetBucketLocation", resource: bucketArn("data") })).toBe("Allowed");
  });
});

describe("a prefix given without its slash", () => {
  // The manager typed `incoming`; grants are folders, so it means incoming/ and nothing beside it.
  const can = asGranted([{ bucket: "data", access: "read", prefix: "incoming" }]);

  it("covers the folder incoming/ and not incoming-private/ or incoming.csv", async () => {
    expect(await can(get("data", "incoming/a.csv"))).toBe("Allowed");
    expect(await can(get("data", "incoming-private/secret.csv"))).toBe("ImplicitlyDenied");
    expect(await can(get("data", "incoming.csv"))).toBe("ImplicitlyDenied");
    expect(await can(list("data", "incoming/"))).toBe("Allowed");
    expect(await can(list("data", "incoming-private/"))).toBe("ImplicitlyDenied");
  });
});

describe("write grants", () => {
  it("with prefix: put, delete and abort uploads under it; read nothing; list no uploads", async () => {
    const can = asGranted([{ bucket: "data", access: "write", prefix: "drop/" }]);
    expect(await can(put("data", "drop/a.csv"))).toBe("Allowed");
    expect(await can({ action: "s3:DeleteObject", resource: objectArn("data", "drop/a.csv") })).toBe("Allowed");
    expect(await can({ action: "s3:AbortMultipartUpload", resource: objectArn("data", "drop/big.bin") })).toBe("Allowed");
    expect(await can(put("data", "other/a.csv"))).toBe("ImplicitlyDenied");
    expect(await can(get("data", "drop/a.csv"))).toBe("ImplicitlyDenied");
    expect(await can({ action: "s3:ListBucketMultipartUploads", resource: bucketArn("data") })).toBe("ImplicitlyDenied");
  });

  // The recipient's page says "write" lists, uploads and deletes but cannot download: this is why.
  it("list what they write to (S3 and the SFTP role, which has the same policy), and download nothing", async () => {
    const whole = asGranted([{ bucket: "data", access: "write" }]);
    expect(await whole(list("data"))).toBe("Allowed");
    expect(await whole(get("data", "a.csv"))).toBe("ImplicitlyDenied");
    const drop = asGranted([{ bucket: "data", access: "write", prefix: "drop/" }]);
    expect(await drop(list("data", "drop/"))).toBe("Allowed");
    expect(await drop(list("data"))).toBe("ImplicitlyDenied");
  });

  it("readwrite on a whole bucket: any key, listing, uploads, but never old versions", async () => {
    const can = asGranted([{ bucket: "data", access: "readwrite" }]);
    expect(await can(get("data", "any/key"))).toBe("Allowed");
    expect(await can(put("data", "any/key"))).toBe("Allowed");
    expect(await can(list("data"))).toBe("Allowed");
    expect(await can({ action: "s3:ListBucketMultipartUploads", resource: bucketArn("data") })).toBe("Allowed");
    expect(await can({ action: "s3:GetObjectVersion", resource: objectArn("data", "any/key") })).toBe("ImplicitlyDenied");
    expect(await can({ action: "s3:DeleteObjectVersion", resource: objectArn("data", "any/key") })).toBe("ImplicitlyDenied");
    expect(await can(get("reports", "any/key"))).toBe("ImplicitlyDenied");
  });
});

describe("expiry", () => {
  const can = asGranted([{ bucket: "data", access: "readwrite" }], "2030-01-01T01:00:00+01:00");
  const at = (time: string, attempt: Attempt): Attempt => ({ ...attempt, context: { ...attempt.context, "aws:CurrentTime": time } });

  it("allows until expiresAt and denies everything explicitly from then on", async () => {
    expect(await can(at("2029-12-31T23:59:59Z", get("data", "a.csv")))).toBe("Allowed");
    expect(await can(at("2030-01-01T00:00:00Z", get("data", "a.csv")))).toBe("ExplicitlyDenied");
    expect(await can(at("2031-06-01T00:00:00Z", put("data", "a.csv")))).toBe("ExplicitlyDenied");
    expect(await can(at("2031-06-01T00:00:00Z", list("data")))).toBe("ExplicitlyDenied");
  });
});

describe("the boundary caps any inline grant", () => {
  const everything = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:*", "iam:*", "sts:*"], Resource: "*" }] };
  const can = asUser(everything);
  const self = `arn:aws:iam::${ACCOUNT}:user/stackroom/demo/partner`;

  it("still reaches the project's objects (the boundary allows them)", async () => {
    expect(await can(get("data", "a.csv"))).toBe("Allowed");
  });

  it.each<[string, Attempt]>([
    ["s3:PutBucketPolicy on a project bucket", { action: "s3:PutBucketPolicy", resource: bucketArn("data") }],
    ["s3:PutBucketPublicAccessBlock on a project bucket", { action: "s3:PutBucketPublicAccessBlock", resource: bucketArn("data") }],
    ["s3:DeleteBucket on a project bucket", { action: "s3:DeleteBucket", resource: bucketArn("data") }],
    ["s3:DeleteObjectVersion on a project bucket", { action: "s3:DeleteObjectVersion", resource: objectArn("data", "a.csv") }],
    ["s3:GetObject on another project's bucket", { action: "s3:GetObject", resource: `arn:aws:s3:::${physicalBucketName("other", ACCOUNT, account.region, "data")}/a.csv` }],
    ["s3:GetObject on a same-named bucket of another account", { ...get("data", "a.csv"), resourceAccount: "333333333333" }],
    ["iam:CreateUser", { action: "iam:CreateUser", resource: `arn:aws:iam::${ACCOUNT}:user/stackroom/demo/friend` }],
    ["iam:PutUserPolicy on itself", { action: "iam:PutUserPolicy", resource: self }],
    ["iam:DeleteUserPermissionsBoundary on itself", { action: "iam:DeleteUserPermissionsBoundary", resource: self }],
    ["iam:CreateAccessKey for itself", { action: "iam:CreateAccessKey", resource: self }],
    ["sts:AssumeRole of the manager role", { action: "sts:AssumeRole", resource: `arn:aws:iam::${ACCOUNT}:role/stackroom-demo-manager` }],
  ])("denies %s", async (_, attempt) => {
    expect(await can(attempt)).not.toBe("Allowed");
  });
});

describe("a user without permissions", () => {
  it("can do nothing, not even on the project's buckets", async () => {
    const can = asGranted([]);
    expect(await can(get("data", "a.csv"))).toBe("ExplicitlyDenied");
    expect(await can(list("data"))).toBe("ExplicitlyDenied");
  });
});
