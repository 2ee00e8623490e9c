import type * as z from "zod";
import { errorText, logEvent } from "../core/log";

/**
 * Reads a KV copy that a Durable Object writes (domain/kv-documents.ts) and checks it with its
 * schema. null when it is missing or unreadable (not JSON, not of the schema, or KV failing): the
 * caller then asks the authority, which writes the copy again. An unreadable copy is logged.
 */
export async function readCopy<S extends z.ZodType>(kv: KVNamespace, key: string, schema: S): Promise<z.output<S> | null> {
  let text: string | null;
  try {
    text = await kv.get(key);
  } catch (err) {
    logEvent("error", "kv_read_failed", { key, error: errorText(err) });
    return null;
  }
  if (text === null) return null;
  return parseCopy(key, text, schema);
}

/** A copy's text checked with its schema; null (logged) when unreadable. */
export function parseCopy<S extends z.ZodType>(key: string, text: string | null, schema: S): z.output<S> | null {
  if (text === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    logEvent("error", "kv_copy_unreadable", { key, reason: "not JSON" });
    return null;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) logEvent("error", "kv_copy_unreadable", { key, reason: parsed.error.message.slice(0, 300) });
  return parsed.success ? parsed.data : null;
}
