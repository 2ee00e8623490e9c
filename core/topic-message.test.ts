// Proves one message of a project's topic is read as what it is: a CloudFormation stack event, S3's object events, S3's test event, or neither (with the reason), never a throw for what a publisher can send.
import { describe, expect, it } from "vitest";
import { readTopicMessage } from "./topic-message";

const TOPIC = "arn:aws:sns:eu-west-1:111111111111:stackroom-demo-events";
const stack = "stackroom-demo-bucket-a";
const cfn = `StackId='arn:aws:cloudformation:eu-west-1:111111111111:stack/${stack}/af58'\nTimestamp='2026-12-07T14:02:03.192Z'\nEventId='e-1'\nLogicalResourceId='${stack}'\nNamespace='111111111111'\nResourceStatus='CREATE_COMPLETE'\nResourceType='AWS::CloudFormation::Stack'\nStackName='${stack}'`;
const record = { eventSource: "aws:s3", eventTime: "2026-12-07T14:02:03.192Z", eventName: "ObjectCreated:Put", s3: { bucket: { name: "a-1a2b3c4d" }, object: { key: "in/x.csv", size: 3 } } };

describe("readTopicMessage", () => {
  it("tells the four kinds apart", () => {
    expect(readTopicMessage(cfn, "m", TOPIC)).toMatchObject({ kind: "stack", event: { stackName: stack, resourceStatus: "CREATE_COMPLETE" } });
    expect(readTopicMessage(JSON.stringify({ Records: [record] }), "m", TOPIC)).toMatchObject({ kind: "objects", skipped: 0, events: [{ key: "in/x.csv", account: "111111111111" }] });
    expect(readTopicMessage(JSON.stringify({ Service: "Amazon S3", Event: "s3:TestEvent" }), "m", TOPIC)).toEqual({ kind: "test" });
    for (const text of ["hello", "{not json", JSON.stringify({ hello: 1 }), "StackId='x'"]) expect(readTopicMessage(text, "m", TOPIC)).toMatchObject({ kind: "unreadable", reason: expect.any(String) });
  });
});
