// Proves a running Worker can be seen: on the real local stack (wrangler dev, moto, the bridge), every request leaves one JSON line with its route, status, duration and request id (also on the answer), and operations, webhooks (accepted and refused, with why), AWS errors and heals leave theirs — the same events Analytics Engine counts — while no line ever holds a secret key, a link id, a proof, a session cookie or the ops token.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsClient } from "aws4fetch";
import { randomBytes } from "node:crypto";
import { startStack, type Stack } from "../../scripts/lib/stack";
import { assumeRole } from "../../core/aws/sts";
import { DEMO } from "../../scripts/lib/demo";
import type { CreatedKey, CreatedShare, ProjectView } from "../../core/contract";
import { devSession, until } from "./stack-client";

let stack: Stack;
const printed: string[] = [];

beforeAll(async () => {
  stack = await startStack({ app: false, quiet: true, onWorkerLine: (line) => printed.push(line) });
}, 90_000);

afterAll(async () => {
  await stack?.stop();
});

type Line = Record<string, unknown> & { level: string; event: string };

/** The Worker's JSON log lines (wrangler dev prints warnings and errors coloured, around the line as written). */
function lines(): Line[] {
  return printed.flatMap((raw) => {
    // eslint-disable-next-line no-control-regex
    const text = raw.replace(/\u001b\[[0-9;]*m/g, "");
    const start = text.indexOf('{"level"');
    if (start < 0) return [];
    try {
      return [JSON.parse(text.slice(start)) as Line];
    } catch {
      return [];
    }
  });
}

describe("observability on the running stack", () => {
  it("logs every request, operation, webhook, AWS error and heal as JSON with ids, and never a secret", async () => {
    const { api, cookie } = await devSession(stack.apiUrl, "alice@example.com");
    const view = () => api("/api/projects/demo").then((r) => r.json() as Promise<ProjectView>);

    const created = await api("/api/projects/demo/buckets", { method: "POST", body: JSON.stringify({ name: "obs-data" }) });
    expect(created.status).toBe(202);
    const requestId = created.headers.get("x-request-id");
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const { operationId } = (await created.json()) as { operationId: string };
    await until(view, (v) => v.buckets.some((b) => b.name === "obs-data" && b.status === "ready"));
    expect((await api("/api/projects/demo/users", { method: "POST", body: JSON.stringify({ name: "obs-partner", permissions: [{ bucket: "obs-data", access: "read" }] }) })).status).toBe(202);
    await until(view, (v) => v.users.some((u) => u.name === "obs-partner" && u.status === "ready"));
    const key = (await (await api("/api/projects/demo/users/obs-partner/keys", { method: "POST", body: "{}" })).json()) as CreatedKey;
    const proof = randomBytes(32).toString("base64url");
    const share = (await (
      await api("/api/projects/demo/shares", { method: "POST", body: JSON.stringify({ user: "obs-partner", accessKeyId: key.accessKeyId, ciphertext: "c2VhbGVk", iv: "AAAAAAAAAAAAAAAA", proof }) })
    ).json()) as CreatedShare;
    expect((await fetch(`${stack.apiUrl}/api/shares/${share.id}`, { headers: { "Stackroom-Share-Proof": proof } })).status).toBe(200);

    // A forged webhook, and an AWS error: a stack of that name already exists in the account.
    const forged = await fetch(`${stack.apiUrl}/webhooks/cloudformation/demo`, { method: "POST", headers: { "content-type": "application/json", "Stackroom-Signature": `t=${Math.floor(Date.now() / 1000)},k=0123456789abcdef,v1=${"0".repeat(64)}` }, body: "{}" });
    expect(forged.status).toBe(401);
    const credentials = await assumeRole({ hubCredentials: { accessKeyId: "AKIAOBSERVABILITY001", secretAccessKey: "x" }, roleArn: `arn:aws:iam::${DEMO.accountId}:role/harness`, externalId: "x", sessionName: "test", region: DEMO.region, endpoint: stack.motoEndpoint });
    const cfn = new AwsClient({ ...credentials, service: "cloudformation", region: DEMO.region, retries: 0 });
    const template = JSON.stringify({ Resources: { Topic: { Type: "AWS::SNS::Topic" } } });
    await cfn.fetch(stack.motoEndpoint, { method: "POST", body: new URLSearchParams({ Action: "CreateStack", Version: "2010-05-15", StackName: "stackroom-demo-bucket-obs-taken", TemplateBody: template }).toString(), headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect((await api("/api/projects/demo/buckets", { method: "POST", body: JSON.stringify({ name: "obs-taken" }) })).status).toBe(409);
    expect((await api("/api/projects/demo/refresh", { method: "POST", body: "{}" })).status).toBe(200);

    const all = await until(lines, (ls) => ls.some((l) => l.event === "heal" && l.trigger === "editor"));
    const request = all.find((l) => l.event === "request" && l.requestId === requestId);
    expect(request).toMatchObject({ level: "info", method: "POST", route: "/api/projects/:p/buckets", status: 202, project: "demo", operationId });
    expect(typeof request?.ms).toBe("number");
    expect(all.filter((l) => l.event === "request").every((l) => typeof l.requestId === "string" && typeof l.route === "string" && typeof l.status === "number")).toBe(true);
    expect(all).toContainEqual(expect.objectContaining({ event: "operation", project: "demo", kind: "bucket", action: "create", outcome: "succeeded", operationId }));
    expect(all).toContainEqual(expect.objectContaining({ event: "webhook", project: "demo", outcome: "accepted", secretVersion: 1 }));
    expect(all).toContainEqual(expect.objectContaining({ event: "webhook", level: "warn", project: "demo", outcome: "refused", reason: "signature" }));
    expect(all).toContainEqual(expect.objectContaining({ event: "aws_error", level: "error", project: "demo", service: "cloudformation", action: "CreateStack", code: "AlreadyExistsException" }));
    // The heal's line says what it cost in CloudFormation calls.
    expect(all).toContainEqual(expect.objectContaining({ event: "heal", project: "demo", trigger: "editor", outcome: "ok", describeStacksPages: 1, getTemplate: expect.any(Number), reused: expect.any(Number) }));

    // wrangler dev's own access log names each request's path (as the platform's request logs do):
    // a link id there opens nothing without its proof. The Worker's own lines must hold none of it.
    const text = printed.filter((l) => !l.includes("[wrangler:info]")).join("\n");
    for (const secret of [key.secretAccessKey, share.id, share.id.split(".")[1] ?? "", proof, cookie.split("=")[1] ?? "", stack.opsToken]) {
      expect(secret.length).toBeGreaterThan(10);
      expect(text, "a log line holds a secret").not.toContain(secret);
    }
  }, 120_000);
});
