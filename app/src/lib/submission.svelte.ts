import { tick } from "svelte";
import type { z } from "zod";
import { ApiError } from "./api";
import { errorMessage } from "./attempt";

export type FieldErrors = Partial<Record<string, string>>;

/** First message per top-level field, keyed like the API's `fields` (`name`, `expireAfterDays`). */
export function topLevelErrors(issues: readonly z.core.$ZodIssue[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const key = issue.path.length ? String(issue.path[0]) : "";
    errors[key] ??= issue.message;
  }
  return errors;
}

/** First message per dotted path (`permissions.0.prefix`), the way the API keys nested `fields`. */
export function pathErrors(issues: readonly z.core.$ZodIssue[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) errors[issue.path.map(String).join(".")] ??= issue.message;
  return errors;
}

/**
 * After a refused submit, focus goes to the first field marked invalid (once the messages have
 * rendered), so keyboard and screen-reader users land on what to fix.
 */
export async function focusFirstInvalid(form: HTMLFormElement | null): Promise<void> {
  await tick();
  form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
}

/** Submission state shared by the forms: pending flag, server field errors, one form-level error. */
export class Submission {
  pending = $state(false);
  attempted = $state(false);
  server = $state<FieldErrors>({});
  formError = $state<string | null>(null);

  /** Clears the server's messages about a field (and its parts: `sftp` also clears `sftp.sshPublicKeys.0`) once the manager edits it. */
  edited(field: string): void {
    const kept = Object.entries(this.server).filter(([key]) => key !== field && !key.startsWith(`${field}.`));
    if (kept.length !== Object.keys(this.server).length) this.server = Object.fromEntries(kept);
  }

  /**
   * A dialog form's submit: nothing is sent while `body` is null (the form shows why); otherwise
   * `send` runs and its result (the toast to show) comes back, or null when the API refused.
   */
  async submit<B>(event: SubmitEvent, body: B | null, send: (body: B) => Promise<string>): Promise<string | null> {
    event.preventDefault();
    const form = event.currentTarget instanceof HTMLFormElement ? event.currentTarget : null;
    if (body === null) {
      await focusFirstInvalid(form);
      return null;
    }
    let message: string | null = null;
    const done = await this.run(async () => {
      message = await send(body);
    });
    if (!done) await focusFirstInvalid(form);
    return done ? message : null;
  }

  /** Runs `send`; API errors land inline (fields) or above the buttons. True on success. */
  async run(send: () => Promise<unknown>): Promise<boolean> {
    this.pending = true;
    this.formError = null;
    this.server = {};
    try {
      await send();
      return true;
    } catch (err) {
      if (!(err instanceof ApiError)) {
        this.formError = errorMessage(err);
        return false;
      }
      this.server = { ...err.fields };
      // Field messages explain themselves under their inputs; the summary covers the rest.
      if (Object.keys(err.fields).length === 0 || err.code !== "invalid") this.formError = errorMessage(err);
      return false;
    } finally {
      this.pending = false;
    }
  }
}
