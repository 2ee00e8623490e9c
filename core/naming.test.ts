// Proves stack names (resources and the project's SFTP server stack) round-trip, foreign stacks are rejected, and physical bucket names are stable, unique per project and within S3's limits.
import { describe, expect, it } from "vitest";
import { NamingError, parseStackName, physicalBucketName, stackName } from "./naming";
import { KINDS, kindFacts, registerKind } from "./kinds";

describe("stackName / parseStackName", () => {
  it("names a bucket stack as the spec says", () => {
    expect(stackName("demo", "bucket", "team-uploads")).toBe("stackroom-demo-bucket-team-uploads");
  });

  it.each([
    ["demo", "bucket", "abc"],
    ["p1", "bucket", "a1-b2-c3"],
    ["abcdefghij0123456789", "bucket", "x".repeat(54)],
    ["demo", "user", "alice"],
    ["demo", "user", "Ann.Lee@example.com"],
    ["demo", "user", "a-h+b=c,d_e"],
    ["demo", "user", "-"],
  ] as const)("round-trips %s / %s / %s", (projectId, kind, name) => {
    const stack = stackName(projectId, kind, name);
    expect(stack).toMatch(/^[A-Za-z][A-Za-z0-9-]{0,127}$/);
    expect(parseStackName(stack)).toEqual({ projectId, kind, name });
  });

  it("escapes user names reversibly and keeps plain ones readable", () => {
    expect(stackName("demo", "user", "alice")).toBe("stackroom-demo-user-alice");
    expect(stackName("demo", "user", "ann.lee")).toBe("stackroom-demo-user-ann-dlee");
    expect(stackName("demo", "user", "a-b")).toBe("stackroom-demo-user-a-hb");
  });

  it.each([
    "my-app-prod",
    "stackroom-demo-bucket",
    "stackroom-Demo-bucket-abc",
    "stackroom-demo-queue-abc",
    "stackroom-demo-bucket-Uploads",
    "stackroom-demo-bucket-ab",
    "stackroom-demo-bucket-a--b",
    "stackroom-demo-user-bad-x",
    "stackroom-demo-user-trailing-",
    "xstackroom-demo-bucket-abc",
  ])("rejects foreign or malformed %s", (name) => {
    expect(parseStackName(name)).toBeNull();
  });

  it("refuses invalid inputs instead of building a name", () => {
    expect(() => stackName("Demo", "bucket", "abc")).toThrow(NamingError);
    expect(() => stackName("demo", "bucket", "Bad_Name")).toThrow(NamingError);
    expect(() => stackName("demo", "user", "has space")).toThrow(NamingError);
  });

  it("names the project's one SFTP server stack without a name part, and reads it back as the resource \"server\"", () => {
    expect(stackName("demo", "sftp")).toBe("stackroom-demo-sftp");
    expect(stackName("demo", "sftp", "server")).toBe("stackroom-demo-sftp");
    expect(parseStackName("stackroom-demo-sftp")).toEqual({ projectId: "demo", kind: "sftp", name: "server" });
    expect(parseStackName("stackroom-demo-user-alice")).toEqual({ projectId: "demo", kind: "user", name: "alice" });
    for (const foreign of ["stackroom-demo-sftp-x", "stackroom-Demo-sftp", "stackroom-demo-sftpx", "stackroom--sftp", "stackroom-demo-sftp-server"]) {
      expect(parseStackName(foreign), foreign).toBeNull();
    }
    expect(() => stackName("Demo", "sftp")).toThrow(NamingError);
    expect(() => stackName("demo", "sftp", "other")).toThrow(NamingError);
  });

  it("refuses a user name whose escaped stack name would exceed 128 characters", () => {
    expect(() => stackName("abcdefghij0123456789", "user", ".".repeat(64))).toThrow(/128/);
  });
});

describe("physicalBucketName", () => {
  const name = "uploads";

  it("is <name>-<8 hex> and deterministic", () => {
    const a = physicalBucketName("demo", "111111111111", "eu-west-1", name);
    expect(a).toMatch(/^uploads-[0-9a-f]{8}$/);
    expect(physicalBucketName("demo", "111111111111", "eu-west-1", name)).toBe(a);
  });

  it("differs across projects, accounts and regions", () => {
    const names = new Set([
      physicalBucketName("demo", "111111111111", "eu-west-1", name),
      physicalBucketName("demo2", "111111111111", "eu-west-1", name),
      physicalBucketName("demo", "222222222222", "eu-west-1", name),
      physicalBucketName("demo", "111111111111", "eu-central-1", name),
    ]);
    expect(names.size).toBe(4);
  });

  it("spreads many projects over distinct suffixes", () => {
    const suffixes = new Set<string>();
    for (let i = 0; i < 5000; i++) suffixes.add(physicalBucketName(`p${i}`, "111111111111", "eu-west-1", name).slice(-8));
    expect(suffixes.size).toBe(5000);
  });

  it("fits S3's 63 characters for the longest bucket name", () => {
    const longest = physicalBucketName("abcdefghij0123456789", "999999999999", "ap-southeast-2", "x".repeat(54));
    expect(longest).toHaveLength(63);
    expect(longest).toMatch(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/);
  });

  it("refuses names that BucketName refuses", () => {
    expect(() => physicalBucketName("demo", "111111111111", "eu-west-1", "x".repeat(55))).toThrow(NamingError);
    expect(() => physicalBucketName("demo", "111111111111", "eu-west-1", "my.bucket")).toThrow(NamingError);
  });
});

describe("the kind table's rows", () => {
  it("know no kind by a name every object has", () => {
    for (const key of ["toString", "constructor", "__proto__", "hasOwnProperty", "valueOf"]) {
      expect(kindFacts(key), key).toBeUndefined();
      expect(parseStackName(`stackroom-demo-${key.toLowerCase()}-x`), key).toBeNull();
    }
  });

  it("refuse a registered kind whose key, list key or stack segment is in use or names another field", () => {
    const row = { ...KINDS.bucket, listKey: "widgets", stack: { ...KINDS.bucket.stack, segment: "widget" } };
    expect(() => registerKind("bucket", row)).toThrow(/registered already/);
    expect(() => registerKind("type", row)).toThrow(/another field/);
    expect(() => registerKind("widget", { ...row, listKey: "members" })).toThrow(/another field/);
    expect(() => registerKind("widget", { ...row, listKey: "buckets" })).toThrow(/bucket's/);
    expect(() => registerKind("widget", { ...row, stack: { ...row.stack, segment: "user" } })).toThrow(/user's/);
    expect(() => registerKind("widget", { ...row, stack: { ...row.stack, segment: "wid-get" } })).toThrow(/lowercase/);
    expect(kindFacts("widget")).toBeUndefined();
  });
});
