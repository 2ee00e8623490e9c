// Proves that local moto (scripts/moto_server.py) applies what AWS applies of an AWS::S3::Bucket that CloudFormation creates or updates: our bucket template's versioning, public-access block, ownership controls and lifecycle rules, read back with S3's Get* calls, and an update that changes them; and a NotificationConfiguration whose SNS topic then receives S3's object events (read from an SQS queue subscribed to the topic), shown in the shape moto writes them.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BucketSpec } from "../../core/contract/bucket";
import { bucketStackTags, bucketTemplate } from "../../core/bucket-template";
import { physicalBucketName, stackName } from "../../core/naming";
import { motoCli } from "../cloudformation-cli";

const endpoint = process.env.STACKROOM_TEST_MOTO_ENDPOINT ?? "";
/** moto's account for the CLI's "test" key. */
const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const PROJECT = "motoprops";
const aws = motoCli(endpoint, REGION);
const workDir = mkdtempSync(join(tmpdir(), "stackroom-moto-bucket-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));
beforeAll(() => {
  expect(endpoint).not.toBe("");
});

const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;

/** Creates or updates a bucket stack from a template and answers the stack's status. */
async function deploy(action: "create-stack" | "update-stack", stack: string, template: string, spec: BucketSpec, name: string): Promise<string> {
  const file = join(workDir, `${stack}-${action}.json`);
  writeFileSync(file, template);
  const tags = bucketStackTags({ projectId: PROJECT, name, spec }).map((t) => `Key=${t.Key},Value=${t.Value}`);
  await aws("cloudformation", action, "--stack-name", stack, "--template-body", `file://${file}`, "--tags", ...tags);
  const { Stacks: [described] } = await aws("cloudformation", "describe-stacks", "--stack-name", stack);
  return described.StackStatus;
}

/** The stack's bucket is gone after DeleteStack. */
async function deleteStack(stack: string, bucket: string): Promise<void> {
  await aws("cloudformation", "delete-stack", "--stack-name", stack);
  const { Buckets } = await aws("s3api", "list-buckets");
  expect(Buckets.map((b: { Name: string }) => b.Name)).not.toContain(bucket);
}

describe("a bucket stack in moto", { timeout: 120_000 }, () => {
  it("applies our template's versioning, public-access block, ownership and lifecycle, and an update changes versioning and expiry", async () => {
    const name = unique("props");
    const bucket = physicalBucketName(PROJECT, ACCOUNT, REGION, name);
    const stack = stackName(PROJECT, "bucket", name);
    const spec: BucketSpec = { versioning: true, encryption: "s3", expireAfterDays: 30 };
    const template = bucketTemplate({ projectId: PROJECT, name, physicalName: bucket, spec });
    expect(await deploy("create-stack", stack, template, spec, name)).toBe("CREATE_COMPLETE");

    const get = (call: string) => aws("s3api", call, "--bucket", bucket);
    const [versioning, publicAccess, ownership, lifecycle, encryption] = await Promise.all(
      ["get-bucket-versioning", "get-public-access-block", "get-bucket-ownership-controls", "get-bucket-lifecycle-configuration", "get-bucket-encryption"].map(get),
    );
    expect(versioning).toEqual({ Status: "Enabled" });
    expect(publicAccess).toEqual({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
    });
    expect(ownership).toEqual({ OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] } });
    const abortRule = { ID: "stackroom-abort-incomplete-uploads", Status: "Enabled", Filter: { Prefix: "" }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } };
    expect(lifecycle.Rules).toEqual([
      abortRule,
      { ID: "stackroom-expire-objects", Status: "Enabled", Filter: { Prefix: "" }, Expiration: { Days: 30 }, NoncurrentVersionExpiration: { NoncurrentDays: 30 } },
    ]);
    expect(encryption.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: "AES256" });

    // Versioning off (S3 suspends it: a bucket is never unversioned again) and no expiry.
    const changed: BucketSpec = { versioning: false, encryption: "s3", expireAfterDays: null };
    expect(await deploy("update-stack", stack, bucketTemplate({ projectId: PROJECT, name, physicalName: bucket, spec: changed }), changed, name)).toBe(
      "UPDATE_COMPLETE",
    );
    const [versioningAfter, lifecycleAfter, publicAccessAfter, ownershipAfter] = await Promise.all(
      ["get-bucket-versioning", "get-bucket-lifecycle-configuration", "get-public-access-block", "get-bucket-ownership-controls"].map(get),
    );
    expect(versioningAfter).toEqual({ Status: "Suspended" });
    expect(lifecycleAfter.Rules).toEqual([abortRule]);
    expect(publicAccessAfter).toEqual(publicAccess);
    expect(ownershipAfter).toEqual(ownership);

    await deleteStack(stack, bucket);
  });
});

/** One SNS delivery as SQS holds it (no raw message delivery). */
interface SnsEnvelope {
  Type: string;
  TopicArn: string;
  Message: string;
  [field: string]: unknown;
}

describe("a bucket stack's NotificationConfiguration in moto", { timeout: 120_000 }, () => {
  it("sends S3's object events to the SNS topic, as moto writes them", async () => {
    const { TopicArn: topicArn } = await aws("sns", "create-topic", "--name", unique("objects"));
    const { QueueUrl: queueUrl } = await aws("sqs", "create-queue", "--queue-name", unique("objects"));
    const { Attributes: { QueueArn: queueArn } } = await aws("sqs", "get-queue-attributes", "--queue-url", queueUrl, "--attribute-names", "QueueArn");
    await aws("sns", "subscribe", "--topic-arn", topicArn, "--protocol", "sqs", "--notification-endpoint", queueArn);
    /** What the topic delivered since the last call (moto delivers before S3 answers). */
    const delivered = async (): Promise<SnsEnvelope[]> => {
      const { Messages = [] } = await aws("sqs", "receive-message", "--queue-url", queueUrl, "--max-number-of-messages", "10", "--wait-time-seconds", "0");
      return Messages.map((m: { Body: string }) => JSON.parse(m.Body) as SnsEnvelope);
    };
    const records = async () => (await delivered()).map((envelope) => JSON.parse(envelope.Message).Records);

    // Our real bucket template (versioned), with a NotificationConfiguration added.
    const name = unique("notify");
    const bucket = physicalBucketName(PROJECT, ACCOUNT, REGION, name);
    const stack = stackName(PROJECT, "bucket", name);
    const spec: BucketSpec = { versioning: true, encryption: "s3", expireAfterDays: null };
    const template = JSON.parse(bucketTemplate({ projectId: PROJECT, name, physicalName: bucket, spec }));
    template.Resources.Bucket.Properties.NotificationConfiguration = {
      TopicConfigurations: [
        { Event: "s3:ObjectCreated:*", Topic: topicArn },
        { Event: "s3:ObjectRemoved:*", Topic: topicArn, Filter: { S3Key: { Rules: [{ Name: "prefix", Value: "incoming/" }] } } },
      ],
    };
    expect(await deploy("create-stack", stack, JSON.stringify(template), spec, name)).toBe("CREATE_COMPLETE");

    const { TopicConfigurations } = await aws("s3api", "get-bucket-notification-configuration", "--bucket", bucket);
    expect(TopicConfigurations).toEqual([
      { Id: expect.any(String), TopicArn: topicArn, Events: ["s3:ObjectCreated:*"] },
      { Id: expect.any(String), TopicArn: topicArn, Events: ["s3:ObjectRemoved:*"], Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "incoming/" }] } } },
    ]);
    const [createdId, removedId] = TopicConfigurations.map((c: { Id: string }) => c.Id);

    // S3 tests a new destination with one s3:TestEvent (AWS sends it too, also without Records).
    const [test, ...more] = await delivered();
    expect(more).toEqual([]);
    expect(test).toMatchObject({ Type: "Notification", TopicArn: topicArn });
    expect(JSON.parse(test!.Message)).toEqual({ Service: "Amazon S3", Event: "s3:TestEvent", Time: expect.any(String), Bucket: bucket });

    const body = join(workDir, "report.csv");
    writeFileSync(body, "a,b\n1,2\n3,4\n");
    const put = await aws("s3api", "put-object", "--bucket", bucket, "--key", "incoming/report 1.csv", "--body", body);
    expect(put.VersionId).toEqual(expect.any(String));
    // moto's record of a PutObject. AWS's also has userIdentity.principalId (who, e.g.
    // "AWS:AIDA…"), requestParameters.sourceIPAddress, responseElements (x-amz-request-id,
    // x-amz-id-2), s3.bucket.ownerIdentity, s3.object.versionId and s3.object.sequencer, and its
    // eventTime is "…T…:…:….123Z"; moto has none of them (toEqual fails on any extra field). moto
    // URL-encodes the key's "/" too (AWS: "incoming/report+1.csv"; both decode to the same key).
    // SNS delivers it without AWS's Subject "Amazon S3 Notification".
    const [putDelivery, ...morePut] = await delivered();
    expect(morePut).toEqual([]);
    expect(putDelivery).toMatchObject({ Type: "Notification", TopicArn: topicArn });
    expect(putDelivery).not.toHaveProperty("Subject");
    expect(JSON.parse(putDelivery!.Message).Records).toEqual([
      {
        eventVersion: "2.1",
        eventSource: "aws:s3",
        awsRegion: REGION,
        eventTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/),
        eventName: "ObjectCreated:Put",
        s3: {
          s3SchemaVersion: "1.0",
          configurationId: createdId,
          bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
          object: { key: "incoming%2Freport+1.csv", size: 12, eTag: put.ETag.replaceAll('"', "") },
        },
      },
    ]);

    // A DeleteObject on the versioned bucket adds a delete marker: ObjectRemoved:DeleteMarkerCreated
    // (sent by the launcher's fix; moto 5.2.1 alone sends nothing), with the marker's version id.
    const removed = await aws("s3api", "delete-object", "--bucket", bucket, "--key", "incoming/report 1.csv");
    expect(removed).toEqual({ DeleteMarker: true, VersionId: expect.any(String) });
    expect(await records()).toEqual([
      [
        expect.objectContaining({
          eventName: "ObjectRemoved:DeleteMarkerCreated",
          s3: expect.objectContaining({ configurationId: removedId, object: { key: "incoming%2Freport+1.csv", versionId: removed.VersionId } }),
        }),
      ],
    ]);

    // The removed-events configuration filters on incoming/: a delete elsewhere is not sent.
    await aws("s3api", "put-object", "--bucket", bucket, "--key", "elsewhere.csv", "--body", body);
    expect((await records()).map((r) => r[0].eventName)).toEqual(["ObjectCreated:Put"]);
    await aws("s3api", "delete-object", "--bucket", bucket, "--key", "elsewhere.csv");
    expect(await records()).toEqual([]);

    // Empty the bucket (every version and marker), then remove the stack.
    const { Versions = [], DeleteMarkers = [] } = await aws("s3api", "list-object-versions", "--bucket", bucket);
    const objects = [...Versions, ...DeleteMarkers].map((v: { Key: string; VersionId: string }) => ({ Key: v.Key, VersionId: v.VersionId }));
    const deleteFile = join(workDir, "delete.json");
    writeFileSync(deleteFile, JSON.stringify({ Objects: objects }));
    await aws("s3api", "delete-objects", "--bucket", bucket, "--delete", `file://${deleteFile}`);
    await deleteStack(stack, bucket);
  });
});
