import { NotificationEventType, type NotificationDelivery, type NotificationFormat, type NotificationsView, type PutNotificationsBody } from "$contract";

/** Each event a project can be told, in managers' words. */
export const eventWords = {
  upload: { label: "Uploads", hint: "files added to a bucket" },
  delete: { label: "Deletes", hint: "files removed from a bucket" },
  failure: { label: "Failed operations", hint: "a bucket, user or SFTP change that failed" },
  "link-opened": { label: "A link opened", hint: "a one-time link was opened by its recipient" },
  "access-expiring": { label: "Access about to expire", hint: "reminders before a user's access ends" },
} satisfies Record<NotificationEventType, { label: string; hint: string }>;

export const eventTypes = NotificationEventType.options;

/** Each format, and what it suits. */
export const formatWords = {
  slack: { label: "Slack", hint: "a Slack incoming webhook (https://hooks.slack.com/services/…)" },
  teams: { label: "Microsoft Teams", hint: "a Teams Workflows webhook (“Post to a channel when a webhook request is received”)" },
  json: { label: "JSON (signed)", hint: "your own endpoint: {project, events}, signed in the Stackroom-Signature header with the project's secret" },
} satisfies Record<NotificationFormat, { label: string; hint: string }>;

/** "At once", "Every minute", "Every 15 minutes". */
export function digestWords(minutes: number): string {
  if (minutes === 0) return "At once";
  return minutes === 1 ? "Every minute" : `Every ${minutes} minutes`;
}

/** The form's fields, as typed. */
export interface NotificationDraft {
  webhookUrl: string;
  format: NotificationFormat;
  events: NotificationEventType[];
  /** What the number field holds: null when it is empty. */
  digestMinutes: number | null;
}

export function draftOf(view: Pick<NotificationsView, "webhookUrl" | "format" | "events" | "digestMinutes">): NotificationDraft {
  return { webhookUrl: view.webhookUrl ?? "", format: view.format, events: [...view.events], digestMinutes: view.digestMinutes };
}

/** The PUT body of a draft (the server checks it again and names any field it refuses). */
export function bodyOf(draft: NotificationDraft, rotateSecret: boolean): PutNotificationsBody {
  const url = draft.webhookUrl.trim();
  // An empty field is not 0: it goes as it is (null) and the server names the field.
  const minutes = draft.digestMinutes ?? Number.NaN;
  return {
    webhookUrl: url === "" ? null : url,
    format: draft.format,
    events: eventTypes.filter((e) => draft.events.includes(e)),
    digestMinutes: minutes,
    ...(rotateSecret ? { rotateSecret: true } : {}),
  };
}

/** Whether the draft differs from what is saved. */
export function changed(draft: NotificationDraft, saved: NotificationDraft): boolean {
  return JSON.stringify(bodyOf(draft, false)) !== JSON.stringify(bodyOf(saved, false));
}

/** A delivery's outcome in a few words: "Delivered · HTTP 200", "Failed · HTTP 500 · try 1 of 6". */
export function outcomeWords(d: NotificationDelivery): string {
  const status = d.status === undefined ? "no answer" : `HTTP ${d.status}`;
  const tries = d.attempt > 1 ? ` · try ${d.attempt}` : "";
  return d.outcome === "ok" ? `Delivered · ${status}${tries}` : `Failed · ${status}${tries}`;
}
