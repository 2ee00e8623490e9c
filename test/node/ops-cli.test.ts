// Proves the ops CLI works as it must in production: through a stand-in for Cloudflare Access it passes only with a service token and says plainly why not otherwise (redirect, Access's 403 page, unreachable host, a wrong ops token), exits non-zero on every failure and on an unknown command; status, health, a dead-letter replay whose events reach the room, a rotation that cannot finish before the bridge delivered with the new secret, and offboarding (refused while stacks stand) all run against the real local stack.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { promisify } from "node:util";
import { ROOT, startStack, type Stack } from "../../scripts/lib/stack";
import { DEMO } from "../../scripts/lib/demo";
import { assumeProjectAccount } from "../../aws-bridge/local-bootstrap";
import { localSqs } from "../../aws-bridge/local-sqs";
import { lambdaDeadLetter, lambdaSnsEvent } from "../../aws-bridge/lambda-dead-letter";
import { OUTSIDE_STACKROOM, type FileList, type ProjectView, type ResourceEvents } from "../../core/contract";
import { startAccessGate, type AccessGate } from "./access-gate";
import { devSession, until } from "./stack-client";

let stack: Stack;
let gate: AccessGate;

beforeAll(async () => {
  stack = await startStack({ app: false, quiet: true });
  gate = await startAccessGate(stack.apiUrl);
}, 90_000);

afterAll(async () => {
  await gate?.stop();
  await stack?.stop();
});

/** Runs `npm run ops -- <args>` as ops would, behind the gate with the service token unless told otherwise. */
async function ops(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; out: string; err: string }> {
  const base = { STACKROOM_URL: gate.url, OPS_TOKEN: stack.opsToken, STACKROOM_ACCESS_CLIENT_ID: gate.clientId, STACKROOM_ACCESS_CLIENT_SECRET: gate.clientSecret };
  const merged = Object.fromEntries(Object.entries({ ...process.env, ...base, ...env }).filter((e): e is [string, string] => e[1] !== undefined));
  // (The Worker's generated types widen NodeJS.ProcessEnv with its bindings; a child's env is plain strings.)
  const childEnv = merged as NodeJS.ProcessEnv;
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ["--import", "tsx", join(ROOT, "scripts/ops.ts"), ...args], { cwd: ROOT, env: childEnv, timeout: 120_000 });
    return { code: 0, out: stdout, err: stderr };
  } catch (err) {
    const text = (key: string) => (err && typeof err === "object" && key in err ? String((err as Record<string, unknown>)[key]) : "");
    return { code: Number(text("code")) || -1, out: text("stdout"), err: text("stderr") };
  }
}

const login = async (email: string) => (await devSession(stack.apiUrl, email)).api;

describe("ops CLI", () => {
  it("says plainly why it cannot get through, and exits non-zero", async () => {
    const noToken = await ops(["status", DEMO.id], { STACKROOM_ACCESS_CLIENT_ID: undefined, STACKROOM_ACCESS_CLIENT_SECRET: undefined });
    expect(noToken.code).toBe(1);
    expect(noToken.err).toMatch(/redirected to https:\/\/team\.cloudflareaccess\.com\/cdn-cgi\/access\/login.*Set STACKROOM_ACCESS_CLIENT_ID/);
    const wrongToken = await ops(["status", DEMO.id], { STACKROOM_ACCESS_CLIENT_SECRET: "not-it" });
    expect(wrongToken.code).toBe(1);
    expect(wrongToken.err).toMatch(/Cloudflare Access refused the request/);
    const wrongOps = await ops(["status", DEMO.id], { OPS_TOKEN: "not-the-ops-token" });
    expect(wrongOps.code).toBe(1);
    expect(wrongOps.err).toMatch(/401: the ops token was refused/);
    const unreachable = await ops(["status", DEMO.id], { STACKROOM_URL: "http://127.0.0.1:9" });
    expect(unreachable.code).toBe(1);
    expect(unreachable.err).toMatch(/Could not reach http:\/\/127\.0\.0\.1:9/);
    const unknown = await ops(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/Unknown command “frobnicate”[\s\S]*dlq-replay <project>/);
    expect((await ops(["status"])).code).toBe(2);
    const missing = await ops(["status", "nosuch"]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/404 not_found: No project “nosuch” is registered/);
  });

  it("shows health and a project's status", async () => {
    const health = await ops(["health", "--deep"]);
    expect(health.code, health.err).toBe(0);
    expect(health.out).toMatch(/ok {3}kv[\s\S]*ok {3}registry[\s\S]*ok {3}room:demo[\s\S]*ok {3}sts:demo/);
    const status = await ops(["status", DEMO.id]);
    expect(status.code, status.err).toBe(0);
    expect(status.out).toMatch(/^Project demo\n {2}resources {3}/);
    expect(status.out).toMatch(/webhooks {4}last delivery .*secret v1/);
  });

  it("replays the bridge's dead-letter queue through the room, deleting only what was applied", async () => {
    const alice = await login("alice@example.com");
    expect((await alice("/api/projects/demo/buckets", { method: "POST", body: JSON.stringify({ name: "replayed" }) })).status).toBe(202);
    await until(() => alice("/api/projects/demo").then((r) => r.json() as Promise<ProjectView>), (v) => v.buckets.some((b) => b.name === "replayed" && b.status === "ready"));
    // An event the bridge gave up on, as Lambda's async invoke puts it in the DLQ.
    const eventId = randomUUID();
    const stackName = "stackroom-demo-bucket-replayed";
    const message = [`StackId='arn:aws:cloudformation:${DEMO.region}:${DEMO.accountId}:stack/${stackName}/1f2e'`, `Timestamp='${new Date().toISOString()}'`, `EventId='${eventId}'`, `LogicalResourceId='Bucket'`, `Namespace='${DEMO.accountId}'`, `ResourceProperties='None'`, `ResourceStatus='UPDATE_COMPLETE'`, `ResourceStatusReason='None'`, `ResourceType='AWS::S3::Bucket'`, `StackName='${stackName}'`, `ClientRequestToken='None'`].join("\n");
    const letter = lambdaDeadLetter(
      lambdaSnsEvent({ Type: "Notification", MessageId: randomUUID(), TopicArn: `arn:aws:sns:${DEMO.region}:${DEMO.accountId}:stackroom-demo-events`, Message: message, Timestamp: new Date().toISOString(), SignatureVersion: "2", Signature: "x", SigningCertURL: "https://sns.example/cert.pem" }),
      new Error("Webhook delivery failed after 4 attempts (HTTP 401)"),
      randomUUID(),
    );
    const credentials = await assumeProjectAccount({ motoEndpoint: stack.motoEndpoint, accountId: DEMO.accountId, region: DEMO.region, hubCredentials: { accessKeyId: "AKIAOPSCLITEST000001", secretAccessKey: "x" } });
    const sqs = localSqs({ motoEndpoint: stack.motoEndpoint, region: DEMO.region, credentials });
    const queueUrl = await sqs.queueUrl("stackroom-demo-bridge-dlq");
    await sqs.sendMessage(queueUrl, letter.body, letter.attributes);
    await sqs.sendMessage(queueUrl, JSON.stringify({ hello: "not a notification" }));
    // An S3 object event SNS could not hand to the bridge at all (the subscription's redrive: the notification itself).
    const physical = ((await (await alice("/api/projects/demo")).json()) as ProjectView).buckets.find((b) => b.name === "replayed")?.physicalName ?? "";
    const upload = { eventSource: "aws:s3", eventTime: new Date().toISOString(), eventName: "ObjectCreated:Put", userIdentity: { principalId: "AWS:AIDAEXAMPLE000000001" }, responseElements: { "x-amz-request-id": "0A1B2C3D4E5F6071" }, s3: { bucket: { name: physical }, object: { key: "incoming/lost+in+the+dlq.csv", size: 42, sequencer: "0066AA" } } };
    await sqs.sendMessage(queueUrl, JSON.stringify({ Type: "Notification", MessageId: randomUUID(), TopicArn: `arn:aws:sns:${DEMO.region}:${DEMO.accountId}:stackroom-demo-events`, Message: JSON.stringify({ Records: [upload] }) }));

    const replay = await ops(["dlq-replay", DEMO.id]);
    expect(replay.code, replay.err).toBe(0);
    expect(replay.out).toMatch(/replayed 2 of 3 message\(s\): 2 new event\(s\), 0 already known, 1 unreadable \(deleted\), 0 refused; 0 left/);
    const files = (await (await alice("/api/projects/demo/buckets/replayed/files")).json()) as FileList;
    expect(files.files.map((f) => [f.key, f.size, f.by])).toEqual([["incoming/lost in the dlq.csv", 42, OUTSIDE_STACKROOM]]);
    const events = (await (await alice("/api/projects/demo/resources/bucket/replayed/events")).json()) as ResourceEvents;
    expect(events.events.some((e) => e.status === "UPDATE_COMPLETE" && e.logicalId === "Bucket")).toBe(true);
    expect((await sqs.receiveMessages(queueUrl)).length).toBe(0);
    // Replaying an empty queue is harmless.
    expect((await ops(["dlq-replay", DEMO.id])).out).toMatch(/replayed 0 of 0/);
  });

  it("does not finish a rotation before the bridge delivered with the new secret, unless forced", async () => {
    const started = await ops(["rotate-webhook-secret", DEMO.id]);
    expect(started.code, started.err).toBe(0);
    expect(started.out).toMatch(/^[0-9a-f]{64},[0-9a-f]{64}$/m);
    const early = await ops(["finish-webhook-rotation", DEMO.id]);
    expect(early.code).toBe(1);
    expect(early.err).toMatch(/has not delivered with the new secret \(v2\) yet: its last delivery .* was signed with v1/);
    const forced = await ops(["finish-webhook-rotation", DEMO.id, "--force"]);
    expect(forced.code, forced.err).toBe(0);
    expect((await ops(["status", DEMO.id])).out).toMatch(/secret v2\n/);
  });

  it("offboards a project: refused while stacks stand, then everything of it is gone", async () => {
    const demo = await ops(["offboard", DEMO.id]);
    expect(demo.code).toBe(1);
    expect(demo.err).toMatch(/still has \d+ resource\(s\) with stacks: .*bucket replayed.*--delete-resources/);

    const id = "leaving";
    const registration = { id, name: "Leaving", accountId: "222222222222", region: DEMO.region, roleArn: "arn:aws:iam::222222222222:role/stackroom-leaving-manager", externalId: "x-leaving", topicArn: `arn:aws:sns:${DEMO.region}:222222222222:stackroom-leaving-events`, members: [{ email: "alice@example.com", role: "owner" }] };
    const registered = await fetch(`${stack.apiUrl}/api/ops/projects`, { method: "PUT", headers: { authorization: `Bearer ${stack.opsToken}`, "content-type": "application/json" }, body: JSON.stringify(registration) });
    expect(registered.status).toBe(200);
    const alice = await login("alice@example.com");
    expect((await alice(`/api/projects/${id}`)).status).toBe(200);

    const gone = await ops(["offboard", id]);
    expect(gone.code, gone.err).toBe(0);
    expect(gone.out).toMatch(/Project leaving is offboarded\. The bridge stack stays in account 222222222222/);
    expect((await alice(`/api/projects/${id}`)).status).toBe(404);
    expect((await ops(["status", id])).code).toBe(1);
    expect((await ops(["list-projects"])).out).not.toMatch(/"leaving"/);
  });
});
