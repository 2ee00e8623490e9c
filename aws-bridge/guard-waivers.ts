/**
 * Control Tower proactive controls (cfn-guard rules of @cdklabs/cdk-validator-cfnguard) that
 * Stackroom's templates fail on purpose. Reviewed list: each entry names the control, the logical
 * resource and the templates it applies to, and says why. control-tower.test.ts fails on a
 * finding without a waiver here, and on a waiver that no longer matches a finding.
 */
import type { ResourceKind } from "../core/contract";

/** bridge: aws-bridge/template.yaml; a kind of the kind table (bucket / user / sftp): its generated templates. */
export type TemplateFamily = "bridge" | ResourceKind;

interface GuardWaiver {
  control: string;
  family: TemplateFamily;
  resource: string;
  /** The template variants (control-tower.test.ts) it applies to; absent: every variant of the family. */
  variants?: readonly string[];
  reason: string;
}

export const GUARD_WAIVERS: readonly GuardWaiver[] = [
  {
    control: "CT.LAMBDA.PR.3",
    family: "bridge",
    resource: "BridgeFunction",
    reason:
      "The bridge reaches nothing inside a VPC: it reads one secret and POSTs to the Worker on the internet. In a VPC it would need a NAT gateway (cost, one more failure point) for no isolation gained.",
  },
  {
    control: "CT.SQS.PR.1",
    family: "bridge",
    resource: "DeadLetterQueue",
    reason: "It is the dead-letter queue: nothing consumes it, so no message can fail there and need a queue of its own.",
  },
  {
    control: "CT.CLOUDWATCH.PR.3",
    family: "bridge",
    resource: "BridgeLogGroup",
    reason:
      "CloudWatch Logs encrypts every log group at rest already; the bridge logs stack names and delivery outcomes, never the webhook secret or an access key. A customer-managed key would add a key-policy dependency to the bridge deployment for no secret to protect.",
  },
  {
    control: "CT.S3.PR.2",
    family: "bucket",
    resource: "Bucket",
    reason:
      "Server access logging needs a log bucket per project that Stackroom does not create yet (and that must not be a managed bucket itself); CloudTrail S3 data events in the project account are the audit trail. Follow-up, not an oversight.",
  },
  {
    control: "CT.S3.PR.9",
    family: "bucket",
    resource: "Bucket",
    reason:
      "Object Lock would make managers' deletions and the optional expiry rule impossible for the lock period; versioning (default on) is the undo, and no grant can delete an object version.",
  },
  {
    control: "CT.S3.PR.10",
    family: "bucket",
    resource: "Bucket",
    variants: ["bucket s3 versioned", "bucket s3 unversioned expiring"],
    reason: "The manager chose SSE-S3 (spec encryption \"s3\"); the bucket is still encrypted at rest, and \"kms\" gives what this control asks for.",
  },
  {
    control: "CT.S3.PR.11",
    family: "bucket",
    resource: "Bucket",
    variants: ["bucket s3 unversioned expiring", "bucket kms (aws/s3) unversioned"],
    reason: "The manager switched versioning off (spec versioning false; default on), e.g. for scratch data that should not be kept twice.",
  },
  {
    control: "CT.CLOUDWATCH.PR.3",
    family: "sftp",
    resource: "LogGroup",
    reason:
      "CloudWatch Logs encrypts every log group at rest already; the SFTP session logs hold user names, source addresses and file paths, never file contents or keys. A customer-managed key would need the execution role to create and administer KMS keys (kms:CreateKey, kms:PutKeyPolicy), a wider power than the logs it would protect. Follow-up: a project key created by the bridge stack, as for the events topic.",
  },
  {
    control: "CT.IAM.PR.4",
    family: "user",
    resource: "Grants",
    reason:
      "A managed user's access is exactly its generated inline policy (per-user buckets and prefixes, expiry Deny), capped by the project boundary. Groups would share grants between users that must not share them; there is no attached managed policy.",
  },
];
