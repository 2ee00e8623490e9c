import type { StackTag } from "../core/template-metadata";
import { projectAws, type Capability, type CloudFormationClient, type ProjectAws } from "../core/aws";
import type { KeyLastUse, ProjectRecord } from "../core/contract";
import { observe } from "../core/telemetry";

/**
 * The room's view of one project's AWS account for what every kind does (the port tests replace
 * with a recording fake), on the aws4fetch client below. What one kind alone asks AWS (S3 for
 * buckets, Transfer Family for the SFTP server) is that kind's own piece.
 */
export interface StackGateway {
  createStack(input: StackInput): Promise<void>;
  /** `changed: false` when CloudFormation reports "No updates are to be performed". */
  updateStack(input: StackInput): Promise<{ changed: boolean }>;
  deleteStack(input: { stackName: string; operationId: string }): Promise<void>;
  keys: KeyGateway;
  /** Healing reads stacks directly (DescribeStacks + GetTemplate). */
  cloudformation: CloudFormationClient;
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
interface KeyGateway {
  create(userName: string): Promise<{ accessKeyId: string; secretAccessKey: string; createdAt: string }>;
  list(userName: string): Promise<Array<{ accessKeyId: string; status: "Active" | "Inactive"; createdAt: string }>>;
  /** Where and when IAM last saw the key sign a request; null: never. */
  lastUse(accessKeyId: string): Promise<KeyLastUse | null>;
  setStatus(userName: string, accessKeyId: string, status: "Active" | "Inactive"): Promise<void>;
  remove(userName: string, accessKeyId: string): Promise<void>;
  removeAll(userName: string): Promise<string[]>;
}

/** The project account's clients on aws4fetch, acting through the project's role; every failure is logged and counted. */
export function projectClients(env: Env, project: ProjectRecord): ProjectAws {
  return projectAws({
    endpoint: env.AWS_ENDPOINT || undefined,
    hubCredentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    project,
    // AccessDenied, ExpiredToken, throttling that outlasted the retries: one line and one data point each.
    onFailure: ({ service, action, error }) =>
      observe(env.METRICS, { event: "aws_error", project: project.id, service, action, code: error.code, status: error.status }, { kind: error.kind, awsRequestId: error.requestId, message: error.message.slice(0, 300) }),
  });
}

/** The room's StackGateway on the project's clients (`projectClients`). */
export function awsGateway(aws: Pick<ProjectAws, "cloudformation" | "iam">, project: Pick<ProjectRecord, "topicArn">): StackGateway {
  const { cloudformation, iam } = aws;
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
    keys: {
      async create(userName) {
        const key = await iam.createAccessKey(userName);
        return { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, createdAt: key.createdAt.toISOString() };
      },
      async list(userName) {
        return (await iam.listAccessKeys(userName)).map((k) => ({ accessKeyId: k.accessKeyId, status: k.status, createdAt: k.createdAt.toISOString() }));
      },
      async lastUse(accessKeyId) {
        const used = await iam.getAccessKeyLastUsed(accessKeyId);
        return used.lastUsedAt ? { at: used.lastUsedAt.toISOString(), service: used.serviceName ?? null, region: used.region ?? null } : null;
      },
      setStatus: (userName, accessKeyId, status) => iam.updateAccessKey(userName, accessKeyId, status),
      remove: (userName, accessKeyId) => iam.deleteAccessKey(userName, accessKeyId),
      removeAll: (userName) => iam.deleteAllAccessKeys(userName),
    },
  };
}
