/**
 * The Worker's AWS client: STS, CloudFormation, IAM access keys (Query API) and a little S3,
 * signed with aws4fetch so it runs inside workerd. Every call is retried (bounded, full jitter) on
 * throttling, 5xx and network errors — CreateAccessKey on throttling only — and fails with a
 * typed `AwsError`. `queryClient` is the same transport for any Query-API action, for local tooling
 * and tests only (its action names are not scanned by the permission tests).
 */
export { projectAws, type ProjectAws, type ProjectAwsOptions } from "./project-aws";
export {
  cloudFormationClient,
  type Capability,
  type CloudFormationClient,
  type CloudFormationOptions,
  type DeleteStackInput,
  type Stack,
  type StackInput,
  type UpdateStackResult,
} from "./cloudformation";
export {
  iamClient,
  iamEndpoint,
  type AccessKey,
  type AccessKeyLastUsed,
  type AccessKeyStatus,
  type IamClient,
  type NewAccessKey,
} from "./iam";
export { queryClient, type QueryCall, type QueryServiceName } from "./query-client";
export { s3Client, type BucketContents, type S3Client } from "./s3";
export { transferClient, type TransferClient, type TransferServer } from "./transfer";
export { assumeRole, assumedRoleCredentials, callerIdentity, type AssumeRoleOptions, type TemporaryCredentials } from "./sts";
export { AwsError, type AwsErrorKind } from "./errors";
export type { RetryOptions } from "./retry";
export type { AwsFetch, CredentialSource, Credentials, ServiceOptions } from "./transport";
