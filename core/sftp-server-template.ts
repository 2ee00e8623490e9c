import * as z from "zod";
import { TEMPLATE_VERSION, type StackTag } from "./template-metadata";
import { ProjectId } from "./contract/project";
import { SftpServerSpec } from "./contract/sftp";
import { TAG_KEYS } from "./naming";
import { projectIamPath } from "./project-boundary";
import { sftpLogGroupName, sftpLoggingBoundaryArn, sftpLoggingDocument } from "./sftp-logging";
import { readStackroomMetadata } from "./template-metadata";

/**
 * Security policies: the newest general SFTP policy (Transfer Family user guide, "Security
 * policies for AWS Transfer Family servers": 2025-03 follows 2024-01; the AS2Restricted-2025-07
 * policy is for AS2 only). Written explicitly because CloudFormation's default is still
 * TransferSecurityPolicy-2018-11. cfn-lint checks only the `TransferSecurityPolicy-` prefix.
 */
const SFTP_SECURITY_POLICY = "TransferSecurityPolicy-2025-03";

/** A year, like the bridge's log group (Control Tower CT.CLOUDWATCH.PR.2 asks for at least 365 days). */
const SFTP_LOG_RETENTION_DAYS = 365;

export const DEFAULT_SFTP_SERVER_SPEC: SftpServerSpec = { securityPolicy: SFTP_SECURITY_POLICY, logRetentionDays: SFTP_LOG_RETENTION_DAYS };

interface SftpServerTemplateInput {
  projectId: string;
  accountId: string;
  region: string;
  spec?: SftpServerSpec;
}

/**
 * The export every SFTP user stack imports. It carries the server's ARN, not its id: moto answers
 * `Ref` of a Transfer server with nothing, and an Export computed from it with Fn::Split makes
 * CreateStack fail (HTTP 500), whereas a plain Ref export is accepted. The user template takes the
 * id out of the ARN itself (sftp-user.ts).
 */
export const sftpServerExportName = (projectId: string) => `stackroom-${ProjectId.parse(projectId)}-sftp-server-arn`;

/**
 * `Ref` of an AWS::Transfer::Server is its ARN (the resource schema's primaryIdentifier),
 * `arn:aws:transfer:<region>:<account>:server/s-<17 hex>`; the id is the part after the slash.
 * Derived this way because moto fails CreateStack on any Fn::GetAtt of a Transfer resource.
 */
export const serverIdOf = (serverArn: object) => ({ "Fn::Select": [1, { "Fn::Split": ["/", serverArn] }] });

/**
 * Who may assume a role the project gives AWS Transfer Family (the server's logging role, each SFTP
 * user's role): Transfer Family, and only on behalf of this account (`aws:SourceAccount`, the
 * confused-deputy guard the Transfer Family user guide recommends).
 */
export function transferTrustPolicy(accountId: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "transfer.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
      },
    ],
  };
}

/**
 * The CloudFormation template (JSON) of the project's SFTP server, stack `stackroom-<project>-sftp`;
 * deterministic for equal inputs. SFTP only, on a public endpoint, with users and keys managed by
 * the service (each user stack declares its AWS::Transfer::User), JSON structured logs to a log
 * group kept for a year, and a logging role capped by the project's SFTP logging boundary.
 */
export function sftpServerTemplate(input: SftpServerTemplateInput): string {
  const projectId = ProjectId.parse(input.projectId);
  const spec = SftpServerSpec.parse(input.spec ?? DEFAULT_SFTP_SERVER_SPEC);
  const logging = sftpLoggingDocument(projectId, input.accountId, input.region);
  const template = {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: `Stackroom SFTP server of project ${projectId}. Managed by Stackroom; do not edit by hand.`,
    // The spec lives here so a lost cache can be rebuilt from GetTemplate alone.
    Metadata: { Stackroom: { kind: "sftp", project: projectId, spec: { securityPolicy: spec.securityPolicy, logRetentionDays: spec.logRetentionDays }, version: TEMPLATE_VERSION } },
    Resources: {
      // A fixed name, so the logging boundary can name it; deleted with the stack (disabling SFTP).
      LogGroup: {
        Type: "AWS::Logs::LogGroup",
        DeletionPolicy: "Delete",
        UpdateReplacePolicy: "Delete",
        Properties: { LogGroupName: sftpLogGroupName(projectId), RetentionInDays: spec.logRetentionDays },
      },
      // Transfer Family writes workflow and legacy session logs with this role; the structured
      // logs reach the group through CloudWatch Logs' log delivery, which the stack sets up.
      LoggingRole: {
        Type: "AWS::IAM::Role",
        Properties: {
          Path: projectIamPath(projectId),
          Description: `Lets AWS Transfer Family write the SFTP logs of Stackroom project ${projectId}.`,
          PermissionsBoundary: sftpLoggingBoundaryArn(projectId, input.accountId),
          AssumeRolePolicyDocument: transferTrustPolicy(input.accountId),
          Policies: [{ PolicyName: "stackroom-sftp-logging", PolicyDocument: logging }],
        },
      },
      Server: {
        Type: "AWS::Transfer::Server",
        Properties: {
          Domain: "S3",
          Protocols: ["SFTP"],
          EndpointType: "PUBLIC",
          IdentityProviderType: "SERVICE_MANAGED",
          SecurityPolicyName: spec.securityPolicy,
          LoggingRole: { "Fn::GetAtt": ["LoggingRole", "Arn"] },
          // The log group's Arn attribute ends in `:*`, the form Transfer Family asks for.
          StructuredLogDestinations: [{ "Fn::GetAtt": ["LogGroup", "Arn"] }],
        },
      },
    },
    Outputs: {
      ServerId: { Description: "Transfer Family server id (s-…); the host is <id>.server.transfer.<region>.amazonaws.com", Value: serverIdOf({ Ref: "Server" }) },
      ServerArn: { Description: "Transfer Family server ARN; imported by every SFTP user stack", Value: { Ref: "Server" }, Export: { Name: sftpServerExportName(projectId) } },
    },
  };
  return JSON.stringify(template, null, 2);
}

/** Stack tags of the SFTP server stack (propagated to the server, role and log group). */
export function sftpStackTags(input: { projectId: string; spec?: SftpServerSpec }): StackTag[] {
  const spec = SftpServerSpec.parse(input.spec ?? DEFAULT_SFTP_SERVER_SPEC);
  return [
    { Key: TAG_KEYS.project, Value: ProjectId.parse(input.projectId) },
    { Key: TAG_KEYS.kind, Value: "sftp" },
    { Key: TAG_KEYS.spec, Value: `v${TEMPLATE_VERSION} policy=${spec.securityPolicy} logRetentionDays=${spec.logRetentionDays}` },
  ];
}

const StackroomMetadata = z.object({
  kind: z.literal("sftp"),
  project: ProjectId,
  spec: SftpServerSpec,
  version: z.literal(TEMPLATE_VERSION),
});
type SftpServerTemplateMetadata = z.infer<typeof StackroomMetadata>;

/**
 * Reads the spec back from a template body (GetTemplate). null: not a Stackroom SFTP server
 * template. Throws TemplateMetadataError when its Stackroom metadata is there but unreadable.
 */
export function readSftpSpecFromTemplate(templateBody: string): SftpServerTemplateMetadata | null {
  return readStackroomMetadata(templateBody, "sftp", StackroomMetadata);
}
