import { AwsClient } from "aws4fetch";
import { XMLParser } from "fast-xml-parser";
import type { z } from "zod";

/** Long-term or temporary AWS credentials. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** An AWS error answer (`<Error><Code>…`), or a non-XML failure with code `Http<status>`. */
export class AwsQueryError extends Error {
  override name = "AwsQueryError";
  constructor(
    readonly action: string,
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(`${action} failed (${code}): ${message}`);
  }
}

// parseTagValue off keeps every value a string; `member` is always a list (single-item lists too).
const parser = new XMLParser({ ignoreAttributes: true, ignoreDeclaration: true, parseTagValue: false, isArray: (name) => name === "member" });

export interface QueryService {
  /** Base URL: moto's endpoint, or `https://<service>.<region>.amazonaws.com`. */
  endpoint: string;
  service: keyof typeof API_VERSIONS;
  region: string;
  version: string;
  credentials: Credentials;
}

export const API_VERSIONS = { sts: "2011-06-15", sns: "2010-03-31", iam: "2010-05-08", cloudformation: "2010-05-15" } as const;

/** A Query-API client (form-encoded POST, XML answer) signed with aws4fetch. */
export function queryService(options: Omit<QueryService, "version">) {
  const service: QueryService = { ...options, version: API_VERSIONS[options.service] };
  const client = new AwsClient({ ...service.credentials, service: service.service, region: service.region, retries: 2 });
  const url = `${service.endpoint.replace(/\/+$/, "")}/`;

  /** Calls `action` and reads the answer's `<Action>Result>` with `schema`. */
  return async function call<S extends z.ZodType>(action: string, params: Record<string, string | undefined>, schema: S): Promise<z.output<S>> {
    const form = new URLSearchParams({ Action: action, Version: service.version });
    for (const [key, value] of Object.entries(params)) if (value !== undefined) form.append(key, value);
    const response = await client.fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      body: form.toString(),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    let xml: unknown;
    try {
      xml = parser.parse(text);
    } catch {
      xml = undefined;
    }
    if (!response.ok) {
      const error = readError(xml);
      throw new AwsQueryError(action, error?.code ?? `Http${response.status}`, response.status, error?.message ?? text.slice(0, 300));
    }
    const result = schema.safeParse(resultOf(xml, action));
    if (!result.success) {
      throw new AwsQueryError(action, "MalformedResponse", response.status, result.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; "));
    }
    return result.data;
  };
}

export type QueryCall = ReturnType<typeof queryService>;

function field(value: unknown, key: string): unknown {
  if (typeof value !== "object" || value === null) return undefined;
  return Object.entries(value).find(([name]) => name === key)?.[1];
}

function resultOf(xml: unknown, action: string): unknown {
  return field(field(xml, `${action}Response`), `${action}Result`) ?? {};
}

function readError(xml: unknown): { code: string; message: string } | undefined {
  const error = field(field(xml, "ErrorResponse"), "Error") ?? field(xml, "Error");
  const code = field(error, "Code");
  const message = field(error, "Message");
  return typeof code === "string" ? { code, message: typeof message === "string" ? message : "" } : undefined;
}
