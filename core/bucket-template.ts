import * as z from "zod";
import { readStackroomMetadata, TEMPLATE_VERSION, type StackTag } from "./template-metadata";
import { BucketName, BucketSpec } from "./contract/bucket";
import { ProjectId, type ProjectRecord } from "./contract/project";
import { physicalBucketName, stackName, TAG_KEYS, TAG_VALUE_MAX } from "./naming";
import type { ResourceStackInput } from "./stack-input";

interface BucketTemplateInput {
  projectId: string;
  name: string;
  /** From physicalBucketName(). */
  physicalName: string;
  spec: BucketSpec;
  /** The project's KMS key; used when spec.encryption is "kms". Absent: the AWS managed aws/s3 key. */
  kmsKeyArn?: string;
  /** The project's events topic (the project record's topicArn): where the bucket sends its object events. */
  eventsTopicArn: string;
}

/** S3's own rule for the physical name (3-63 chars); dots excluded as in BucketName. */
const PHYSICAL_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** An SNS topic ARN. */
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/;

/** A KMS key or alias ARN (KMSMasterKeyID also takes bare ids, which we never pass). */
const KMS_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[\w/-]+$/;

/** Incomplete multipart uploads are invisible in listings but billed forever; drop them after a week. */
const ABORT_INCOMPLETE_UPLOAD_DAYS = 7;

/** Copies the spec in a fixed key order, so equal specs always give byte-equal templates. */
function canonicalSpec(spec: BucketSpec): BucketSpec {
  const parsed = BucketSpec.parse(spec);
  return { versioning: parsed.versioning, encryption: parsed.encryption, expireAfterDays: parsed.expireAfterDays };
}

/** Template values may not be null (cfn-lint E4002), so "no expiry" is written as an absent key. */
function metadataSpec(spec: BucketSpec) {
  const { expireAfterDays, ...rest } = spec;
  return expireAfterDays === null ? rest : { ...rest, expireAfterDays };
}

function encryptionRule(spec: BucketSpec, kmsKeyArn: string | undefined) {
  if (spec.encryption === "s3") return { ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } };
  // Without KMSMasterKeyID S3 uses the AWS managed key alias/aws/s3. The S3 Bucket Key cuts KMS
  // requests (cost, and KMS request-rate throttling) by up to 99% for busy buckets.
  const byDefault = kmsKeyArn ? { SSEAlgorithm: "aws:kms", KMSMasterKeyID: kmsKeyArn } : { SSEAlgorithm: "aws:kms" };
  return { ServerSideEncryptionByDefault: byDefault, BucketKeyEnabled: true };
}

/**
 * Always abort stale multipart uploads. With an expiry, also expire noncurrent versions after the
 * same number of days: on a versioned bucket, expiring the current version only adds a delete
 * marker, so without this rule "expire after N days" would keep (and bill) every byte forever.
 * Without an expiry, old versions are kept: they are the manager's undo.
 */
function lifecycleRules(spec: BucketSpec) {
  const rules: object[] = [
    {
      Id: "stackroom-abort-incomplete-uploads",
      Status: "Enabled",
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: ABORT_INCOMPLETE_UPLOAD_DAYS },
    },
  ];
  if (spec.expireAfterDays !== null) {
    rules.push({
      Id: "stackroom-expire-objects",
      Status: "Enabled",
      ExpirationInDays: spec.expireAfterDays,
      NoncurrentVersionExpiration: { NoncurrentDays: spec.expireAfterDays },
    });
  }
  return rules;
}

/**
 * The objects are `Fn::Join` rather than `Fn::Sub "${Bucket.Arn}/*"` (same ARN): the Control Tower
 * rule CT.S3.PR.8 recognises a TLS-only statement only in that form, and a control that checks
 * beats a waiver. cfn-lint's informational I1022 (prefer Sub) is silenced for this resource.
 */
function bucketPolicyDocument() {
  const bucketArn = { "Fn::GetAtt": ["Bucket", "Arn"] };
  const resources = [bucketArn, { "Fn::Join": ["", [bucketArn, "/*"]] }];
  const deny = (sid: string, condition: object) => ({
    Sid: sid,
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: resources,
    Condition: condition,
  });
  return {
    Version: "2012-10-17",
    Statement: [
      deny("DenyInsecureTransport", { Bool: { "aws:SecureTransport": "false" } }),
      deny("DenyTlsBelow12", { NumericLessThan: { "s3:TlsVersion": "1.2" } }),
    ],
  };
}

/** The CloudFormation template (JSON) of one hardened bucket; deterministic for equal inputs. */
export function bucketTemplate(input: BucketTemplateInput): string {
  const projectId = ProjectId.parse(input.projectId);
  const name = BucketName.parse(input.name);
  const spec = canonicalSpec(input.spec);
  if (!PHYSICAL_NAME.test(input.physicalName)) throw new Error(`Invalid S3 bucket name: ${input.physicalName}`);
  if (input.kmsKeyArn !== undefined && !KMS_ARN.test(input.kmsKeyArn)) throw new Error(`Invalid KMS key ARN: ${input.kmsKeyArn}`);
  if (!TOPIC_ARN.test(input.eventsTopicArn)) throw new Error(`Invalid SNS topic ARN: ${input.eventsTopicArn}`);
  const template = {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: `Stackroom bucket ${name} of project ${projectId}. Managed by Stackroom; do not edit by hand.`,
    // The spec lives here so a lost cache can be rebuilt from GetTemplate alone.
    Metadata: { Stackroom: { kind: "bucket", project: projectId, name, spec: metadataSpec(spec), version: TEMPLATE_VERSION } },
    Resources: {
      Bucket: {
        Type: "AWS::S3::Bucket",
        // Deleting the stack deletes the bucket only when it is empty: S3 refuses to delete a
        // non-empty bucket, so CloudFormation ends in DELETE_FAILED (and the Worker checks
        // emptiness before it even calls DeleteStack). A replacement, which an update could
        // cause, keeps the old bucket and its data (Retain) instead of destroying it.
        DeletionPolicy: "Delete",
        UpdateReplacePolicy: "Retain",
        Properties: {
          BucketName: input.physicalName,
          BucketEncryption: { ServerSideEncryptionConfiguration: [encryptionRule(spec, input.kmsKeyArn)] },
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
          OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] },
          VersioningConfiguration: { Status: spec.versioning ? "Enabled" : "Suspended" },
          LifecycleConfiguration: { Rules: lifecycleRules(spec) },
          // Every object created or removed is told to the project's events topic, which the
          // bridge forwards to the project's room (file activity). The topic's policy lets S3
          // publish for this account's project buckets only (aws-bridge/template.yaml).
          NotificationConfiguration: {
            TopicConfigurations: [
              { Event: "s3:ObjectCreated:*", Topic: input.eventsTopicArn },
              { Event: "s3:ObjectRemoved:*", Topic: input.eventsTopicArn },
            ],
          },
        },
      },
      BucketPolicy: {
        Type: "AWS::S3::BucketPolicy",
        Metadata: { "cfn-lint": { config: { ignore_checks: ["I1022"] } } },
        // Retain: on stack deletion CloudFormation deletes dependents first, so with Delete a
        // non-empty bucket would survive DELETE_FAILED without its TLS-only policy. Retained, the
        // policy disappears with the bucket when the bucket is actually deleted.
        DeletionPolicy: "Retain",
        UpdateReplacePolicy: "Retain",
        Properties: { Bucket: { Ref: "Bucket" }, PolicyDocument: bucketPolicyDocument() },
      },
    },
    Outputs: {
      BucketName: { Description: "S3 bucket name", Value: { Ref: "Bucket" } },
      BucketArn: { Description: "S3 bucket ARN", Value: { "Fn::GetAtt": ["Bucket", "Arn"] } },
    },
  };
  return JSON.stringify(template, null, 2);
}

/**
 * The spec as a tag value. Not JSON: AWS tag values allow only letters, digits, spaces and
 * `_ . : / = + - @` (stack tags are propagated to the bucket, and `{",}` would be refused).
 */
export function encodeSpecTag(spec: BucketSpec): string {
  const s = canonicalSpec(spec);
  return `v${TEMPLATE_VERSION} versioning=${s.versioning} encryption=${s.encryption} expireAfterDays=${s.expireAfterDays ?? "none"}`;
}

/** Inverse of encodeSpecTag; null for anything else. */
export function decodeSpecTag(value: string): BucketSpec | null {
  const m = /^v1 versioning=(true|false) encryption=(s3|kms) expireAfterDays=(none|\d{1,4})$/.exec(value);
  if (!m) return null;
  const parsed = BucketSpec.safeParse({
    versioning: m[1] === "true",
    encryption: m[2],
    expireAfterDays: m[3] === "none" ? null : Number(m[3]),
  });
  return parsed.success ? parsed.data : null;
}

/** Stack tags of a bucket stack; throws if a value would exceed AWS's 256 characters. */
export function bucketStackTags(input: { projectId: string; name: string; spec: BucketSpec }): StackTag[] {
  const tags = [
    { Key: TAG_KEYS.project, Value: ProjectId.parse(input.projectId) },
    { Key: TAG_KEYS.kind, Value: "bucket" },
    { Key: TAG_KEYS.name, Value: BucketName.parse(input.name) },
    { Key: TAG_KEYS.spec, Value: encodeSpecTag(input.spec) },
  ];
  for (const tag of tags) {
    if (tag.Value.length > TAG_VALUE_MAX) throw new Error(`Tag ${tag.Key} exceeds ${TAG_VALUE_MAX} characters.`);
  }
  return tags;
}

/**
 * A bucket's stack as Stackroom creates and updates it: stack name, template and tags.
 * `physicalName` is the S3 name the room stored for the bucket; a new bucket's is physicalBucketName()'s.
 */
export function bucketStackInput(
  project: Pick<ProjectRecord, "id" | "accountId" | "region" | "topicArn">,
  name: string,
  spec: BucketSpec,
  physicalName = physicalBucketName(project.id, project.accountId, project.region, name),
): ResourceStackInput {
  return {
    stackName: stackName(project.id, "bucket", name),
    templateBody: bucketTemplate({ projectId: project.id, name, physicalName, spec, eventsTopicArn: project.topicArn }),
    tags: bucketStackTags({ projectId: project.id, name, spec }),
  };
}

export { TemplateMetadataError } from "./template-metadata";

const StackroomMetadata = z.object({
  kind: z.literal("bucket"),
  project: ProjectId,
  name: BucketName,
  spec: BucketSpec.extend({ expireAfterDays: BucketSpec.shape.expireAfterDays.optional() }).transform(
    (s): BucketSpec => ({ versioning: s.versioning, encryption: s.encryption, expireAfterDays: s.expireAfterDays ?? null }),
  ),
  version: z.literal(TEMPLATE_VERSION),
});
type BucketTemplateMetadata = z.infer<typeof StackroomMetadata>;

/**
 * Reads the spec back from a template body (GetTemplate). null: not a Stackroom bucket template
 * (not JSON, or no `Metadata.Stackroom`). Throws TemplateMetadataError when the Stackroom metadata
 * is there but unreadable (hand-edited, or written by a newer Stackroom).
 */
export function readSpecFromTemplate(templateBody: string): BucketTemplateMetadata | null {
  return readStackroomMetadata(templateBody, "bucket", StackroomMetadata);
}
