import type { StackEvent } from "../worker/domain/contract/stack-event";

/**
 * A bridge serves one project in one account: its topic takes any publisher CloudFormation lets
 * through, so the bridge forwards only stack events of its own project's stacks in its own
 * account, to its own project's webhook (which the Worker verifies with that project's secret).
 */
export interface ProjectScope {
  projectId: string;
  accountId: string;
}

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

const STACK_ARN = /^arn:aws[a-z-]*:cloudformation:[a-z0-9-]+:(\d{12}):stack\/([^/]+)\//;

/** Why `event` is not this bridge's to forward; null when it is. */
export function foreignEventReason(event: StackEvent, scope: ProjectScope): string | null {
  if (!event.stackName.startsWith(`stackroom-${scope.projectId}-`)) return `stack ${event.stackName} is not of project ${scope.projectId}`;
  if (event.namespace !== scope.accountId) return `namespace ${event.namespace} is not account ${scope.accountId}`;
  const arn = STACK_ARN.exec(event.stackId);
  if (!arn || arn[1] !== scope.accountId || arn[2] !== event.stackName) return `stack id ${event.stackId} does not match the stack name and account`;
  return null;
}
