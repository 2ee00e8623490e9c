import type { Capability, StackInput } from "./aws/cloudformation";
import type { StackTag } from "./template-metadata";

/**
 * A resource's stack as Stackroom writes it (bucketStackInput, userStackInput): what CreateStack
 * and UpdateStack are given before the room adds its operation id and the project's topic.
 * Production and every test or bench stack made "as Stackroom would" start from the same value.
 */
export interface ResourceStackInput {
  stackName: string;
  templateBody: string;
  tags: StackTag[];
  capabilities?: readonly Capability[];
}

/** The same stack for the CloudFormation client (core/aws), which takes tags as a record. */
export function clientStackInput(input: ResourceStackInput): StackInput {
  return {
    stackName: input.stackName,
    templateBody: input.templateBody,
    tags: Object.fromEntries(input.tags.map((t) => [t.Key, t.Value])),
    ...(input.capabilities?.length ? { capabilities: input.capabilities } : {}),
  };
}
