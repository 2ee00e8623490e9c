import type { CloudFormationClient, Stack } from "../worker/aws";
import type { BucketSpec, ProjectRecord, ResourceKind, UserSpec } from "../worker/domain/contract";
import { decodeSpecTag, readSpecFromTemplate, TemplateMetadataError } from "../worker/domain/bucket-template";
import { readUserSpecFromTemplate } from "../worker/domain/user-template";
import { parseStackName, TAG_KEYS } from "../worker/domain/naming";
import type { ResourceStack } from "./heal";

export interface ProjectStacks {
  buckets: ResourceStack<BucketSpec>[];
  users: ResourceStack<UserSpec>[];
}

/**
 * Reads every Stackroom stack of the project: DescribeStacks, then GetTemplate per stack for the
 * spec in its Metadata (buckets fall back to the spec tag). The only place these calls run:
 * healing by cron or on demand — never a read path.
 */
export async function readProjectStacks(cloudformation: CloudFormationClient, project: ProjectRecord): Promise<ProjectStacks> {
  const result: ProjectStacks = { buckets: [], users: [] };
  for (const stack of await cloudformation.describeStacks()) {
    const parsed = parseStackName(stack.stackName);
    if (parsed?.projectId !== project.id) continue;
    const base = { name: parsed.name, stackStatus: stack.stackStatus, stackStatusReason: stack.stackStatusReason };
    const spec = await specOf(cloudformation, parsed.kind, stack);
    if (spec === null) console.warn("stack has no readable Stackroom spec; skipped", { stackName: stack.stackName });
    else if (spec.kind === "bucket") result.buckets.push({ ...base, spec: spec.spec });
    else result.users.push({ ...base, spec: spec.spec });
  }
  return result;
}

type KindSpec = { kind: "bucket"; spec: BucketSpec } | { kind: "user"; spec: UserSpec };

async function specOf(cloudformation: CloudFormationClient, kind: ResourceKind, stack: Stack): Promise<KindSpec | null> {
  try {
    const body = await cloudformation.getTemplate(stack.stackName);
    if (kind === "bucket") {
      const metadata = readSpecFromTemplate(body);
      if (metadata) return { kind, spec: metadata.spec };
    } else {
      const metadata = readUserSpecFromTemplate(body);
      if (metadata) return { kind, spec: metadata.spec };
    }
  } catch (err) {
    if (!(err instanceof TemplateMetadataError)) throw err;
  }
  const tag = kind === "bucket" ? stack.tags[TAG_KEYS.spec] : undefined;
  const fromTag = tag ? decodeSpecTag(tag) : null;
  return fromTag ? { kind: "bucket", spec: fromTag } : null;
}
