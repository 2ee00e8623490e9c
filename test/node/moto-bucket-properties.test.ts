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
/** The project events topic a bucket template names (the notifications test below makes its own topic). */
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:stackroom-${PROJECT}-events`;
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
    const template = bucketTemplate({ projectId: PROJECT, name, physicalName: bucket, spec, eventsTopicArn: TOPIC });
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
    expect(await deploy("update-stack", stack, bucketTemplate({ projectId: PROJECT, name, physicalName: bucket, spec: changed, eventsTopicArn: TOPIC }), changed, name)).toBe(
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

    // Our real bucket template (versioned), its NotificationConfiguration pointed at a topic this
    // test reads, with a prefix filter on removals.
    const name = unique("notify");
    const bucket = physicalBucketName(PROJECT, ACCOUNT, REGION, name);
    const stack = stackName(PROJECT, "bucket", name);
    const spec: BucketSpec = { versioning: true, encryption: "s3", expireAfterDays: null };
    const template = JSON.parse(bucketTemplate({ projectId: PROJECT, name, physicalName: bucket, spec, eventsTopicArn: TOPIC }));
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

    // An IAM user's upload, signed with its own key: the record names the user by its UserId.
    const partnerName = unique("partner");
    await aws("iam", "create-user", "--user-name", partnerName);
    const { User: partner } = await aws("iam", "get-user", "--user-name", partnerName);
    const { AccessKey: key } = await aws("iam", "create-access-key", "--user-name", partnerName);
    const asPartner = motoCli(endpoint, REGION, { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey });
    const body = join(workDir, "report.csv");
    writeFileSync(body, "a,b\n1,2\n3,4\n");
    const put = await asPartner("s3api", "put-object", "--bucket", bucket, "--key", "incoming/report 1.csv", "--body", body);
    expect(put.VersionId).toEqual(expect.any(String));
    // The launcher writes the record as AWS does (scripts/moto_server.py, fix 4): who, from where,
    // S3's request ids, the sequencer, the version, the time in UTC with "Z", "/" left in the key.
    // SNS delivers it without AWS's Subject "Amazon S3 Notification".
    const [putDelivery, ...morePut] = await delivered();
    expect(morePut).toEqual([]);
    expect(putDelivery).toMatchObject({ Type: "Notification", TopicArn: topicArn });
    expect(putDelivery).not.toHaveProperty("Subject");
    const [putRecord] = JSON.parse(putDelivery!.Message).Records;
    expect(putRecord).toEqual({
      eventVersion: "2.1",
      eventSource: "aws:s3",
      awsRegion: REGION,
      eventTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      eventName: "ObjectCreated:Put",
      userIdentity: { principalId: `AWS:${partner.UserId}` },
      requestParameters: { sourceIPAddress: expect.stringMatching(/^[\d.:a-f]+$/) },
      responseElements: { "x-amz-request-id": expect.stringMatching(/^[0-9A-F]{16}$/), "x-amz-id-2": expect.any(String) },
      s3: {
        s3SchemaVersion: "1.0",
        configurationId: createdId,
        bucket: { name: bucket, ownerIdentity: { principalId: expect.any(String) }, arn: `arn:aws:s3:::${bucket}` },
        object: { key: "incoming/report+1.csv", size: 12, eTag: put.ETag.replaceAll('"', ""), versionId: put.VersionId, sequencer: expect.stringMatching(/^[0-9A-F]{18}$/) },
      },
    });

    // A role session's (how SFTP users reach S3): `AWS:<RoleId>:<session>`.
    const { Role: role } = await aws("iam", "create-role", "--role-name", unique("sftp-role"), "--assume-role-policy-document", JSON.stringify({ Version: "2012-10-17", Statement: [] }));
    const { Credentials: session } = await aws("sts", "assume-role", "--role-arn", role.Arn, "--role-session-name", partnerName);
    const asSession = motoCli(endpoint, REGION, { accessKeyId: session.AccessKeyId, secretAccessKey: session.SecretAccessKey, sessionToken: session.SessionToken });
    await asSession("s3api", "put-object", "--bucket", bucket, "--key", "incoming/over-sftp.csv", "--body", body);
    const [sessionRecord] = (await records())[0];
    expect(sessionRecord.userIdentity).toEqual({ principalId: `AWS:${role.RoleId}:${partnerName}` });
    expect(role.RoleId).toMatch(/^AROA/);
    expect(BigInt(`0x${sessionRecord.s3.object.sequencer}`)).toBeGreaterThan(BigInt(`0x${putRecord.s3.object.sequencer}`));

    // A DeleteObject on the versioned bucket adds a delete marker: ObjectRemoved:DeleteMarkerCreated
    // (sent by the launcher's fix; moto 5.2.1 alone sends nothing), with the marker's version id.
    const removed = await asPartner("s3api", "delete-object", "--bucket", bucket, "--key", "incoming/report 1.csv");
    expect(removed).toEqual({ DeleteMarker: true, VersionId: expect.any(String) });
    expect(await records()).toEqual([
      [
        expect.objectContaining({
          eventName: "ObjectRemoved:DeleteMarkerCreated",
          userIdentity: { principalId: `AWS:${partner.UserId}` },
          s3: expect.objectContaining({ configurationId: removedId, object: { key: "incoming/report+1.csv", versionId: removed.VersionId, sequencer: expect.any(String) } }),
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
