import * as z from "zod";

/**
 * A project's own settings, kept by its room: `GET /api/projects/:p/settings` (members) and
 * `PUT /api/projects/:p/settings` (owners, the whole document).
 */

/** How long a new user's access lasts by default: 1 day to 10 years; null: no default. */
export const DefaultUserExpiryDays = z
  .number({ error: "Enter a number of days, or null for no default." })
  .int("Use whole days.")
  .min(1, "Use at least 1 day.")
  .max(3650, "Use at most 3650 days (10 years).")
  .nullable();

export const ProjectSettings = z.object({
  /** A user created without `expiresAt` gets this many days from its creation (null: none). */
  defaultUserExpiryDays: DefaultUserExpiryDays,
});
export type ProjectSettings = z.infer<typeof ProjectSettings>;

/** What a project has before an owner sets anything. */
export const DEFAULT_PROJECT_SETTINGS: ProjectSettings = { defaultUserExpiryDays: null };

/** `PUT /api/projects/:p/settings`: every setting, stated. */
export const PutProjectSettingsBody = z.strictObject({ defaultUserExpiryDays: DefaultUserExpiryDays });
export type PutProjectSettingsBody = z.infer<typeof PutProjectSettingsBody>;

/** The answer of `GET` and `PUT /api/projects/:p/settings`. */
export const ProjectSettingsAnswer = z.object({ settings: ProjectSettings });
export type ProjectSettingsAnswer = z.infer<typeof ProjectSettingsAnswer>;
