// Proves S3's event notifications (AWS's documented record, and moto's variant) become the ObjectEvents the Worker takes: keys URL-decoded, times normalised to UTC ISO, created and removed only, the account from the topic, S3's test event recognised, and anything else refused.
import { describe, expect, it } from "vitest";
import { parseS3Message, S3MessageError } from "./s3-event-message";

const TOPIC = "arn:aws:sns:eu-west-1:111111111111:stackroom-demo-events";

/** The record of AWS's documentation (notification-content-structure), with our bucket. */
const awsRecord = (over: Record<string, unknown> = {}) => ({
  eventVersion: "2.1",
  eventSource: "aws:s3",
  awsRegion: "eu-west-1",
  eventTime: "2026-12-07T14:02:03.192Z",
  eventName: "ObjectCreated:Put",
  userIdentity: { principalId: "AWS:AIDAINPONIXQXHT3IKHL2" },
  requestParameters: { sourceIPAddress: "205.255.255.255" },
  responseElements: { "x-amz-request-id": "D82B88E5F771F645", "x-amz-id-2": "vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKlc5aLWGVHPZLj5NeC6qMa0emYBDXOo6QBU0Wo=" },
  s3: {
    s3SchemaVersion: "1.0",
    configurationId: "stackroom-object-created",
    bucket: { name: "acme-data-1a2b3c4d", ownerIdentity: { principalId: "A3I5XTEXAMAI3E" }, arn: "arn:aws:s3:::acme-data-1a2b3c4d" },
    object: { key: "incoming/Q4+report+%2B+notes.pdf", size: 1024, eTag: "d41d8cd98f00b204e9800998ecf8427e", sequencer: "0055AED6DCD90281E5" },
  },
  ...over,
});

describe("parseS3Message", () => {
  it("reads AWS's record: who, what key (decoded), size, when, and an id from the request id and sequencer", () => {
    const parsed = parseS3Message(JSON.stringify({ Records: [awsRecord()] }), "m-1", TOPIC);
    expect(parsed).toEqual({
      kind: "objects",
      skipped: 0,
      events: [
        {
          eventId: "D82B88E5F771F645:0055AED6DCD90281E5:ObjectCreated:Put:incoming/Q4 report + notes.pdf",
          bucket: "acme-data-1a2b3c4d",
          key: "incoming/Q4 report + notes.pdf",
          event: "created",
          size: 1024,
          principalId: "AWS:AIDAINPONIXQXHT3IKHL2",
          sourceIp: "205.255.255.255",
          at: "2026-12-07T14:02:03.192Z",
          sequencer: "0055AED6DCD90281E5",
          account: "111111111111",
        },
      ],
    });
  });

  it("reads moto's record: no zone on the time, '/' encoded, no identity; the SNS message id names the event", () => {
    const moto = { eventVersion: "2.1", eventSource: "aws:s3", awsRegion: "eu-west-1", eventTime: "2026-12-07T14:02:03.123456", eventName: "ObjectRemoved:DeleteMarkerCreated", s3: { bucket: { name: "acme-data-1a2b3c4d", arn: "arn:aws:s3:::acme-data-1a2b3c4d" }, object: { key: "incoming%2Fa.csv", versionId: "v1" } } };
    const parsed = parseS3Message(JSON.stringify({ Records: [moto, moto] }), "m-2", TOPIC);
    expect(parsed.kind === "objects" && parsed.events).toEqual([
      { eventId: "m-2:0", bucket: "acme-data-1a2b3c4d", key: "incoming/a.csv", event: "removed", principalId: "", at: "2026-12-07T14:02:03.123Z", account: "111111111111" },
      { eventId: "m-2:1", bucket: "acme-data-1a2b3c4d", key: "incoming/a.csv", event: "removed", principalId: "", at: "2026-12-07T14:02:03.123Z", account: "111111111111" },
    ]);
  });

  it("skips (and counts) records of events Stackroom does not follow and records that do not parse", () => {
    const parsed = parseS3Message(JSON.stringify({ Records: [awsRecord({ eventName: "ObjectRestore:Completed" }), awsRecord({ eventTime: "yesterday" }), awsRecord()] }), "m-3", TOPIC);
    expect(parsed.kind === "objects" && [parsed.events.length, parsed.skipped]).toEqual([1, 2]);
  });

  it("recognises S3's test event, sent when a bucket's notifications are set up", () => {
    const test = { Service: "Amazon S3", Event: "s3:TestEvent", Time: "2026-12-07T14:00:00.000Z", Bucket: "acme-data-1a2b3c4d", RequestId: "5582815E1AEA5ADF", HostId: "8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE" };
    expect(parseS3Message(JSON.stringify(test), "m-4", TOPIC)).toEqual({ kind: "test" });
  });

  it("refuses what is no S3 notification: not JSON, no Records, records of another service, a topic that is no ARN", () => {
    expect(() => parseS3Message("StackId='arn'", "m", TOPIC)).toThrow(S3MessageError);
    expect(() => parseS3Message(JSON.stringify({ hello: 1 }), "m", TOPIC)).toThrow(/no Records/);
    expect(() => parseS3Message(JSON.stringify({ Records: [{ eventSource: "aws:sqs" }] }), "m", TOPIC)).toThrow(/none of its Records/);
    expect(() => parseS3Message(JSON.stringify({ Records: [awsRecord()] }), "m", "not-an-arn")).toThrow(/not an SNS topic ARN/);
  });
});
