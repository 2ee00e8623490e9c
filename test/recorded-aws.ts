import { createServer, type IncomingMessage, type Server } from "node:http";
import * as z from "zod";

const Script = z.object({ stackName: z.string(), answer: z.enum(["success", "refused"]) });
/** An IAM call to refuse with AccessDenied until cleared (`refuse: false`): AWS's answer when the project's role lacks a permission. */
const IamScript = z.object({ action: z.string(), userName: z.string(), refuse: z.boolean() });
/** GetTemplate of one stack held back until released (`hold: false`): a slow read that lets a test run something in the middle of a heal. */
const TemplateHold = z.object({ stackName: z.string(), hold: z.boolean() });

/**
 * The AWS of the workerd tests: moto, plus recorded AWS answers for the one call moto does not
 * implement, ContinueUpdateRollback. A test scripts the answer for a stack
 * (`POST /__recorded/continue-update-rollback {stackName, answer: "success" | "refused"}`), or
 * has an IAM call about one user refused as AWS refuses it without the permission
 * (`POST /__recorded/iam-refusal {action, userName, refuse}`), or has GetTemplate of a stack wait
 * until released (`POST /__recorded/hold-template {stackName, hold}`; `GET` of it with
 * `?stackName=` answers `{waiting}`, the reads being held); everything else is passed to moto
 * unchanged. A fake of AWS only, fed to the real client.
 */
export interface RecordedAws {
  endpoint: string;
  stop(): Promise<void>;
}

const success = `<ContinueUpdateRollbackResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
  <ContinueUpdateRollbackResult/>
  <ResponseMetadata><RequestId>5ccc7dcd-744c-11e5-be70-example</RequestId></ResponseMetadata>
</ContinueUpdateRollbackResponse>
`;

const refused = (stack: string) => `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
  <Error>
    <Type>Sender</Type>
    <Code>ValidationError</Code>
    <Message>Stack ${stack} is in UPDATE_ROLLBACK_COMPLETE state and can not be continued</Message>
  </Error>
  <RequestId>2a8f5c0e-7b1d-4e9a-8c3f-6d5e4b3a2c11</RequestId>
</ErrorResponse>
`;

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

const accessDenied = (action: string, user: string) => `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <Error>
    <Type>Sender</Type>
    <Code>AccessDenied</Code>
    <Message>User: arn:aws:sts::123456789012:assumed-role/stackroom-manager/stackroom is not authorized to perform: iam:${action} on resource: user ${user}</Message>
  </Error>
  <RequestId>7e3b1c2a-5d4f-4a8e-9b6c-1f2e3d4c5b6a</RequestId>
</ErrorResponse>
`;

export async function startRecordedAws(port: number, moto: string): Promise<RecordedAws> {
  const scripted = new Map<string, "success" | "refused">();
  const refusedIam = new Set<string>();
  const holds = new Map<string, { released: Promise<void>; release: () => void; waiting: number }>();
  const server: Server = createServer((req, res) => {
    void (async () => {
      const payload = await body(req);
      if (req.url === "/__recorded/continue-update-rollback" && req.method === "POST") {
        const { stackName, answer } = Script.parse(JSON.parse(payload.toString()));
        scripted.set(stackName, answer);
        res.writeHead(204).end();
        return;
      }
      if (req.url === "/__recorded/iam-refusal" && req.method === "POST") {
        const { action, userName, refuse } = IamScript.parse(JSON.parse(payload.toString()));
        if (refuse) refusedIam.add(`${action}:${userName}`);
        else refusedIam.delete(`${action}:${userName}`);
        res.writeHead(204).end();
        return;
      }
      if (req.url?.startsWith("/__recorded/hold-template")) {
        if (req.method === "GET") {
          const stackName = new URL(req.url, "http://x").searchParams.get("stackName") ?? "";
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ waiting: holds.get(stackName)?.waiting ?? 0 }));
          return;
        }
        const { stackName, hold } = TemplateHold.parse(JSON.parse(payload.toString()));
        if (hold && !holds.has(stackName)) {
          let release = () => undefined as void;
          const released = new Promise<void>((resolve) => (release = resolve));
          holds.set(stackName, { released, release, waiting: 0 });
        }
        if (!hold) {
          holds.get(stackName)?.release();
          holds.delete(stackName);
        }
        res.writeHead(204).end();
        return;
      }
      const form = req.headers["content-type"]?.includes("x-www-form-urlencoded") ? new URLSearchParams(payload.toString()) : null;
      const iamAction = form?.get("Action") ?? "";
      if (refusedIam.has(`${iamAction}:${form?.get("UserName") ?? ""}`)) {
        res.writeHead(403, { "content-type": "text/xml" }).end(accessDenied(iamAction, form?.get("UserName") ?? ""));
        return;
      }
      const stack = form?.get("StackName") ?? "";
      const held = form?.get("Action") === "GetTemplate" ? holds.get(stack) : undefined;
      if (held) {
        held.waiting++;
        await held.released;
      }
      const script = form?.get("Action") === "ContinueUpdateRollback" ? scripted.get(stack) : undefined;
      if (script) {
        res.writeHead(script === "success" ? 200 : 400, { "content-type": "text/xml" }).end(script === "success" ? success : refused(stack));
        return;
      }
      const headers = Object.fromEntries(Object.entries(req.headers).flatMap(([k, v]) => (k === "host" || v === undefined ? [] : [[k, Array.isArray(v) ? v.join(", ") : v]])));
      const answer = await fetch(`${moto}${req.url ?? "/"}`, { method: req.method, headers, body: req.method === "GET" || req.method === "HEAD" ? undefined : payload });
      const out = Buffer.from(await answer.arrayBuffer());
      const type = answer.headers.get("content-type");
      res.writeHead(answer.status, type ? { "content-type": type } : {}).end(out);
    })().catch((err: unknown) => res.writeHead(502).end(String(err)));
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { endpoint: `http://127.0.0.1:${port}`, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
