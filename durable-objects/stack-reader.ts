import type { CloudFormationClient } from "../worker/aws";
import type { BucketSpec, ProjectRecord } from "../worker/domain/contract";
import { decodeSpecTag, readSpecFromTemplate, TemplateMetadataError } from "../worker/domain/bucket-template";
import { parseStackName, physicalBucketName, TAG_KEYS } from "../worker/domain/naming";

/** A bucket stack as CloudFormation itself describes it: the truth the cache heals towards. */
export interface BucketStack {
  name: string;
  physicalName: string;
  spec: BucketSpec;
  stackStatus: string;
  stackStatusReason?: string;
  at: string;
}

/**
 * Reads every bucket stack of the project (DescribeStacks, then GetTemplate per stack for the
 * spec in its Metadata, falling back to the spec tag). This is the only place these calls run:
 * healing by cron or on demand — never a read path.
 */
export async function readBucketStacks(cloudformation: CloudFormationClient, project: ProjectRecord): Promise<BucketStack[]> {
  const stacks = (await cloudformation.describeStacks()).filter((s) => {
    const parsed = parseStackName(s.stackName);
    return parsed?.projectId === project.id && parsed.kind === "bucket";
  });
  const result: BucketStack[] = [];
  for (const stack of stacks) {
    const parsed = parseStackName(stack.stackName);
    if (!parsed) continue;
    const spec = await specOf(cloudformation, stack.stackName, stack.tags);
    if (!spec) {
      console.warn("stack has no readable Stackroom spec; skipped", { stackName: stack.stackName });
      continue;
    }
    result.push({
      name: parsed.name,
      physicalName: physicalBucketName(project.id, project.accountId, project.region, parsed.name),
      spec,
      stackStatus: stack.stackStatus,
      stackStatusReason: stack.stackStatusReason,
      at: (stack.lastUpdatedTime ?? stack.creationTime).toISOString(),
    });
  }
  return result;
}

async function specOf(cloudformation: CloudFormationClient, stackName: string, tags: Record<string, string>): Promise<BucketSpec | null> {
  try {
    const metadata = readSpecFromTemplate(await cloudformation.getTemplate(stackName));
    if (metadata) return metadata.spec;
  } catch (err) {
    if (!(err instanceof TemplateMetadataError)) throw err;
  }
  const tag = tags[TAG_KEYS.spec];
  return tag ? decodeSpecTag(tag) : null;
}
