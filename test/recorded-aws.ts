import { createServer, type IncomingMessage, type Server } from "node:http";
import * as z from "zod";

const Script = z.object({ stackName: z.string(), answer: z.enum(["success", "refused"]) });

/**
 * The AWS of the workerd tests: moto, plus recorded AWS answers for the one call moto does not
 * implement, ContinueUpdateRollback. A test scripts the answer for a stack
 * (`POST /__recorded/continue-update-rollback {stackName, answer: "success" | "refused"}`);
 * everything else is passed to moto unchanged. A fake of AWS only, fed to the real client.
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

export async function startRecordedAws(port: number, moto: string): Promise<RecordedAws> {
  const scripted = new Map<string, "success" | "refused">();
  const server: Server = createServer((req, res) => {
    void (async () => {
      const payload = await body(req);
      if (req.url === "/__recorded/continue-update-rollback" && req.method === "POST") {
        const { stackName, answer } = Script.parse(JSON.parse(payload.toString()));
        scripted.set(stackName, answer);
        res.writeHead(204).end();
        return;
      }
      const form = req.headers["content-type"]?.includes("x-www-form-urlencoded") ? new URLSearchParams(payload.toString()) : null;
      const stack = form?.get("StackName") ?? "";
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
