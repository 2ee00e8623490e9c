import { createServer, type IncomingMessage, type Server } from "node:http";
import * as z from "zod";

/**
 * A real HTTP receiver for the projects' outbound notifications in workerd tests (started by
 * test/global-setup.ts): `POST /hooks/<id>` is recorded under `<id>` (each test uses its own) and
 * answered with the next status scripted for it, else 200. A test scripts statuses with
 * `POST /__script/<id> {statuses: [500, 404, …]}` and reads what arrived with
 * `GET /__received/<id>` → `{requests: [{headers, body, status}]}`.
 */
export interface NotificationReceiver {
  url: string;
  stop(): Promise<void>;
}

const Script = z.object({ statuses: z.array(z.number().int().min(200).max(599)).max(20) });

interface Received {
  headers: Record<string, string>;
  body: string;
  status: number;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export async function startNotificationReceiver(port: number): Promise<NotificationReceiver> {
  const received = new Map<string, Received[]>();
  const scripts = new Map<string, number[]>();
  const server: Server = createServer((req, res) => {
    void (async () => {
      const text = await body(req);
      const [, route, id = ""] = /^\/(hooks|__script|__received)\/([A-Za-z0-9_-]{1,64})$/.exec(req.url ?? "") ?? [];
      const answer = (status: number, json: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(json));
      };
      if (route === "hooks" && req.method === "POST") {
        const status = scripts.get(id)?.shift() ?? 200;
        const headers = Object.fromEntries(Object.entries(req.headers).flatMap(([k, v]) => (typeof v === "string" ? [[k, v]] : [])));
        const list = received.get(id) ?? [];
        list.push({ headers, body: text, status });
        received.set(id, list);
        return answer(status, status < 300 ? { ok: true } : { error: `answered ${status}` });
      }
      if (route === "__script" && req.method === "POST") {
        const parsed = Script.safeParse(JSON.parse(text || "null"));
        if (!parsed.success) return answer(400, { error: "expected {statuses: number[]}" });
        scripts.set(id, parsed.data.statuses);
        return answer(204, {});
      }
      if (route === "__received" && req.method === "GET") return answer(200, { requests: received.get(id) ?? [] });
      return answer(404, { error: "no such route" });
    })().catch(() => {
      res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
