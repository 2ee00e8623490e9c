// Proves the bridge Lambda as deployed works: the zip that `npm run build` makes holds handler.mjs, and that file alone (no node_modules) forwards an SNS record, signed, to its project's webhook in a fresh Node process.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { randomUUID } from "node:crypto";
import { unzipSync } from "fflate";
import { afterAll, describe, expect, it } from "vitest";
import { bundleBridge } from "../scripts/lib/bridge-bundle";
import { startWebhookReceiver } from "../test/aws-bridge/webhook-receiver";

const ROOT = new URL("..", import.meta.url).pathname;
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("the bridge bundle", () => {
  it("is a zip whose handler.mjs alone delivers a CloudFormation event, signed", async () => {
    const out = mkdtempSync(join(tmpdir(), "stackroom-bridge-"));
    const run = mkdtempSync(join(tmpdir(), "stackroom-bridge-run-"));
    dirs.push(out, run);
    const { zip } = await bundleBridge(ROOT, out);
    const files = unzipSync(readFileSync(zip));
    expect(Object.keys(files).sort()).toEqual(["handler.mjs", "handler.mjs.map"]);
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(run, name), bytes);

    const receiver = await startWebhookReceiver({ secrets: ["bundle-secret"] });
    try {
      const message = [
        "StackId='arn:aws:cloudformation:eu-west-1:111111111111:stack/stackroom-demo-bucket-a/af58'",
        "Timestamp='2026-11-24T23:55:32.755Z'",
        `EventId='${randomUUID()}'`,
        "LogicalResourceId='stackroom-demo-bucket-a'",
        "Namespace='111111111111'",
        "ResourceProperties='None'",
        "ResourceStatus='CREATE_COMPLETE'",
        "ResourceStatusReason='None'",
        "ResourceType='AWS::CloudFormation::Stack'",
        "StackName='stackroom-demo-bucket-a'",
        "ClientRequestToken='None'",
      ].join("\n");
      const event = { Records: [{ EventSource: "aws:sns", Sns: { MessageId: "m-1", TopicArn: "arn:aws:sns:eu-west-1:111111111111:stackroom-demo-events", Message: message } }] };
      // A clean environment, as Lambda gives it: only what the template sets (plus the secret,
      // which in AWS comes from Secrets Manager).
      const env = { STACKROOM_WEBHOOK_URL: receiver.url, STACKROOM_PROJECT_ID: "demo", STACKROOM_ACCOUNT_ID: "111111111111", WEBHOOK_SECRET: "bundle-secret" };
      const script = [
        "for (const key of Object.keys(process.env)) delete process.env[key];",
        "Object.assign(process.env, JSON.parse(process.argv[3]));",
        "const m = await import(process.argv[1]);",
        "console.log(JSON.stringify(await m.handler(JSON.parse(process.argv[2]))));",
      ].join("\n");
      const args = ["--input-type=module", "-e", script, join(run, "handler.mjs"), JSON.stringify(event), JSON.stringify(env)];
      const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: run });
      expect(JSON.parse(stdout.trim())).toEqual({ delivered: 1, skipped: 0 });
      expect(receiver.posts.map((p) => [p.status, p.signature.ok])).toEqual([[202, true]]);
      expect(receiver.events().map((e) => e.resourceStatus)).toEqual(["CREATE_COMPLETE"]);
    } finally {
      await receiver.stop();
    }
  });
});
