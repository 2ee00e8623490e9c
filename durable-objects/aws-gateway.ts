import { projectAws } from "../worker/aws";
import type { ProjectRecord } from "../worker/domain/contract";
import type { StackGateway, StackInput } from "./stack-gateway";

/** The room's StackGateway on the aws4fetch client, acting through the project's role. */
export function awsGateway(env: Env, project: ProjectRecord): StackGateway {
  const { cloudformation, s3, iam } = projectAws({
    endpoint: env.AWS_ENDPOINT || undefined,
    hubCredentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    project,
  });
  const stackInput = (input: StackInput) => ({
    stackName: input.stackName,
    templateBody: input.templateBody,
    tags: Object.fromEntries(input.tags.map((t) => [t.Key, t.Value])),
    notificationArns: [project.topicArn],
    clientRequestToken: input.operationId,
    ...(input.namedIam ? { capabilities: ["CAPABILITY_NAMED_IAM" as const] } : {}),
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
