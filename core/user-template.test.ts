// Proves every user spec (none, one or many grants, prefixes, expiry, expired) yields a deterministic template that cfn-lint accepts without findings, with the project boundary (by ARN, no policy of its own) and the generated grants (expiry included) wired to the user, and that the spec round-trips through Metadata and tags.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cfnLint } from "../test/cloudformation-cli";
import { afterAll, describe, expect, it } from "vitest";
import { readSpecFromTemplate, TemplateMetadataError } from "./bucket-template";
import type { UserSpec } from "./contract/user";
import { PolicyTooLargeError, userPolicyDocument } from "./user-policy";
import { parseStackName, physicalBucketName } from "./naming";
import { decodeUserSpecTag, readUserSpecFromTemplate, userStackInput, userStackTags, userTemplate, type UserTemplateInput } from "./user-template";

const base = { projectId: "demo", accountId: "111111111111", region: "eu-west-1" };
const physical = (bucket: string) => physicalBucketName(base.projectId, base.accountId, base.region, bucket);

const cases: { label: string; name: string; spec: UserSpec }[] = [
  { label: "empty", name: "alice", spec: { description: null, permissions: [], expiresAt: null } },
  { label: "expired", name: "partner-1", spec: { description: "Access ended", permissions: [], expiresAt: "2026-01-01T00:00:00Z" } },
  { label: "read", name: "ann.lee", spec: { description: null, permissions: [{ bucket: "uploads", access: "read" }], expiresAt: null } },
  { label: "write-prefix", name: "a+b=c,d@e_f", spec: { description: null, permissions: [{ bucket: "uploads", access: "write", prefix: "in/" }], expiresAt: null } },
  {
    label: "many",
    name: "x".repeat(46),
    spec: {
      description: 'Vendor "ACME", {quotes} & more',
      expiresAt: "2027-06-30T18:00:00+02:00",
      permissions: [
        { bucket: "reports", access: "readwrite" },
        { bucket: "uploads", access: "write", prefix: "incoming/2026/" },
        { bucket: "uploads", access: "read", prefix: "out/" },
        { bucket: "archive", access: "read", prefix: "o'brien_(copy)!/" },
        { bucket: "x".repeat(54), access: "readwrite", prefix: "a/" },
      ],
    },
  },
];
const render = (c: { name: string; spec: UserSpec }) => userTemplate({ ...base, name: c.name, spec: c.spec });
// Template bodies come from our own generator; parsed here only to inspect them.
const parse = (body: string) => JSON.parse(body);
const sorted = (spec: UserSpec): UserSpec => ({ ...spec, sftp: spec.sftp ?? null, permissions: spec.permissions.toSorted((a, b) => `${a.bucket} ${a.prefix ?? ""}`.localeCompare(`${b.bucket} ${b.prefix ?? ""}`)) });

const workDir = mkdtempSync(join(tmpdir(), "stackroom-user-template-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe("userTemplate", () => {
  it("passes cfn-lint (including informational checks) for every spec", { timeout: 60_000 }, async () => {
    const files = cases.map((c) => {
      const file = join(workDir, `${c.label}.json`);
      writeFileSync(file, render(c));
      return file;
    });
    const result = await cfnLint(files);
    expect(result.stdout).toBe("");
    expect(result.code).toBe(0);
  });

  it.each(cases)("wires boundary, user and grants for $label", (c) => {
    const t = parse(render(c));
    expect(Object.keys(t.Resources)).toEqual(["User", "Grants"]);
    expect(t.Resources.User).toEqual({
      Type: "AWS::IAM::User",
      Properties: { UserName: c.name, Path: "/stackroom/demo/", PermissionsBoundary: "arn:aws:iam::111111111111:policy/stackroom/demo/stackroom-demo-boundary" },
    });
    expect(t.Resources.Grants).toEqual({
      Type: "AWS::IAM::Policy",
      Properties: { PolicyName: "stackroom-grants", Users: [{ Ref: "User" }], PolicyDocument: userPolicyDocument(c.spec.permissions, physical, c.spec.expiresAt) },
    });
    expect(t.Outputs).toEqual({ UserArn: { Description: "IAM user ARN", Value: { "Fn::GetAtt": ["User", "Arn"] } } });
  });

  it.each(cases)("round-trips the spec of $label through Metadata", (c) => {
    expect(readUserSpecFromTemplate(render(c))).toEqual({ kind: "user", project: "demo", name: c.name, spec: sorted(c.spec), version: 1 });
  });

  it("is byte-identical for equal inputs, whatever the order of grants and keys", () => {
    const many = cases[4]!.spec;
    const reordered: UserSpec = { expiresAt: many.expiresAt, permissions: many.permissions.toReversed().map((p) => ({ ...p })), description: many.description };
    expect(render({ name: "bob", spec: reordered })).toBe(render({ name: "bob", spec: many }));
  });

  it("refuses invalid input and grants beyond IAM's inline-policy limit", () => {
    const spec = cases[2]!.spec;
    const input: UserTemplateInput = { ...base, name: "bob", spec };
    expect(() => userTemplate({ ...input, name: "bad name" })).toThrow();
    expect(() => userTemplate({ ...input, region: "Europe" })).toThrow(/region/);
    expect(() => userTemplate({ ...input, accountId: "12" })).toThrow(/account/);
    const permissions = Array.from({ length: 20 }, (_, i) => ({ bucket: `bucket-number-${i}`, access: "readwrite" as const, prefix: "incoming/" }));
    expect(() => userTemplate({ ...input, spec: { ...spec, permissions } })).toThrow(PolicyTooLargeError);
    // The expiry Deny counts too: the most grants that fit without it no longer fit with it.
    const reads = (n: number) => Array.from({ length: n }, (_, i) => ({ bucket: `b-${i}`, access: "read" as const, prefix: "in/" }));
    const most = Array.from({ length: 30 }, (_, i) => i + 1).filter((n) => {
      try {
        userTemplate({ ...input, spec: { ...spec, permissions: reads(n) } });
        return true;
      } catch {
        return false;
      }
    }).at(-1) ?? 0;
    expect(() => userTemplate({ ...input, spec: { ...spec, permissions: reads(most), expiresAt: "2030-01-01T00:00:00Z" } })).toThrow(PolicyTooLargeError);
  });
});

describe("readUserSpecFromTemplate", () => {
  it.each([
    ["YAML", "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n"],
    ["JSON without Metadata", JSON.stringify({ Resources: {} })],
    ["a bucket template", JSON.stringify({ Metadata: { Stackroom: { kind: "bucket", project: "demo", name: "uploads" } } })],
  ])("answers null for %s", (_, body) => {
    expect(readUserSpecFromTemplate(body)).toBeNull();
  });

  it("throws a typed error when Stackroom user metadata is unreadable, and the bucket reader ignores it", () => {
    const body = parse(render(cases[2]!));
    expect(readSpecFromTemplate(JSON.stringify(body))).toBeNull();
    body.Metadata.Stackroom.spec.permissions[0].access = "admin";
    expect(() => readUserSpecFromTemplate(JSON.stringify(body))).toThrow(TemplateMetadataError);
  });
});

describe("userStackInput", () => {
  it.each(cases)("is a stack healing reads back as user $label, with the IAM capability its named user needs", (c) => {
    const input = userStackInput({ id: base.projectId, accountId: base.accountId, region: base.region }, c.name, c.spec);
    expect(parseStackName(input.stackName)).toEqual({ projectId: "demo", kind: "user", name: c.name });
    expect(readUserSpecFromTemplate(input.templateBody)?.spec).toEqual(sorted(c.spec));
    expect(input.tags).toEqual(userStackTags({ projectId: "demo", name: c.name, spec: c.spec }));
    expect(input.capabilities).toEqual(["CAPABILITY_NAMED_IAM"]);
  });
});

describe("userStackTags", () => {
  it.each(cases)("carries project, kind, name and a spec summary in values AWS accepts for $label", (c) => {
    const tags = userStackTags({ projectId: "demo", name: c.name, spec: c.spec });
    expect(tags.map((t) => t.Key)).toEqual(["stackroom:project", "stackroom:kind", "stackroom:name", "stackroom:spec"]);
    for (const { Value } of tags) {
      // AWS's tag value rule (IAM and S3 reject other characters; stack tags propagate to the user).
      expect(Value).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u);
    }
    expect(tags[2]!.Value).toBe(c.name.replaceAll(",", ":"));
    expect(decodeUserSpecTag(tags[3]!.Value)).toEqual({ grants: c.spec.permissions.length, expiresAt: c.spec.expiresAt });
  });

  it("decodes nothing but its own format", () => {
    expect(decodeUserSpecTag('{"permissions":[]}')).toBeNull();
    expect(decodeUserSpecTag("v1 grants=1 expiresAt=tomorrow")).toBeNull();
  });
});
