import { DEFAULT_PROJECT_SETTINGS, ProjectSettings, type PutProjectSettingsBody } from "../core/contract";
import { logEvent } from "../core/log";
import type { RoomContext } from "./room-context";
import type { RoomStore } from "./room-store";
import type { Quarantine } from "./quarantine";

/**
 * The project's own settings (core/contract/settings.ts): one JSON document in the room's meta
 * table, read by every user create (the default expiry) and changed by owners, with a line in the
 * activity. A document that no longer parses is set aside and the defaults serve.
 */

/** Meta key of the settings document. */
export const SETTINGS_KEY = "settings";

/** What settings need of the room. */
export type SettingsRoom = Pick<RoomContext, "announce"> & { store: RoomStore; quarantine: Quarantine };

export function readSettings(room: Pick<SettingsRoom, "store" | "quarantine">): ProjectSettings {
  const json = room.store.getMeta(SETTINGS_KEY);
  if (json === undefined) return DEFAULT_PROJECT_SETTINGS;
  return room.quarantine.read("meta", SETTINGS_KEY, json, (raw) => ProjectSettings.parse(raw), () => room.store.deleteMeta(SETTINGS_KEY)) ?? DEFAULT_PROJECT_SETTINGS;
}

/** Stores settings restored from an export, without an activity line (the log comes with them). */
export function restoreSettings(room: Pick<SettingsRoom, "store">, settings: ProjectSettings): void {
  room.store.setMeta(SETTINGS_KEY, JSON.stringify(settings));
}

const days = (n: number): string => (n === 1 ? "1 day" : `${n} days`);

/** An owner's change (the room checked the role): stored, and told in the activity when it changed anything. */
export function putSettings(room: SettingsRoom, actor: string, body: PutProjectSettingsBody): ProjectSettings {
  const before = readSettings(room);
  const next: ProjectSettings = { defaultUserExpiryDays: body.defaultUserExpiryDays };
  if (JSON.stringify(next) === JSON.stringify(before)) return before;
  room.store.setMeta(SETTINGS_KEY, JSON.stringify(next));
  const after = next.defaultUserExpiryDays;
  const message =
    after === null
      ? `${actor} removed the default expiry for new users (was ${days(before.defaultUserExpiryDays ?? 0)}): new users keep access until someone sets a date`
      : `${actor} set the default expiry for new users to ${days(after)}${before.defaultUserExpiryDays === null ? "" : ` (was ${days(before.defaultUserExpiryDays)})`}`;
  room.announce("member", "", { actor, message, tone: "info" });
  logEvent("info", "project_settings_changed", { project: room.store.project()?.id, by: actor, defaultUserExpiryDays: after });
  return next;
}
