// Proves a user spec with SFTP adds a Transfer Family user on the project's server (id from the server stack's export) with the spec's keys, a logical home showing exactly the granted buckets and prefixes, and a role under the project boundary with the user's very grants; that the template stays cfn-lint clean and deterministic, and reads back with its keys.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cfnLint } from "../test/cloudformation-cli";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Permission, UserSpec } from "./contract/user";
import { bucketSuffix, physicalBucketName } from "./naming";
import { homeDirectoryMappings } from "./sftp-user";
import { PolicyTooLargeError, userPolicyDocument } from "./user-policy";
import { readUserSpecFromTemplate, TemplateTooLargeError, userTemplate } from "./user-template";

const base = { projectId: "demo", accountId: "111111111111", region: "eu-west-1" };
const physical = (bucket: string) => physicalBucketName(base.projectId, base.accountId, base.region, bucket);
const suffix = bucketSuffix(base.projectId, base.accountId, base.region);
// Template bodies come from our own generator; parsed here only to inspect them.
const parse = (body: string) => JSON.parse(body);

const workDir = mkdtempSync(join(tmpdir(), "stackroom-sftp-user-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));
const keys: string[] = [];
beforeAll(() => {
  for (let i = 0; i < 10; i++) {
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `key-${i}`, "-f", join(workDir, `k${i}`)]);
    keys.push(readFileSync(join(workDir, `k${i}.pub`), "utf8").trim());
  }
}, 30_000);

const spec = (permissions: Permission[], sshPublicKeys = keys.slice(0, 2), expiresAt: string | null = null): UserSpec => ({ description: null, permissions, expiresAt, sftp: { sshPublicKeys } });
const cases = (): { label: string; name: string; spec: UserSpec }[] => [
  { label: "no-grants", name: "partner", spec: spec([]) },
  { label: "read-only", name: "reader.one", spec: spec([{ bucket: "reports", access: "read" }]) },
  {
    label: "prefixes",
    name: "ann.lee@example.com",
    spec: spec([{ bucket: "uploads", access: "write", prefix: "in/" }, { bucket: "uploads", access: "read", prefix: "out/" }], keys.slice(0, 1), "2030-01-01T00:00:00Z"),
  },
  {
    label: "many",
    name: "vendor_x",
    spec: spec(
      Array.from({ length: 8 }, (_, i) => ({ bucket: `bucket-${i}`, access: (["read", "write", "readwrite"] as const)[i % 3] ?? "read", ...(i % 2 ? { prefix: `p${i}/` } : {}) })),
      keys,
    ),
  },
];
const render = (c: { name: string; spec: UserSpec }) => userTemplate({ ...base, name: c.name, spec: c.spec });

describe("a user template with SFTP", () => {
  it("passes cfn-lint (including informational checks) for every spec", { timeout: 60_000 }, async () => {
    const files = cases().map((c) => {
      const file = join(workDir, `${c.label}.json`);
      writeFileSync(file, render(c));
      return file;
    });
    const result = await cfnLint(files);
    expect(result.stdout).toBe("");
    expect(result.code).toBe(0);
  });

  it("adds a Transfer user on the exported server with the spec's keys and a logical home", () => {
    const c = cases()[2]!;
    const t = parse(render(c));
    expect(Object.keys(t.Resources)).toEqual(["User", "Grants", "SftpRole", "SftpUser"]);
    expect(t.Resources.SftpUser).toEqual({
      Type: "AWS::Transfer::User",
      Properties: {
        ServerId: { "Fn::Select": [1, { "Fn::Split": ["/", { "Fn::ImportValue": "stackroom-demo-sftp-server-arn" }] }] },
        UserName: "ann.lee@example.com",
        Role: { "Fn::GetAtt": ["SftpRole", "Arn"] },
        HomeDirectoryType: "LOGICAL",
        HomeDirectoryMappings: [
          { Entry: "/uploads/in", Target: `/${physical("uploads")}/in` },
          { Entry: "/uploads/out", Target: `/${physical("uploads")}/out` },
        ],
        SshPublicKeys: [keys[0]],
      },
    });
  });

  it("gives Transfer Family of this account a role with the user's very grants, capped by the project boundary", () => {
    for (const c of cases()) {
      const t = parse(render(c));
      const grants = userPolicyDocument(c.spec.permissions, physical, c.spec.expiresAt);
      expect(t.Resources.Grants.Properties.PolicyDocument).toEqual(grants);
      expect(t.Resources.SftpRole).toEqual({
        Type: "AWS::IAM::Role",
        Properties: {
          Path: "/stackroom/demo/",
          Description: expect.stringContaining(c.name),
          PermissionsBoundary: "arn:aws:iam::111111111111:policy/stackroom/demo/stackroom-demo-boundary",
          AssumeRolePolicyDocument: {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "transfer.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": "111111111111" } } }],
          },
          Policies: [{ PolicyName: "stackroom-grants", PolicyDocument: grants }],
        },
      });
    }
  });

  it("leaves SFTP out entirely when the spec has none", () => {
    const t = parse(userTemplate({ ...base, name: "partner", spec: { ...spec([]), sftp: null } }));
    expect(Object.keys(t.Resources)).toEqual(["User", "Grants"]);
    expect(t.Metadata.Stackroom.spec).not.toHaveProperty("sftp");
  });

  it("reads the keys back from Metadata, normalised and in a fixed order", () => {
    const c = cases()[3]!;
    expect(readUserSpecFromTemplate(render(c))?.spec.sftp).toEqual({ sshPublicKeys: keys.toSorted() });
    expect(readUserSpecFromTemplate(render({ ...c, spec: { ...c.spec, sftp: null } }))?.spec.sftp).toBeNull();
  });

  it("is byte-identical whatever the order or spacing of the keys", () => {
    const c = cases()[3]!;
    const shuffled = { ...c.spec, sftp: { sshPublicKeys: keys.toReversed().map((k) => `  ${k.replace(" ", "\t ")}  `) } };
    expect(render({ ...c, spec: shuffled })).toBe(render(c));
  });

  it("refuses SFTP for a name Transfer Family refuses, and a key the contract refuses", () => {
    expect(() => userTemplate({ ...base, name: "a+b", spec: spec([]) })).toThrow(/SFTP needs a user name/);
    expect(() => userTemplate({ ...base, name: "partner", spec: spec([], ["ssh-rsa AAAA"]) })).toThrow(/SSH key 1 is no longer accepted/);
  });

  it("refuses a template over CloudFormation's 51,200 bytes, which only long keys can reach", () => {
    const longest = keys.map((k) => `${k} ${"x".repeat(2048 - k.length - 1)}`);
    expect(longest.every((k) => k.length === 2048)).toBe(true);
    const grants = (n: number) => Array.from({ length: n }, (_, i): Permission => ({ bucket: `b-${i}`, access: "read", prefix: "in/" }));
    const sizes = [0, 4, 8, 10, 12, 14, 16, 20].map((n) => {
      try {
        return render({ name: "partner", spec: spec(grants(n), longest) }).length;
      } catch (err) {
        if (err instanceof PolicyTooLargeError) return "policy";
        return err instanceof TemplateTooLargeError ? "template" : "other";
      }
    });
    expect(sizes).toContain("template");
    expect(sizes).not.toContain("other");
    expect(render({ name: "partner", spec: spec(grants(8), keys) }).length).toBeLessThan(51_200);
  });
});

describe("homeDirectoryMappings", () => {
  it("shows each granted bucket or prefix, folds nested ones into their parent, and maps nothing without grants", () => {
    const permissions: Permission[] = [
      { bucket: "uploads", access: "readwrite" },
      { bucket: "uploads", access: "read", prefix: "in/sub/" },
      { bucket: "archive", access: "read", prefix: "2026/q1/" },
      { bucket: "archive", access: "write", prefix: "2026/q1/drop/" },
      { bucket: "reports", access: "read", prefix: "summary" },
    ];
    expect(homeDirectoryMappings(permissions, physical, suffix)).toEqual([
      { Entry: "/archive/2026/q1", Target: `/${physical("archive")}/2026/q1` },
      { Entry: "/reports/summary", Target: `/${physical("reports")}/summary` },
      { Entry: "/uploads", Target: `/${physical("uploads")}` },
    ]);
    expect(homeDirectoryMappings([], physical, suffix)).toEqual([{ Entry: "/", Target: `/no--access-${suffix}` }]);
  });
});
