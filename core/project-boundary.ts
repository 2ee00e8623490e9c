import { ProjectId } from "./contract/project";
import { bucketSuffix } from "./naming";
import { BUCKET_ACTIONS, OBJECT_ACTIONS, type PolicyDocument } from "./user-policy";

/**
 * The one permissions boundary of a project. The bridge stack (aws-bridge/template.yaml) creates
 * it, every user stack references it by ARN, and the execution role may create or change a user
 * only with exactly this ARN as its boundary (iam:PermissionsBoundary). No role in the project
 * account may change or delete it, so nothing a user stack declares can lift the cap.
 *
 * Partition `aws` only, like every ARN the project record holds (ProjectRecord.roleArn).
 */

const ACCOUNT_ID = /^\d{12}$/;

/** The IAM path of every user (and of the boundary) of a project. */
export const projectIamPath = (projectId: string) => `/stackroom/${ProjectId.parse(projectId)}/`;

/** `stackroom-<project>-boundary`: fixed, so the bridge template, roles and user templates agree. */
export const projectBoundaryName = (projectId: string) => `stackroom-${ProjectId.parse(projectId)}-boundary`;

/** The boundary's ARN: `arn:aws:iam::<account>:policy/stackroom/<project>/stackroom-<project>-boundary`. */
export function projectBoundaryArn(projectId: string, accountId: string): string {
  if (!ACCOUNT_ID.test(accountId)) throw new Error(`Invalid AWS account id: ${accountId}`);
  return `arn:aws:iam::${accountId}:policy${projectIamPath(projectId)}${projectBoundaryName(projectId)}`;
}

/**
 * The boundary's document: S3 bucket/object actions on the project's buckets only (every physical
 * name ends in `-<bucketSuffix>`), and only in the project's account — bucket names are global,
 * so a project bucket name freed by deletion and taken by someone else stays out of reach. No
 * expiry here: one boundary serves every user, so a user's expiry is an explicit Deny in its own
 * inline policy (userPolicyDocument).
 */
export function projectBoundaryDocument(projectId: string, accountId: string, region: string): PolicyDocument {
  if (!ACCOUNT_ID.test(accountId)) throw new Error(`Invalid AWS account id: ${accountId}`);
  const buckets = `arn:aws:s3:::*-${bucketSuffix(projectId, accountId, region)}`;
  const Condition = { StringEquals: { "aws:ResourceAccount": accountId } };
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ProjectBuckets", Effect: "Allow", Action: [...BUCKET_ACTIONS], Resource: buckets, Condition },
      { Sid: "ProjectObjects", Effect: "Allow", Action: OBJECT_ACTIONS, Resource: `${buckets}/*`, Condition },
    ],
  };
}
