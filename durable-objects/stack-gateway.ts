import type { StackTag } from "../worker/domain/bucket-template";
import type { CloudFormationClient } from "../worker/aws";

/** The room's view of one project's AWS account; implemented on the aws4fetch client (aws-gateway.ts). */
export interface StackGateway {
  createStack(input: StackInput): Promise<void>;
  /** `changed: false` when CloudFormation reports "No updates are to be performed". */
  updateStack(input: StackInput): Promise<{ changed: boolean }>;
  deleteStack(input: { stackName: string; operationId: string }): Promise<void>;
  /** true when the bucket holds no object versions or delete markers (or does not exist). */
  isBucketEmpty(physicalName: string): Promise<boolean>;
  keys: KeyGateway;
  /** Healing reads stacks directly (DescribeStacks + GetTemplate). */
  cloudformation: CloudFormationClient;
}

export interface StackInput {
  stackName: string;
  templateBody: string;
  tags: StackTag[];
  operationId: string;
  /** IAM resources with explicit names (user stacks) need CAPABILITY_NAMED_IAM. */
  namedIam?: boolean;
}

/** Access keys go through the IAM API, never a template, so secrets never reach CloudFormation. */
export interface KeyGateway {
  create(userName: string): Promise<{ accessKeyId: string; secretAccessKey: string; createdAt: string }>;
  list(userName: string): Promise<Array<{ accessKeyId: string; status: "Active" | "Inactive"; createdAt: string }>>;
  lastUsed(accessKeyId: string): Promise<string | null>;
  setStatus(userName: string, accessKeyId: string, status: "Active" | "Inactive"): Promise<void>;
  remove(userName: string, accessKeyId: string): Promise<void>;
  removeAll(userName: string): Promise<string[]>;
}
