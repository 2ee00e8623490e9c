// Proves every bucket spec yields a hardened template that cfn-lint accepts without findings, that round-trips its spec, and that moto can deploy.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cfnLint, motoCli } from "../test/cloudformation-cli";
import { afterAll, describe, expect, it } from "vitest";
import type { BucketSpec } from "./contract/bucket";
import {
  TemplateMetadataError,
  bucketStackInput,
  bucketStackTags,
  bucketTemplate,
  decodeSpecTag,
  encodeSpecTag,
  readSpecFromTemplate,
} from "./bucket-template";
import { parseStackName, physicalBucketName, stackName } from "./naming";
import { clientStackInput } from "./stack-input";

const KMS_KEY = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const TOPIC = "arn:aws:sns:eu-west-1:111111111111:stackroom-demo-events";
const physicalName = physicalBucketName("demo", "111111111111", "eu-west-1", "uploads");

interface Case { label: string; spec: BucketSpec; kmsKeyArn?: string }
const cases: Case[] = [];
for (const versioning of [true, false]) {
  for (const [encryption, kmsKeyArn] of [["s3", undefined], ["kms", KMS_KEY], ["kms", undefined]] as const) {
    for (const expireAfterDays of [null, 1, 3650]) {
      const label = `v-${versioning}_${encryption}-${kmsKeyArn ? "key" : "default"}_exp-${expireAfterDays ?? "none"}`;
      cases.push({ label, spec: { versioning, encryption, expireAfterDays }, ...(kmsKeyArn ? { kmsKeyArn } : {}) });
    }
  }
}
const render = (c: Case) => bucketTemplate({ projectId: "demo", name: "uploads", physicalName, spec: c.spec, kmsKeyArn: c.kmsKeyArn, eventsTopicArn: TOPIC });
// Template bodies come from our own generator; parsed here only to inspect them.
const parse = (body: string) => JSON.parse(body);

const workDir = mkdtempSync(join(tmpdir(), "stackroom-bucket-template-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe("bucketTemplate", () => {
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

  it.each(cases)("hardens $label", (c) => {
    const t = parse(render(c));
    const bucket = t.Resources.Bucket;
    expect(bucket.DeletionPolicy).toBe("Delete");
    expect(bucket.UpdateReplacePolicy).toBe("Retain");
    const p = bucket.Properties;
    expect(p.BucketName).toBe(physicalName);
    expect(p.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
    });
    expect(p.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] });
    expect(p.VersioningConfiguration).toEqual({ Status: c.spec.versioning ? "Enabled" : "Suspended" });
    // Every object created or removed goes to the project's events topic (file activity).
    expect(p.NotificationConfiguration).toEqual({
      TopicConfigurations: [
        { Event: "s3:ObjectCreated:*", Topic: TOPIC },
        { Event: "s3:ObjectRemoved:*", Topic: TOPIC },
      ],
    });

    const [sse] = p.BucketEncryption.ServerSideEncryptionConfiguration;
    if (c.spec.encryption === "s3") {
      expect(sse).toEqual({ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } });
    } else {
      const byDefault = c.kmsKeyArn ? { SSEAlgorithm: "aws:kms", KMSMasterKeyID: c.kmsKeyArn } : { SSEAlgorithm: "aws:kms" };
      expect(sse).toEqual({ ServerSideEncryptionByDefault: byDefault, BucketKeyEnabled: true });
    }

    const rules = p.LifecycleConfiguration.Rules;
    expect(rules[0]).toMatchObject({ Status: "Enabled", AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } });
    if (c.spec.expireAfterDays === null) {
      expect(rules).toHaveLength(1);
    } else {
      expect(rules[1]).toMatchObject({
        Status: "Enabled",
        ExpirationInDays: c.spec.expireAfterDays,
        NoncurrentVersionExpiration: { NoncurrentDays: c.spec.expireAfterDays },
      });
    }

    const policy = t.Resources.BucketPolicy;
    expect(policy.Properties.Bucket).toEqual({ Ref: "Bucket" });
    const conditions = policy.Properties.PolicyDocument.Statement.map((s: Record<string, unknown>) => {
      expect(s).toMatchObject({ Effect: "Deny", Principal: "*", Action: "s3:*" });
      expect(s.Resource).toEqual([{ "Fn::GetAtt": ["Bucket", "Arn"] }, { "Fn::Join": ["", [{ "Fn::GetAtt": ["Bucket", "Arn"] }, "/*"]] }]);
      return s.Condition;
    });
    expect(conditions).toEqual([{ Bool: { "aws:SecureTransport": "false" } }, { NumericLessThan: { "s3:TlsVersion": "1.2" } }]);
    expect(Object.keys(t.Outputs)).toEqual(["BucketName", "BucketArn"]);
  });

  it.each(cases)("round-trips the spec of $label through Metadata and tags", (c) => {
    expect(readSpecFromTemplate(render(c))).toEqual({ kind: "bucket", project: "demo", name: "uploads", spec: c.spec, version: 1 });
    expect(decodeSpecTag(encodeSpecTag(c.spec))).toEqual(c.spec);
  });

  it("is byte-identical for equal inputs, whatever the spec's key order", () => {
    const spec: BucketSpec = { expireAfterDays: 30, encryption: "kms", versioning: true };
    const a = bucketTemplate({ projectId: "demo", name: "uploads", physicalName, spec, eventsTopicArn: TOPIC });
    const b = bucketTemplate({ projectId: "demo", name: "uploads", physicalName, spec: { versioning: true, encryption: "kms", expireAfterDays: 30 }, eventsTopicArn: TOPIC });
    expect(a).toBe(b);
  });

  it("refuses an invalid spec or physical name", () => {
    const spec = { versioning: true, encryption: "s3", expireAfterDays: 0 } as const;
    expect(() => bucketTemplate({ projectId: "demo", name: "uploads", physicalName, spec, eventsTopicArn: TOPIC })).toThrow();
    const ok = { versioning: true, encryption: "s3", expireAfterDays: null } as const;
    expect(() => bucketTemplate({ projectId: "demo", name: "uploads", physicalName: "Bad_Name", spec: ok, eventsTopicArn: TOPIC })).toThrow();
    expect(() => bucketTemplate({ projectId: "demo", name: "uploads", physicalName, spec: ok, kmsKeyArn: "alias/aws/s3", eventsTopicArn: TOPIC })).toThrow(/KMS/);
    expect(() => bucketTemplate({ projectId: "demo", name: "uploads", physicalName, spec: ok, eventsTopicArn: "stackroom-demo-events" })).toThrow(/SNS topic/);
  });
});

describe("readSpecFromTemplate", () => {
  it.each([
    ["YAML", "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n"],
    ["JSON without Metadata", JSON.stringify({ Resources: {} })],
    ["other Metadata", JSON.stringify({ Metadata: { "AWS::CloudFormation::Interface": {} } })],
    ["a user template", JSON.stringify({ Metadata: { Stackroom: { kind: "user", project: "demo", name: "alice" } } })],
  ])("answers null for %s", (_, body) => {
    expect(readSpecFromTemplate(body)).toBeNull();
  });

  it("throws a typed error when Stackroom metadata is unreadable", () => {
    const body = parse(render(cases[0]!));
    body.Metadata.Stackroom.version = 2;
    expect(() => readSpecFromTemplate(JSON.stringify(body))).toThrow(TemplateMetadataError);
  });
});

describe("bucketStackTags", () => {
  it("carries project, kind, name and spec in values AWS accepts", () => {
    const spec: BucketSpec = { versioning: false, encryption: "kms", expireAfterDays: 3650 };
    const tags = bucketStackTags({ projectId: "abcdefghij0123456789", name: "x".repeat(54), spec });
    expect(tags.map((t) => t.Key)).toEqual(["stackroom:project", "stackroom:kind", "stackroom:name", "stackroom:spec"]);
    for (const { Value } of tags) {
      // AWS's tag value rule (S3 rejects other characters; stack tags propagate to the bucket).
      expect(Value).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u);
    }
    expect(decodeSpecTag(tags[3]!.Value)).toEqual(spec);
  });

  it("decodes nothing but its own format", () => {
    expect(decodeSpecTag('{"versioning":true}')).toBeNull();
    expect(decodeSpecTag("v1 versioning=true encryption=s3 expireAfterDays=0")).toBeNull();
  });
});

describe("bucketStackInput", () => {
  const project = { id: "demo", accountId: "111111111111", region: "eu-west-1", topicArn: TOPIC };
  const spec: BucketSpec = { versioning: true, encryption: "s3", expireAfterDays: 30 };

  it("is a stack healing reads back as this bucket: name, spec in template and tags, S3 name, events topic", () => {
    const input = bucketStackInput(project, "uploads", spec);
    expect(parseStackName(input.stackName)).toEqual({ projectId: "demo", kind: "bucket", name: "uploads" });
    expect(readSpecFromTemplate(input.templateBody)?.spec).toEqual(spec);
    const bucket = parse(input.templateBody).Resources.Bucket.Properties;
    expect(bucket.BucketName).toBe(physicalName);
    expect(bucket.NotificationConfiguration.TopicConfigurations.map((t: { Topic: string }) => t.Topic)).toEqual([TOPIC, TOPIC]);
    const tags = clientStackInput(input).tags ?? {};
    expect(Object.keys(tags)).toEqual(["stackroom:project", "stackroom:kind", "stackroom:name", "stackroom:spec"]);
    expect(decodeSpecTag(tags["stackroom:spec"] ?? "")).toEqual(spec);
    expect(input.capabilities).toBeUndefined();
  });

  it("keeps the S3 name the room stored for the bucket", () => {
    const stored = "uploads-0badcafe";
    expect(parse(bucketStackInput(project, "uploads", spec, stored).templateBody).Resources.Bucket.Properties.BucketName).toBe(stored);
  });
});

describe("deployed to moto", () => {
  const endpoint = process.env.STACKROOM_TEST_MOTO_ENDPOINT ?? "";
  const aws = motoCli(endpoint);

  // moto 5.2.1 applies BucketName, BucketEncryption (without BucketKeyEnabled) and the resource's own
  // Tags; scripts/moto_server.py adds versioning, public access block, ownership controls, lifecycle
  // and notifications (test/node/moto-bucket-properties.test.ts reads each back). The bucket policy
  // and stack-tag propagation are still not applied.
  it("creates the stack and applies what moto supports", { timeout: 120_000 }, async () => {
    expect(endpoint).not.toBe("");
    const name = `tpl-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const bucket = physicalBucketName("motocheck", "123456789012", "eu-west-1", name);
    const spec: BucketSpec = { versioning: true, encryption: "kms", expireAfterDays: 30 };
    const file = join(workDir, `${name}.json`);
    writeFileSync(file, bucketTemplate({ projectId: "motocheck", name, physicalName: bucket, spec, kmsKeyArn: KMS_KEY, eventsTopicArn: "arn:aws:sns:eu-west-1:123456789012:stackroom-motocheck-events" }));
    const stack = stackName("motocheck", "bucket", name);
    const tags = bucketStackTags({ projectId: "motocheck", name, spec }).map((t) => `Key=${t.Key},Value=${t.Value}`);
    await aws("cloudformation", "create-stack", "--stack-name", stack, "--template-body", `file://${file}`, "--tags", ...tags);

    const [{ Stacks: [described] }, { TemplateBody }, encryption, versioning, publicAccess] = await Promise.all([
      aws("cloudformation", "describe-stacks", "--stack-name", stack),
      aws("cloudformation", "get-template", "--stack-name", stack),
      aws("s3api", "get-bucket-encryption", "--bucket", bucket),
      aws("s3api", "get-bucket-versioning", "--bucket", bucket),
      aws("s3api", "get-public-access-block", "--bucket", bucket),
    ]);
    expect(described.StackStatus).toBe("CREATE_COMPLETE");
    const outputs = Object.fromEntries(described.Outputs.map((o: { OutputKey: string; OutputValue: string }) => [o.OutputKey, o.OutputValue]));
    expect(outputs).toEqual({ BucketName: bucket, BucketArn: `arn:aws:s3:::${bucket}` });
    const body = typeof TemplateBody === "string" ? TemplateBody : JSON.stringify(TemplateBody);
    expect(readSpecFromTemplate(body)?.spec).toEqual(spec);
    expect(encryption.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault).toEqual({
      SSEAlgorithm: "aws:kms", KMSMasterKeyID: KMS_KEY,
    });
    expect(versioning.Status).toBe("Enabled");
    expect(Object.values(publicAccess.PublicAccessBlockConfiguration)).toEqual([true, true, true, true]);

    await aws("cloudformation", "delete-stack", "--stack-name", stack);
    const { Buckets } = await aws("s3api", "list-buckets");
    expect(Buckets.map((b: { Name: string }) => b.Name)).not.toContain(bucket);
  });
});
