import type { ProjectRecord } from "../worker/domain/contract";
import type { StackTag } from "../worker/domain/bucket-template";

/** The room's view of CloudFormation/S3 for one project; implemented on the aws4fetch client. */
export interface StackGateway {
  createStack(input: StackInput): Promise<void>;
  /** `changed: false` when CloudFormation reports "No updates are to be performed". */
  updateStack(input: StackInput): Promise<{ changed: boolean }>;
  deleteStack(input: { stackName: string; operationId: string }): Promise<void>;
  /** true when the bucket holds no object versions or delete markers (or does not exist). */
  isBucketEmpty(physicalName: string): Promise<boolean>;
}

export interface StackInput {
  stackName: string;
  templateBody: string;
  tags: StackTag[];
  operationId: string;
}

export type GatewayFactory = (project: ProjectRecord) => StackGateway;
