// Proves the generated user policy grants exactly each access level (with and without prefix), never a bucket-admin action, stays inside the project boundary for any spec, and denies everything from its expiry on.
import { describe, expect, it } from "vitest";
import { folderPrefix, type Access, type Permission } from "./contract/user";
import { physicalBucketName } from "./naming";
import { projectBoundaryDocument } from "./project-boundary";
import {
  BUCKET_ACTIONS,
  OBJECT_ACTIONS,
  PolicyTooLargeError,
  USER_INLINE_POLICY_MAX,
  assertInlinePolicyFits,
  policySize,
  userPolicyDocument,
  type PolicyStatement,
} from "./user-policy";

const physical = (bucket: string) => physicalBucketName("demo", "111111111111", "eu-west-1", bucket);
const arn = (bucket: string, rest = "") => `arn:aws:s3:::${physical(bucket)}${rest}`;
const READ = ["s3:GetObject"];
const WRITE = ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:ListMultipartUploadParts", "s3:PutObject"];
const READ_WRITE = ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"];
const allow = (Sid: string, Action: string[], Resource: string[], Condition?: PolicyStatement["Condition"]): PolicyStatement => ({
  Sid, Effect: "Allow", Action, Resource, ...(Condition ? { Condition } : {}),
});

const single: [Access, string | undefined, PolicyStatement[]][] = [
  ["read", undefined, [allow("ListBuckets", ["s3:GetBucketLocation", "s3:ListBucket"], [arn("data")]), allow("ReadObjects", READ, [arn("data", "/*")])]],
  ["write", undefined, [
    allow("ListBucketsAndUploads", [...BUCKET_ACTIONS], [arn("data")]),
    allow("WriteObjects", WRITE, [arn("data", "/*")]),
  ]],
  ["readwrite", undefined, [
    allow("ListBucketsAndUploads", [...BUCKET_ACTIONS], [arn("data")]),
    allow("ReadWriteObjects", READ_WRITE, [arn("data", "/*")]),
  ]],
  ...(["read", "write", "readwrite"] as const).map((access): [Access, string, PolicyStatement[]] => [access, "in/", [
    allow("LocateBuckets", ["s3:GetBucketLocation"], [arn("data")]),
    allow("ListPrefixes1", ["s3:ListBucket"], [arn("data")], { StringLike: { "s3:prefix": ["in/", "in/*"] } }),
    allow({ read: "ReadObjects", write: "WriteObjects", readwrite: "ReadWriteObjects" }[access], { read: READ, write: WRITE, readwrite: READ_WRITE }[access], [arn("data", "/in/*")]),
  ]]),
];

describe("userPolicyDocument", () => {
  it.each(single)("grants %s with prefix %s exactly", (access, prefix, statements) => {
    const permission: Permission = { bucket: "data", access, ...(prefix ? { prefix } : {}) };
    expect(userPolicyDocument([permission], physical)).toEqual({ Version: "2012-10-17", Statement: statements });
  });

  it("groups many buckets by equal actions and equal prefixes, whatever their order", () => {
    const permissions: Permission[] = [
      { bucket: "ddd", access: "write", prefix: "in/" },
      { bucket: "aaa", access: "read" },
      { bucket: "bbb", access: "read", prefix: "out/" },
      { bucket: "ccc", access: "readwrite" },
      { bucket: "bbb", access: "write", prefix: "in/" },
      { bucket: "eee", access: "read", prefix: "in/" },
      { bucket: "aaa", access: "write", prefix: "drop/" },
    ];
    const expected = [
      allow("LocateBuckets", ["s3:GetBucketLocation"], [arn("bbb"), arn("ddd"), arn("eee")]),
      allow("ListBuckets", ["s3:GetBucketLocation", "s3:ListBucket"], [arn("aaa")]),
      allow("ListBucketsAndUploads", [...BUCKET_ACTIONS], [arn("ccc")]),
      allow("ListPrefixes1", ["s3:ListBucket"], [arn("bbb")], { StringLike: { "s3:prefix": ["in/", "in/*", "out/", "out/*"] } }),
      allow("ListPrefixes2", ["s3:ListBucket"], [arn("ddd"), arn("eee")], { StringLike: { "s3:prefix": ["in/", "in/*"] } }),
      allow("ReadObjects", READ, [arn("aaa", "/*"), arn("bbb", "/out/*"), arn("eee", "/in/*")]),
      allow("WriteObjects", WRITE, [arn("aaa", "/drop/*"), arn("bbb", "/in/*"), arn("ddd", "/in/*")]),
      allow("ReadWriteObjects", READ_WRITE, [arn("ccc", "/*")]),
    ];
    expect(userPolicyDocument(permissions, physical).Statement).toEqual(expected);
    expect(userPolicyDocument(permissions.toReversed(), physical).Statement).toEqual(expected);
  });

  it("allows nothing at all without permissions", () => {
    expect(userPolicyDocument([], physical)).toEqual({
      Version: "2012-10-17",
      Statement: [{ Sid: "NoAccess", Effect: "Deny", Action: "*", Resource: "*" }],
    });
  });

  it("refuses a bucket granted twice and prefixes with wildcards", () => {
    const twice: Permission[] = [{ bucket: "data", access: "read", prefix: "a/" }, { bucket: "data", access: "write", prefix: "a/" }];
    expect(() => userPolicyDocument(twice, physical)).toThrow(/twice/);
    expect(() => userPolicyDocument([{ bucket: "data", access: "read", prefix: "a/*" }], physical)).toThrow();
  });

  it("reports a document over IAM's 2048-character user limit as PolicyTooLargeError", () => {
    const grants = (n: number): Permission[] => Array.from({ length: n }, (_, i) => ({ bucket: `bucket-${i}`, access: "readwrite" }));
    expect(() => assertInlinePolicyFits(userPolicyDocument(grants(15), physical))).not.toThrow();
    const big = userPolicyDocument(grants(20).map((p) => ({ ...p, prefix: "incoming/2026/" })), physical);
    expect(policySize(big)).toBeGreaterThan(USER_INLINE_POLICY_MAX);
    expect(() => assertInlinePolicyFits(big)).toThrow(PolicyTooLargeError);
  });
});

/** IAM's ARN matching: `*` spans any characters, `/` included. */
const matches = (pattern: string, value: string) =>
  new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`).test(value);
const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

function randomPermissions(seed: number): Permission[] {
  let state = seed;
  const next = (n: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state % n;
  };
  const picked = new Map<string, Permission>();
  for (let i = next(8); i > 0; i--) {
    const prefix = ["", "in/", "out/", "a", "deep/er/", "in/sub/"][next(6)];
    const permission: Permission = { bucket: `b${next(5)}-x`, access: (["read", "write", "readwrite"] as const)[next(3)]!, ...(prefix ? { prefix } : {}) };
    picked.set(`${permission.bucket}/${prefix}`, permission);
  }
  return [...picked.values()];
}

describe("for any spec (300 random ones)", () => {
  const boundary = projectBoundaryDocument("demo", "111111111111", "eu-west-1");
  const ADMIN = /s3:\*|Bucket(Policy|Acl|Tagging|Versioning|Ownership|PublicAccessBlock)|DeleteBucket$|CreateBucket|Configuration|ObjectAcl|Version|Replicat|Retention|LegalHold|^\*$/;

  it.each(Array.from({ length: 300 }, (_, seed) => seed))("seed %i: only granted buckets, no admin action, inside the boundary", (seed) => {
    const permissions = randomPermissions(seed);
    const { Statement } = userPolicyDocument(permissions, physical);
    if (permissions.length === 0) return expect(Statement.map((s) => s.Effect)).toEqual(["Deny"]);
    expect(new Set(Statement.map((s) => s.Sid)).size).toBe(Statement.length);
    for (const s of Statement) {
      expect(s.Effect).toBe("Allow");
      expect(s.Sid).toMatch(/^[A-Za-z0-9]+$/);
      if (s.Condition) expect(list(s.Action)).toEqual(["s3:ListBucket"]);
      for (const action of list(s.Action)) {
        expect(action).not.toMatch(ADMIN);
        for (const resource of list(s.Resource)) {
          expect(permissions.some((p) => resource.startsWith(arn(p.bucket)))).toBe(true);
          expect(resource.includes("/")).toBe((OBJECT_ACTIONS as readonly string[]).includes(action));
          // The boundary allows it too: a policy can never reach past the project's buckets.
          expect(boundary.Statement.some((b) => list(b.Action).includes(action) && list(b.Resource).some((r) => matches(r, resource)))).toBe(true);
        }
      }
    }
    for (const p of permissions) {
      // A prefix is a folder: `a` is granted as `a/`.
      const objects = Statement.filter((s) => list(s.Resource).includes(arn(p.bucket, `/${p.prefix ? folderPrefix(p.prefix) : ""}*`))).flatMap((s) => list(s.Action));
      expect(objects.sort()).toEqual({ read: READ, write: WRITE, readwrite: READ_WRITE }[p.access]);
    }
  });
});

describe("expiry", () => {
  const expired = { Sid: "Expired", Effect: "Deny", Action: "*", Resource: "*", Condition: { DateGreaterThanEquals: { "aws:CurrentTime": "2027-01-01T08:00:00Z" } } };

  it("denies everything from expiresAt on, written in UTC to the second, after the grants", () => {
    const { Statement } = userPolicyDocument([{ bucket: "data", access: "read" }], physical, "2027-01-01T10:00:00.250+02:00");
    expect(Statement.at(-1)).toEqual(expired);
    expect(Statement.slice(0, -1).every((s) => s.Effect === "Allow")).toBe(true);
  });

  it("adds nothing to the deny-all document of a user without permissions", () => {
    expect(userPolicyDocument([], physical, "2027-01-01T10:00:00Z")).toEqual(userPolicyDocument([], physical));
  });

  it("counts against IAM's inline limit", () => {
    const grants = Array.from({ length: 10 }, (_, i): Permission => ({ bucket: `b-${i}`, access: "read", prefix: "in/" }));
    const withExpiry = userPolicyDocument(grants, physical, "2027-01-01T10:00:00+02:00");
    expect(policySize(withExpiry)).toBe(policySize(userPolicyDocument(grants, physical)) + JSON.stringify(expired).length + 1);
  });
});
