import type { StackTag } from "../core/bucket-template";
import { projectAws, type Capability, type CloudFormationClient } from "../core/aws";
import type { BucketUsage } from "../core/aws/s3";
import type { ProjectRecord } from "../core/contract";
import { observe } from "../core/telemetry";

/** The room's view of one project's AWS account (the port tests replace with a recording fake), on the aws4fetch client below. */
export interface StackGateway {
  createStack(input: StackInput): Promise<void>;
  /** `changed: false` when CloudFormation reports "No updates are to be performed". */
  updateStack(input: StackInput): Promise<{ changed: boolean }>;
  deleteStack(input: { stackName: string; operationId: string }): Promise<void>;
  /** true when the bucket holds no object versions or delete markers (or does not exist). */
  isBucketEmpty(physicalName: string): Promise<boolean>;
  /** Objects and bytes the bucket holds now (one ListObjectsV2 page). */
  bucketUsage(physicalName: string): Promise<BucketUsage>;
  keys: KeyGateway;
  /** Healing reads stacks directly (DescribeStacks + GetTemplate). */
  cloudformation: CloudFormationClient;
  /** The SFTP server's host-key fingerprint as Transfer Family answers it (DescribeServer), or undefined while it has none. */
  sftpHostKeyFingerprint(serverId: string): Promise<string | undefined>;
}

export interface StackInput {
  stackName: string;
  templateBody: string;
  tags: StackTag[];
  operationId: string;
  /**
   * What the template may do with IAM: CAPABILITY_NAMED_IAM for IAM resources with explicit names
   * (the user stack's IAM user), CAPABILITY_IAM for unnamed ones (the SFTP server's logging role).
   */
  capabilities?: readonly Capability[];
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

/** The room's StackGateway on the aws4fetch client, acting through the project's role. */
export function awsGateway(env: Env, project: ProjectRecord): StackGateway {
  const { cloudformation, s3, iam, transfer } = projectAws({
    endpoint: env.AWS_ENDPOINT || undefined,
    hubCredentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    project,
    // AccessDenied, ExpiredToken, throttling that outlasted the retries: one line and one data point each.
    onFailure: ({ service, action, error }) =>
      observe(env.METRICS, { event: "aws_error", project: project.id, service, action, code: error.code, status: error.status }, { kind: error.kind, awsRequestId: error.requestId, message: error.message.slice(0, 300) }),
  });
  const stackInput = (input: StackInput) => ({
    stackName: input.stackName,
    templateBody: input.templateBody,
    tags: Object.fromEntries(input.tags.map((t) => [t.Key, t.Value])),
    notificationArns: [project.topicArn],
    clientRequestToken: input.operationId,
    ...(input.capabilities?.length ? { capabilities: input.capabilities } : {}),
  });
  return {
    cloudformation,
    async createStack(input) {
      await cloudformation.createStack(stackInput(input));
    },
    async updateStack(input) {
      const result = await cloudformation.updateStack(stackInput(input));
      return { changed: result.changed };
    },
    async deleteStack({ stackName, operationId }) {
      await cloudformation.deleteStack({ stackName, clientRequestToken: operationId });
    },
    async isBucketEmpty(physicalName) {
      return (await s3.isBucketEmpty(physicalName)).empty;
    },
    bucketUsage: (physicalName) => s3.bucketUsage(physicalName),
    sftpHostKeyFingerprint: async (serverId) => (await transfer.describeServer(serverId)).hostKeyFingerprint,
    keys: {
      async create(userName) {
        const key = await iam.createAccessKey(userName);
        return { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, createdAt: key.createdAt.toISOString() };
      },
      async list(userName) {
        return (await iam.listAccessKeys(userName)).map((k) => ({ accessKeyId: k.accessKeyId, status: k.status, createdAt: k.createdAt.toISOString() }));
      },
      async lastUsed(accessKeyId) {
        return (await iam.getAccessKeyLastUsed(accessKeyId)).lastUsedAt?.toISOString() ?? null;
      },
      setStatus: (userName, accessKeyId, status) => iam.updateAccessKey(userName, accessKeyId, status),
      remove: (userName, accessKeyId) => iam.deleteAccessKey(userName, accessKeyId),
      removeAll: (userName) => iam.deleteAllAccessKeys(userName),
    },
  };
}
