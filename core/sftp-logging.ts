import { ProjectId } from "./contract/project";
import { projectIamPath } from "./project-boundary";
import type { PolicyDocument } from "./user-policy";

/**
 * Where the project's SFTP server logs, and the cap on the role Transfer Family writes there with.
 * The bridge stack (aws-bridge/template.yaml) creates the logging boundary, like the project
 * boundary: the execution role may create a role only under one of the two, so the logging role a
 * server stack declares can never do more than write this one log group.
 */

const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

function checked(projectId: string, accountId: string, region?: string): string {
  if (!ACCOUNT_ID.test(accountId)) throw new Error(`Invalid AWS account id: ${accountId}`);
  if (region !== undefined && !REGION.test(region)) throw new Error(`Invalid AWS region: ${region}`);
  return ProjectId.parse(projectId);
}

/** `/aws/transfer/stackroom-<project>`: fixed, so the boundary can name it before it exists. */
export const sftpLogGroupName = (projectId: string) => `/aws/transfer/stackroom-${ProjectId.parse(projectId)}`;

/**
 * The log group and its streams. CloudWatch Logs authorizes the group itself as
 * `log-group:<name>` and streams as `log-group:<name>:log-stream:<stream>`; `:*` covers the latter.
 */
export function sftpLogGroupArns(projectId: string, accountId: string, region: string): string[] {
  checked(projectId, accountId, region);
  const group = `arn:aws:logs:${region}:${accountId}:log-group:${sftpLogGroupName(projectId)}`;
  return [group, `${group}:*`];
}

/** `stackroom-<project>-sftp-logging-boundary`, beside the project boundary under the project path. */
export const sftpLoggingBoundaryName = (projectId: string) => `stackroom-${ProjectId.parse(projectId)}-sftp-logging-boundary`;

export function sftpLoggingBoundaryArn(projectId: string, accountId: string): string {
  checked(projectId, accountId);
  return `arn:aws:iam::${accountId}:policy${projectIamPath(projectId)}${sftpLoggingBoundaryName(projectId)}`;
}

/** What Transfer Family's logging role does (user guide, "CloudWatch logging role"): open streams and write events. */
const SFTP_LOGGING_ACTIONS = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"] as const;

/** The logging role's policy, and equally its boundary: those actions on the project's SFTP log group only. */
export function sftpLoggingDocument(projectId: string, accountId: string, region: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "WriteSftpLogs", Effect: "Allow", Action: [...SFTP_LOGGING_ACTIONS], Resource: sftpLogGroupArns(projectId, accountId, region) }],
  };
}
