import * as z from "zod";
import { ActivityKind, type ActivityEntry } from "./live";
import { Email } from "./project";
import { IsoTime, type ResourceKind } from "./resource";
import { KIND_KEYS, kindFacts } from "../kinds";

/** A resource as the activity filter names it: `kind:name` (`bucket:reports`, `sftp:server`). */
const ActivityResource = z
  .string()
  .max(200, "A resource is at most 200 characters.")
  .transform((value, ctx) => {
    const colon = value.indexOf(":");
    const kind = value.slice(0, colon);
    const name = value.slice(colon + 1);
    if (colon < 0 || kindFacts(kind) === undefined || name === "") {
      ctx.addIssue({ code: "custom", message: `Name a resource as kind:name, with kind one of ${KIND_KEYS.join(", ")} (e.g. bucket:reports).` });
      return z.NEVER;
    }
    // The table's kinds are ResourceKind; a kind registered at run time is known by its key.
    return { kind: kind as ResourceKind, name };
  });
/**
 * An ISO time with its offset, normalised to UTC milliseconds so times compare as the room stores
 * them. Kept as UTC ISO text, which the room compares as text: only years 0000–9999 sort as times do
 * ("+010000-…" would not), so a time that leaves them is refused.
 */
const FilterTime = IsoTime.transform((t) => new Date(t).toISOString()).refine((t) => /^\d{4}-/.test(t), "Use a time between the years 0000 and 9999.");

/**
 * What `GET /api/projects/:p/activity` can be narrowed to; every field optional, all given ones
 * must hold. `person` matches who acted or who asked for the operation.
 */
export const ActivityFilter = z.object({
  resource: ActivityResource.optional(),
  person: Email.optional(),
  kind: ActivityKind.optional(),
  since: FilterTime.optional(),
  until: FilterTime.optional(),
});
export type ActivityFilter = z.output<typeof ActivityFilter>;

/** The query string of `GET /api/projects/:p/activity`: paging by `before` (a seq) and the filter. */
export const ActivityQuery = ActivityFilter.extend({
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
}).refine((q) => q.since === undefined || q.until === undefined || q.since <= q.until, { message: "since must not be later than until.", path: ["since"] });
export type ActivityQuery = z.output<typeof ActivityQuery>;

/** Whether an entry passes the filter: the same rule the room applies in SQL, for live entries. */
export function activityMatches(entry: ActivityEntry, filter: ActivityFilter): boolean {
  if (filter.resource && (entry.kind !== filter.resource.kind || entry.name !== filter.resource.name)) return false;
  if (filter.kind && entry.kind !== filter.kind) return false;
  if (filter.person) {
    const person = filter.person.toLowerCase();
    if (entry.actor.toLowerCase() !== person && entry.operation?.by.toLowerCase() !== person) return false;
  }
  const at = Date.parse(entry.at);
  if (filter.since && at < Date.parse(filter.since)) return false;
  if (filter.until && at > Date.parse(filter.until)) return false;
  return true;
}

/** Whether the filter narrows anything. */
export function isActivityFiltered(filter: ActivityFilter): boolean {
  return Object.values(filter).some((v) => v !== undefined);
}
