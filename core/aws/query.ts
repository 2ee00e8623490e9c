import type { z } from "zod";
import { malformedResponse } from "./errors";
import type { Send } from "./transport";
import { parseXml } from "./xml";

/** Query-API parameters; `undefined` values are left out. */
export type QueryParams = Record<string, string | number | undefined>;

/** A Query-API service (STS, CloudFormation): its URL, API version and signed `Send`. */
export interface QueryService {
  url: string;
  version: string;
  send: Send;
}

/**
 * Calls one Query-API action (form-encoded POST) and reads the XML answer with `schema`;
 * an answer of another shape is a `MalformedResponse` error, never a cast.
 */
export async function queryAction<S extends z.ZodType>(
  service: QueryService,
  action: string,
  params: QueryParams,
  schema: S,
): Promise<z.output<S>> {
  const form = new URLSearchParams({ Action: action, Version: service.version });
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) form.append(key, String(value));
  }
  const answer = await service.send({
    url: `${service.url}/`,
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body: form.toString(),
    action,
  });
  return readXml(answer.body, schema, action);
}

/** Parses an XML body and validates it with `schema`, naming `action` in the error. */
export function readXml<S extends z.ZodType>(body: string, schema: S, action: string): z.output<S> {
  let parsed: unknown;
  try {
    parsed = parseXml(body);
  } catch (error) {
    throw malformedResponse(action, error instanceof Error ? error.message : "not XML");
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    const where = result.error.issues[0]?.path.join(".") ?? "";
    throw malformedResponse(action, `${where} ${result.error.issues[0]?.message ?? ""}`.trim());
  }
  return result.data;
}

/** `prefix.member.N` entries (1-based) for a Query-API list. */
export function memberList(prefix: string, values: readonly string[] | undefined): QueryParams {
  const params: QueryParams = {};
  values?.forEach((value, index) => {
    params[`${prefix}.member.${index + 1}`] = value;
  });
  return params;
}

/** `prefix.member.N.<keyName>` / `.<valueName>` entries for a Query-API list of pairs. */
export function memberPairs(
  prefix: string,
  record: Readonly<Record<string, string>> | undefined,
  keyName: string,
  valueName: string,
): QueryParams {
  const params: QueryParams = {};
  Object.entries(record ?? {}).forEach(([key, value], index) => {
    params[`${prefix}.member.${index + 1}.${keyName}`] = key;
    params[`${prefix}.member.${index + 1}.${valueName}`] = value;
  });
  return params;
}
