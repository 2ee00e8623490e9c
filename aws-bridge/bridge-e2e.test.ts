// Proves the whole local event path: a stack created in moto through the manager role reaches a real HTTP "Worker" as signed, schema-valid StackEvents via SNS and the local adapter.
import { randomBytes, randomInt, randomUUID } from "node:crypto";
import { afterEach, expect, it } from "vitest";
import * as z from "zod";
import { queryClient } from "../core/aws";
import { verifySignature } from "../core/webhook-signature";
import { startLocalAdapter } from "./local-adapter";
import { bootstrapProjectAccount } from "./local-bootstrap";
import { startWebhookReceiver } from "../test/aws-bridge/webhook-receiver";

const moto = process.env.STACKROOM_TEST_MOTO_ENDPOINT ?? "";
const region = "eu-west-1";
const secrets = ["e2e-secret"];
const open: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.stop()));
});

// moto loads its CloudFormation backend on first use: several seconds on a 2-core machine.
it("delivers CREATE and DELETE events of a moto stack, signed, to the Worker", { timeout: 60_000 }, async () => {
  const projectId = `e${randomBytes(5).toString("hex")}`;
  const accountId = String(randomInt(100_000_000_000, 999_999_999_999));
  const worker = await startWebhookReceiver({ secrets });
  open.push(worker);
  const adapter = await startLocalAdapter({ port: 0, webhookUrl: worker.url, secrets, motoEndpoint: moto, region, log: () => {} });
  open.push(adapter);
  const account = await bootstrapProjectAccount({ motoEndpoint: moto, accountId, region, projectId, adapterUrl: adapter.url });

  // As the Worker does: assume the manager role, then run the stack through the execution role.
  const sts = queryClient("sts", { endpoint: moto, region, credentials: { accessKeyId: "AKIAHUBTEST000000000", secretAccessKey: "hub" } });
  const { Credentials: c } = await sts(
    "AssumeRole",
    { RoleArn: account.managerRoleArn, RoleSessionName: "stackroom-worker", ExternalId: `stackroom-${projectId}` },
    z.object({ Credentials: z.object({ AccessKeyId: z.string(), SecretAccessKey: z.string(), SessionToken: z.string() }) }),
  );
  const cfn = queryClient("cloudformation", {
    endpoint: moto,
    region,
    credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken },
  });
  const stackName = `stackroom-${projectId}-bucket-logs`;
  const operationId = randomUUID();
  const { StackId } = await cfn(
    "CreateStack",
    {
      StackName: stackName,
      TemplateBody: JSON.stringify({ Resources: { Topic: { Type: "AWS::SNS::Topic" } } }),
      "NotificationARNs.member.1": account.topicArn,
      RoleARN: account.executionRoleArn,
      ClientRequestToken: operationId,
    },
    z.object({ StackId: z.string() }),
  );
  // moto publishes inside CreateStack, so the events may already be here; wait either way.
  await worker.waitForEvents((events) => events.some((e) => e.resourceStatus === "CREATE_COMPLETE"));
  await cfn("DeleteStack", { StackName: stackName, RoleARN: account.executionRoleArn }, z.unknown());
  const events = await worker.waitForEvents((all) => all.some((e) => e.resourceStatus === "DELETE_COMPLETE"));

  expect(events.map((e) => e.resourceStatus)).toEqual(["CREATE_IN_PROGRESS", "CREATE_COMPLETE", "DELETE_IN_PROGRESS", "DELETE_COMPLETE"]);
  for (const event of events) {
    expect(event).toMatchObject({ stackId: StackId, stackName, namespace: accountId, resourceType: "AWS::CloudFormation::Stack", logicalResourceId: stackName });
  }
  // What arrived is what CloudFormation itself recorded: the same events, ids and times as
  // DescribeStackEvents (the parser and the adapter lose or invent nothing).
  const recorded = await cfn(
    "DescribeStackEvents",
    { StackName: StackId },
    z.object({ StackEvents: z.object({ member: z.array(z.object({ EventId: z.string(), ResourceStatus: z.string(), Timestamp: z.string() })) }) }),
  );
  const truth = recorded.StackEvents.member.map((e) => [e.EventId, e.ResourceStatus, Date.parse(e.Timestamp)]);
  const delivered = events.map((e) => [e.eventId, e.resourceStatus, Date.parse(e.timestamp)]);
  expect(delivered.sort()).toEqual(truth.sort());
  // Re-check every POST's signature independently of the receiver's own verdict.
  for (const post of worker.posts) {
    const header = post.headers["stackroom-signature"];
    expect(await verifySignature(typeof header === "string" ? header : null, post.body, secrets, Date.now() / 1000)).toMatchObject({ ok: true });
  }
});
