/**
 * Each project's bridge posts to that project's own webhook, which the Worker verifies with that
 * project's own secret (what it forwards: core/event-scope.ts).
 */
const WEBHOOK_PATH = "/webhooks/cloudformation";

/** `https://<worker>/webhooks/cloudformation/<project>` for a Worker origin. */
export function projectWebhookUrl(workerOrigin: string, projectId: string): string {
  return `${new URL(workerOrigin).origin}${WEBHOOK_PATH}/${encodeURIComponent(projectId)}`;
}

/** Whether `url` is the webhook of `projectId` (no query or fragment: nothing else names a project). */
export function isProjectWebhookUrl(url: string, projectId: string): boolean {
  const parsed = URL.canParse(url) ? new URL(url) : null;
  return parsed !== null && parsed.pathname === `${WEBHOOK_PATH}/${projectId}` && parsed.search === "" && parsed.hash === "";
}
