import type { StackEvent } from "./contract/stack-event";

/**
 * Whose a CloudFormation stack event is. A project's bridge forwards, and the Worker's webhook of
 * that project accepts, only events of that project's stacks in that project's AWS account:
 * anyone who can publish to one project's topic must not be able to move another project.
 */
export interface ProjectScope {
  projectId: string;
  accountId: string;
}

const STACK_ARN = /^arn:aws[a-z-]*:cloudformation:[a-z0-9-]+:(\d{12}):stack\/([^/]+)\//;

/** Why `event` is not of `scope`; null when it is (stack name, Namespace and stack id all agree). */
export function foreignEventReason(event: StackEvent, scope: ProjectScope): string | null {
  if (!event.stackName.startsWith(`stackroom-${scope.projectId}-`)) return `stack ${event.stackName} is not of project ${scope.projectId}`;
  if (event.namespace !== scope.accountId) return `namespace ${event.namespace} is not account ${scope.accountId}`;
  const arn = STACK_ARN.exec(event.stackId);
  if (!arn || arn[1] !== scope.accountId || arn[2] !== event.stackName) return `stack id ${event.stackId} does not match the stack name and account`;
  return null;
}
