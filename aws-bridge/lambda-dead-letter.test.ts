// Proves the DLQ message the local adapter writes is Lambda's: the SNS event unchanged as the body (the handler's own schema reads it), RequestID/ErrorCode/ErrorMessage attributes, the message cut at 1 KB without splitting a character.
import { describe, expect, it } from "vitest";
import { SnsLambdaEvent } from "./handler";
import { ERROR_MESSAGE_MAX_BYTES, lambdaDeadLetter, lambdaSnsEvent } from "./lambda-dead-letter";

const topicArn = "arn:aws:sns:eu-west-1:111111111111:stackroom-demo-events";
const notification = {
  Type: "Notification" as const,
  MessageId: "5f0c2d7e-1b1e-4c4f-9a55-0d1e2f3a4b5c",
  TopicArn: topicArn,
  Subject: "AWS CloudFormation Notification",
  Message: "StackId='arn:aws:cloudformation:eu-west-1:111111111111:stack/stackroom-demo-bucket-a/af58'\nResourceStatus='CREATE_COMPLETE'",
  Timestamp: "2026-11-24T23:55:32.800Z",
  SignatureVersion: "1" as const,
  Signature: "c2lnbmF0dXJl",
  SigningCertURL: "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000.pem",
  UnsubscribeURL: `https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${topicArn}:0a1b2c3d`,
};

describe("lambdaSnsEvent", () => {
  it("is SNS's Lambda event for the notification, which the handler reads", () => {
    const event = lambdaSnsEvent(notification);
    expect(event.Records[0]).toMatchObject({
      EventSource: "aws:sns",
      EventSubscriptionArn: `${topicArn}:0a1b2c3d`,
      Sns: { Type: "Notification", SigningCertUrl: notification.SigningCertURL, UnsubscribeUrl: notification.UnsubscribeURL, Subject: notification.Subject },
    });
    expect(SnsLambdaEvent.parse(event).Records).toEqual([{ EventSource: "aws:sns", Sns: { MessageId: notification.MessageId, TopicArn: topicArn, Message: notification.Message } }]);
  });

  it("has a null Subject and the topic as subscription when SNS sent neither", () => {
    const { Subject: _, UnsubscribeURL: __, ...bare } = notification;
    expect(lambdaSnsEvent(bare).Records[0]).toMatchObject({ EventSubscriptionArn: topicArn, Sns: { Subject: null, UnsubscribeUrl: "" } });
  });
});

describe("lambdaDeadLetter", () => {
  it("keeps the event as the body and says why in the attributes", () => {
    const event = lambdaSnsEvent(notification);
    const letter = lambdaDeadLetter(event, new Error("The webhook refused the batch (HTTP 401): bad signature"), "8d3c7a8e-0000-4000-8000-000000000001");
    expect(JSON.parse(letter.body)).toEqual(event);
    expect(letter.attributes).toEqual({
      RequestID: { type: "String", value: "8d3c7a8e-0000-4000-8000-000000000001" },
      ErrorCode: { type: "Number", value: "200" },
      ErrorMessage: { type: "String", value: "The webhook refused the batch (HTTP 401): bad signature" },
    });
  });

  it("cuts the error message at 1 KB of UTF-8, never inside a character", () => {
    const long = `${"a".repeat(ERROR_MESSAGE_MAX_BYTES - 1)}é and more`;
    const { value } = lambdaDeadLetter({}, new Error(long), "r").attributes.ErrorMessage ?? { value: "" };
    expect(value).toBe("a".repeat(ERROR_MESSAGE_MAX_BYTES - 1));
    expect(lambdaDeadLetter({}, new Error(""), "r").attributes.ErrorMessage?.value).toBe("Error");
  });
});
