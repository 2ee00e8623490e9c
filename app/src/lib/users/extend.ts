import type { User } from "$contract";
import { extendedExpiry, extensionDays } from "$core/user-expiry";
import { updateUser } from "$lib/api";
import { getSettings } from "$lib/settings/project-settings.svelte";

/**
 * "Extend" in one click: the user's expiry moves forward by the project's default for new users
 * (90 days without one) from the later of now and the current expiry, through the normal user
 * update (PATCH), so it takes the resource's lock, or waits in its queue, like every change.
 * Used by the user's page and any view that lists expiring access.
 */

/** What an extension does, before it is sent: the new date, the days added, and whether access had already ended. */
export interface ExtensionPlan {
  expiresAt: string;
  days: number;
  /** The user had expired: its keys were deactivated and its grants removed, and extending gives neither back. */
  expired: boolean;
}

export function planExtension(user: Pick<User, "spec">, defaultDays: number | null, now = Date.now()): ExtensionPlan {
  const days = extensionDays(defaultDays);
  const expired = user.spec.expiresAt !== null && Date.parse(user.spec.expiresAt) <= now;
  return { expiresAt: extendedExpiry(user.spec.expiresAt, days, now), days, expired };
}

/** What extending an expired user does not undo, in a manager's words. */
export const EXPIRED_EXTEND_NOTE =
  "Extending sets a new end date only. At expiry Stackroom deactivated this user's access keys and removed its bucket access; both stay so until you reactivate a key (Manage keys) and grant buckets again (Permissions).";

/**
 * Extends `user` (`defaultDays`: the project's default for new users; read from the project's
 * settings when not given). Answers the update's acceptance and the plan it sent.
 */
export async function extendUser(project: string, user: Pick<User, "name" | "spec">, defaultDays?: number | null, now = Date.now()): Promise<{ accepted: Awaited<ReturnType<typeof updateUser>>; plan: ExtensionPlan }> {
  const days = defaultDays === undefined ? (await getSettings(project)).defaultUserExpiryDays : defaultDays;
  const plan = planExtension(user, days, now);
  const accepted = await updateUser(project, user.name, { expiresAt: plan.expiresAt, queue: true });
  return { accepted, plan };
}
