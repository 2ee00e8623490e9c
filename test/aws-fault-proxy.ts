/**
 * A fault-injecting HTTP proxy between the Worker and moto (the Worker's `AWS_ENDPOINT`): each
 * request is passed on, or meets one of the faults AWS has on a bad day, drawn from a seeded random
 * source so a run can be repeated:
 * - `throttle`: refused before it ran, with the service's own throttling answer (CloudFormation,
 *   IAM and STS `Throttling` 400 in the Query API's ErrorResponse; S3 `SlowDown` 503; SNS
 *   `Throttled` 429; Transfer Family `ThrottlingException` 400 in its JSON protocol);
 * - `unavailable`: refused before it ran with 500 `InternalFailure` or 503 `ServiceUnavailable`;
 * - `lost-answer`: it ran, then the connection is reset before the answer (the caller cannot know);
 * - `slow`: passed on after 0.5–2.5 s;
 * - `past-timeout`: it ran, and the answer comes only after the client gave up (its 15 s attempt
 *   timeout, core/aws/transport.ts).
 * It starts calm (a stack's own start-up is not under test); `storm()` starts the faults, `calm()`
 * ends them for the end of a run, when the truth is read.
 */
import { randomUUID } from "node:crypto";
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";

export const AWS_FAULTS = ["throttle", "unavailable", "lost-answer", "slow", "past-timeout"] as const;
export type AwsFault = (typeof AWS_FAULTS)[number];

export interface AwsFaultOptions {
  /** moto's URL. */
  target: string;
  /** A number in [0, 1): the run's seeded random source. */
  random: () => number;
  /** Chance of each fault per request (the rest pass untouched). */
  rates: Record<AwsFault, number>;
  /** How long a `past-timeout` answer is held (past the client's 15 s attempt timeout). */
  pastTimeoutMs?: number;
  /** At most this many `past-timeout` faults in a run (each holds an operation for that long). */
  maxPastTimeout?: number;
}

export interface AwsFaultProxy {
  url: string;
  /** Faults injected, by kind, and requests seen, by service. */
  counts: { faults: Record<AwsFault, number>; requests: Record<string, number>; byServiceAndFault: Record<string, number> };
  /** From now on requests meet faults at the given rates. */
  storm(): void;
  /** From now on every request passes untouched (held answers still come when due). */
  calm(): void;
  stop(): Promise<void>;
}

/** The service a SigV4 request is for, from its credential scope (`…/<date>/<region>/<service>/aws4_request`). */
function serviceOf(req: IncomingMessage): string {
  const auth = req.headers.authorization ?? "";
  return /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(auth)?.[1] ?? "unsigned";
}

/** The action, as AWS names it, for the log of a fault: Query `Action=`, JSON `X-Amz-Target`, or S3's method and path. */
function actionOf(req: IncomingMessage, body: Buffer): string {
  const target = req.headers["x-amz-target"];
  if (typeof target === "string") return target.split(".").pop() ?? target;
  const query = new URL(req.url ?? "/", "http://x").searchParams.get("Action");
  if (query) return query;
  const form = /(?:^|&)Action=([A-Za-z]+)/.exec(body.toString("utf8"))?.[1];
  return form ?? `${req.method} ${new URL(req.url ?? "/", "http://x").pathname}`;
}

/** The answer a refusal of `fault` gets from `service`, as that service writes it. */
function refusal(service: string, fault: "throttle" | "unavailable", random: () => number): { status: number; type: string; body: string } {
  const requestId = randomUUID();
  const xmlError = (status: number, code: string, message: string, type: "Sender" | "Receiver") => ({
    status,
    type: "text/xml",
    body: `<ErrorResponse xmlns="http://${service}.amazonaws.com/doc/"><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  });
  if (service === "s3") {
    const [status, code, message] = fault === "throttle" ? [503, "SlowDown", "Please reduce your request rate."] : [500, "InternalError", "We encountered an internal error. Please try again."];
    return { status, type: "application/xml", body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>${requestId}</RequestId></Error>` };
  }
  if (service === "transfer") {
    const [status, type] = fault === "throttle" ? [400, "ThrottlingException"] : [500, "InternalServiceError"];
    return { status, type: "application/x-amz-json-1.1", body: JSON.stringify({ __type: type, Message: fault === "throttle" ? "Rate exceeded" : "Internal service error" }) };
  }
  if (fault === "throttle") return service === "sns" ? xmlError(429, "Throttled", "Rate exceeded", "Sender") : xmlError(400, "Throttling", "Rate exceeded", "Sender");
  return random() < 0.5 ? xmlError(500, "InternalFailure", "The request processing has failed because of an unknown error, exception or failure.", "Receiver") : xmlError(503, "ServiceUnavailable", "Service is unable to handle request.", "Receiver");
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Passes the request to moto as it came (headers, Host included: the Worker signed them) and answers moto's answer. */
function passOn(target: URL, req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: IncomingMessage["headers"]; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const out = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      readAll(answer).then((b) => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: b }), reject);
    });
    out.on("error", reject);
    out.end(body);
  });
}

export async function startAwsFaultProxy(options: AwsFaultOptions): Promise<AwsFaultProxy> {
  const target = new URL(options.target);
  const pastTimeoutMs = options.pastTimeoutMs ?? 16_000;
  const maxPastTimeout = options.maxPastTimeout ?? 3;
  const counts: AwsFaultProxy["counts"] = { faults: Object.fromEntries(AWS_FAULTS.map((f) => [f, 0])) as Record<AwsFault, number>, requests: {}, byServiceAndFault: {} };
  let calm = true;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  function draw(): AwsFault | null {
    if (calm) return null;
    let roll = options.random();
    for (const fault of AWS_FAULTS) {
      roll -= options.rates[fault];
      if (roll < 0) return fault === "past-timeout" && counts.faults["past-timeout"] >= maxPastTimeout ? null : fault;
    }
    return null;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readAll(req);
    const service = serviceOf(req);
    counts.requests[service] = (counts.requests[service] ?? 0) + 1;
    const fault = draw();
    if (fault) {
      counts.faults[fault]++;
      const key = `${service} ${actionOf(req, body)} ${fault}`;
      counts.byServiceAndFault[key] = (counts.byServiceAndFault[key] ?? 0) + 1;
    }
    if (fault === "throttle" || fault === "unavailable") {
      const answer = refusal(service, fault, options.random);
      res.writeHead(answer.status, { "content-type": answer.type, "x-amzn-requestid": randomUUID() });
      res.end(answer.body);
      return;
    }
    if (fault === "slow") await sleep(500 + options.random() * 2_000);
    const answer = await passOn(target, req, body);
    if (fault === "lost-answer") {
      req.socket.destroy();
      return;
    }
    if (fault === "past-timeout") await sleep(pastTimeoutMs);
    if (res.destroyed) return;
    const headers = { ...answer.headers };
    delete headers["transfer-encoding"];
    delete headers.connection;
    headers["content-length"] = String(answer.body.length);
    res.writeHead(answer.status, headers);
    res.end(answer.body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent || res.destroyed) return;
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(`fault proxy could not reach moto: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    storm: () => {
      calm = false;
    },
    calm: () => {
      calm = true;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
