import type * as z from "zod";

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
    console.error("KV read failed; asking the authority", { key, error: err instanceof Error ? err.message : String(err) });
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
    console.error("KV copy is not JSON; asking the authority and writing it again", { key });
    return null;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) console.error("KV copy does not match its schema; asking the authority and writing it again", { key, error: parsed.error.message.slice(0, 300) });
  return parsed.success ? parsed.data : null;
}
