import type * as z from "zod";

/**
 * zod issues as a form shows them: one message per field, keyed by the dotted path
 * (`permissions.0.prefix`; `_` for the whole value), and one summary line naming the first.
 */
export function describeIssues(error: z.ZodError, what: string): { message: string; fields: Record<string, string> } {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join(".") : "_";
    fields[key] ??= issue.code === "unrecognized_keys" ? `Unknown field(s): ${issue.keys.join(", ")}.` : issue.message;
  }
  const first = Object.entries(fields)[0];
  const summary = first ? (first[0] === "_" ? first[1] : `${first[0]}: ${first[1]}`) : "is invalid";
  return { message: `${what} is invalid — ${summary}`, fields };
}
