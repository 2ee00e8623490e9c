import type { ProjectRecord } from "../contract";
import { cloudFormationClient, type CloudFormationClient } from "./cloudformation";
import { iamClient, type IamClient } from "./iam";
import type { RetryOptions } from "./retry";
import { s3Client, type S3Client } from "./s3";
import { transferClient, type TransferClient } from "./transfer";
import { assumedRoleCredentials } from "./sts";
import type { AwsFetch, Credentials, ServiceOptions } from "./transport";

export interface ProjectAwsOptions {
  /** `env.AWS_ENDPOINT`: moto's URL locally, empty for real AWS. */
  endpoint?: string;
  /** The hub account's credentials (`env.AWS_ACCESS_KEY_ID` / `env.AWS_SECRET_ACCESS_KEY`). */
  hubCredentials: Credentials;
  project: Pick<ProjectRecord, "id" | "region" | "roleArn" | "externalId" | "executionRoleArn">;
  fetch?: AwsFetch;
  retry?: Partial<RetryOptions>;
  /** Told of every call that failed for good, AssumeRole included (logs and metrics). */
  onFailure?: ServiceOptions["onFailure"];
}

/** The AWS clients of one project account. */
export interface ProjectAws {
  cloudformation: CloudFormationClient;
  s3: S3Client;
  iam: IamClient;
  transfer: TransferClient;
}

/**
 * Clients acting in the project's account and region. Nothing is called until the first request;
 * then the project role is assumed (session `stackroom-<project>`) and its credentials are
 * cached per isolate, shared by every `projectAws` of the same project. Stack operations pass
 * the project's execution role, if it has one, as CloudFormation's service role. IAM is global:
 * its client signs for the partition's home region, whatever the project's region.
 */
export function projectAws(options: ProjectAwsOptions): ProjectAws {
  const { project, endpoint, fetch, retry, onFailure } = options;
  const credentials = assumedRoleCredentials({
    hubCredentials: options.hubCredentials,
    roleArn: project.roleArn,
    externalId: project.externalId,
    sessionName: `stackroom-${project.id}`,
    region: project.region,
    endpoint,
    fetch,
    retry,
    onFailure,
  });
  const service = { region: project.region, credentials, endpoint, fetch, retry, onFailure };
  return {
    cloudformation: cloudFormationClient({ ...service, roleArn: project.executionRoleArn }),
    s3: s3Client(service),
    iam: iamClient(service),
    transfer: transferClient(service),
  };
}
