// Proves CloudFormation's `Key='value'` SNS messages (AWS's current and old layouts, moto's) become schema-valid StackEvents, and garbage is refused by name.
import { describe, expect, it } from "vitest";
import { CfnMessageError, parseCloudFormationMessage } from "./cfn-message";

const stackId = "arn:aws:cloudformation:eu-west-1:111111111111:stack/stackroom-demo-bucket-logs/5e0c2a40-1f1b-11f0-9a3e-0a1b2c3d4e5f";

/** AWS's current layout (resource event): every key, trailing newline, JSON properties, console token. */
const awsResourceEvent = [
  `StackId='${stackId}'`,
  "Timestamp='2026-03-02T10:15:30.123Z'",
  "EventId='Bucket-CREATE_COMPLETE-2026-03-02T10:15:30.123Z'",
  "LogicalResourceId='Bucket'",
  "Namespace='111111111111'",
  "PhysicalResourceId='logs-1a2b3c4d'",
  "PrincipalId='AROAEXAMPLEEXAMPLE:stackroom'",
  `ResourceProperties='{"BucketName":"logs-1a2b3c4d","VersioningConfiguration":{"Status":"Enabled"},"Tags":[{"Key":"stackroom:name","Value":"it's=fine"}]}'`,
  "ResourceStatus='CREATE_COMPLETE'",
  "ResourceStatusReason=''",
  "ResourceType='AWS::S3::Bucket'",
  "StackName='stackroom-demo-bucket-logs'",
  "ClientRequestToken='op-7f3a'",
  "",
].join("\n");

/** AWS's current layout (stack event): `null` for absent values. */
const awsStackEvent = [
  `StackId='${stackId}'`,
  "Timestamp='2026-03-02T10:15:31.5Z'",
  "EventId='9d1c6e10-1f1b-11f0-b1c2-0a1b2c3d4e5f'",
  "LogicalResourceId='stackroom-demo-bucket-logs'",
  "Namespace='111111111111'",
  `PhysicalResourceId='${stackId}'`,
  "PrincipalId='AROAEXAMPLEEXAMPLE:stackroom'",
  "ResourceProperties='null'",
  "ResourceStatus='CREATE_COMPLETE'",
  "ResourceStatusReason=''",
  "ResourceType='AWS::CloudFormation::Stack'",
  "StackName='stackroom-demo-bucket-logs'",
  "ClientRequestToken='null'",
  "",
].join("\n");

/** The 2014 layout: other key order, no Namespace, no ClientRequestToken. */
const oldLayout = [
  "StackName='stackroom-demo-bucket-logs'",
  `StackId='${stackId}'`,
  "EventId='Bucket-CREATE_FAILED-1772446530123'",
  "LogicalResourceId='Bucket'",
  "PhysicalResourceId=''",
  "ResourceType='AWS::S3::Bucket'",
  "Timestamp='2026-03-02T10:15:30.123Z'",
  "ResourceStatus='CREATE_FAILED'",
  "ResourceStatusReason='logs-1a2b3c4d already exists'",
  "ResourceProperties='{\"BucketName\":\"logs-1a2b3c4d\"}'",
  "",
].join("\n");

/** Exactly what moto 5.2.1 publishes (captured from its SNS HTTP delivery): `None`, no trailing newline. */
const motoMessage =
  "StackId='arn:aws:cloudformation:eu-west-1:111111111111:stack/stackroom-demo-bucket-a/af586664-f2e5-4fc2-898d-408fc3a6af45'\nTimestamp='2026-11-24T23:55:32.755Z'\nEventId='46488487-f994-4b01-865a-a228c5888fce'\nLogicalResourceId='stackroom-demo-bucket-a'\nNamespace='111111111111'\nResourceProperties='None'\nResourceStatus='CREATE_IN_PROGRESS'\nResourceStatusReason='User Initiated'\nResourceType='AWS::CloudFormation::Stack'\nStackName='stackroom-demo-bucket-a'\nClientRequestToken='None'";

describe("parseCloudFormationMessage", () => {
  it("maps AWS's resource event to camelCase, dropping properties and principal", () => {
    expect(parseCloudFormationMessage(awsResourceEvent)).toEqual({
      stackId,
      stackName: "stackroom-demo-bucket-logs",
      eventId: "Bucket-CREATE_COMPLETE-2026-03-02T10:15:30.123Z",
      logicalResourceId: "Bucket",
      physicalResourceId: "logs-1a2b3c4d",
      resourceType: "AWS::S3::Bucket",
      resourceStatus: "CREATE_COMPLETE",
      timestamp: "2026-03-02T10:15:30.123Z",
      clientRequestToken: "op-7f3a",
      namespace: "111111111111",
    });
  });

  it("treats null and empty as absent", () => {
    const event = parseCloudFormationMessage(awsStackEvent);
    expect(event.resourceStatusReason).toBeUndefined();
    expect(event.clientRequestToken).toBeUndefined();
    expect(event.physicalResourceId).toBe(stackId);
  });

  it("reads the old layout and takes the account from the stack ARN", () => {
    const event = parseCloudFormationMessage(oldLayout);
    expect(event).toMatchObject({ namespace: "111111111111", resourceStatus: "CREATE_FAILED", resourceStatusReason: "logs-1a2b3c4d already exists" });
    expect(event.physicalResourceId).toBeUndefined();
  });

  it("reads moto's message, where None means absent", () => {
    expect(parseCloudFormationMessage(motoMessage)).toEqual({
      stackId: "arn:aws:cloudformation:eu-west-1:111111111111:stack/stackroom-demo-bucket-a/af586664-f2e5-4fc2-898d-408fc3a6af45",
      stackName: "stackroom-demo-bucket-a",
      eventId: "46488487-f994-4b01-865a-a228c5888fce",
      logicalResourceId: "stackroom-demo-bucket-a",
      resourceType: "AWS::CloudFormation::Stack",
      resourceStatus: "CREATE_IN_PROGRESS",
      resourceStatusReason: "User Initiated",
      timestamp: "2026-11-24T23:55:32.755Z",
      namespace: "111111111111",
    });
  });

  it("keeps quotes, `=` and newlines inside a value, even text that looks like a key", () => {
    const reason = "Resource handler returned message: \"Policy 'x=y' invalid\nStackName='evil'\nsee docs\" (Service: S3)'";
    const text = awsResourceEvent.replace("ResourceStatusReason=''", `ResourceStatusReason='${reason}'`);
    expect(parseCloudFormationMessage(text).resourceStatusReason).toBe(reason);
  });

  it("accepts CRLF line ends and shortens an over-long reason instead of dropping the event", () => {
    const text = awsResourceEvent.replace("ResourceStatusReason=''", `ResourceStatusReason='${"x".repeat(5000)}'`).replace(/\n/g, "\r\n");
    expect(parseCloudFormationMessage(text).resourceStatusReason).toHaveLength(4096);
  });

  it.each([
    ["an empty message", "", "does not start"],
    ["JSON", '{"StackId":"x"}', "does not start"],
    ["text before the first key", `hello\n${awsStackEvent}`, "does not start"],
    ["a missing required key", awsStackEvent.replace(/EventId='[^']*'\n/, ""), "no EventId"],
    ["a required key set to None", awsStackEvent.replace("ResourceStatus='CREATE_COMPLETE'", "ResourceStatus='None'"), "no ResourceStatus"],
    ["a duplicate key", `${awsStackEvent}StackName='other'\n`, "appears twice"],
    ["a key smuggled in after a quote in a value", awsStackEvent.replace("ResourceStatusReason=''", "ResourceStatusReason='x'\nStackName='evil'"), "appears twice"],
    ["an unterminated last value", awsStackEvent.replace("ClientRequestToken='null'\n", "ClientRequestToken='null"), "not closed"],
    ["a bad timestamp", awsStackEvent.replace("2026-03-02T10:15:31.5Z", "yesterday"), "timestamp"],
    ["a non-account namespace", awsStackEvent.replace("Namespace='111111111111'", "Namespace='acme'"), "namespace"],
  ])("refuses %s with CfnMessageError", (_name, text, message) => {
    expect(() => parseCloudFormationMessage(text)).toThrow(CfnMessageError);
    expect(() => parseCloudFormationMessage(text)).toThrow(message);
  });
});
