import { XMLParser } from "fast-xml-parser";
import * as z from "zod";

/**
 * One parser for every AWS XML answer (Query API and S3).
 *
 * - `trimValues: false` keeps text exact: a GetTemplate body comes back byte for byte, leading
 *   whitespace included. The price is whitespace-only text between pretty-printed elements
 *   (real AWS indents its XML): containers get an extra `#text` key, which zod objects strip,
 *   and an empty list can arrive as "\n    " instead of "" — `xmlList` accepts both.
 * - `parseTagValue: false` keeps every value a string ("007", "false", an all-digit tag value).
 * - `htmlEntities: true` is what switches on numeric character references (`&#xD;`, `&#233;`);
 *   plain `processEntities` only decodes the five XML entities.
 * - `member` is always an array: the Query API's single-item lists otherwise come back as objects.
 */
const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  parseTagValue: false,
  trimValues: false,
  htmlEntities: true,
  isArray: (tagName) => tagName === "member",
});

/** Parses XML into plain objects; the result is untrusted until a zod schema has read it. */
export function parseXml(text: string): unknown {
  return parser.parse(text);
}

const blank = z.string().regex(/^\s*$/);

/**
 * A Query-API list (`<Tags><member>…</member></Tags>`): absent, empty (`<Tags/>`) and
 * whitespace-only lists all read as `[]`.
 */
export function xmlList<T extends z.ZodType>(item: T) {
  return z
    .union([z.object({ member: z.array(item) }).transform((list) => list.member), blank.transform(() => [])])
    .optional()
    .transform((list): z.output<T>[] => list ?? []);
}

/** A required text element (trimmed: AWS never means surrounding whitespace in these). */
export const xmlText = z.string().trim().min(1);

/** An optional text element; an empty element (`<X/>`) reads as absent. */
export const xmlOptionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === "" ? undefined : value));

/** An ISO 8601 timestamp element (AWS sends microseconds; `Date` keeps milliseconds). */
export const xmlDate = z
  .string()
  .trim()
  .transform((value) => new Date(value))
  .pipe(z.date());
