import * as z from "zod";
import type { ResourceKind } from "./contract/resource";

/**
 * What every kind's template shares: the version of the `Metadata.Stackroom` block Stackroom
 * writes (and reads back when healing), a stack tag, and reading the block back.
 */
export const TEMPLATE_VERSION = 1;

/** One CloudFormation stack tag (CloudFormation propagates them to the resources it creates). */
export interface StackTag {
  Key: string;
  Value: string;
}

export class TemplateMetadataError extends Error {
  override name = "TemplateMetadataError";
}

const Envelope = z.object({ Metadata: z.object({ Stackroom: z.looseObject({ kind: z.unknown() }) }) });

/**
 * Reads the `Metadata.Stackroom` block of a template body (GetTemplate) for one resource kind.
 * null: not a Stackroom template of that kind (not JSON, no block, another kind). Throws
 * TemplateMetadataError when the block is there but unreadable (hand-edited, or a newer Stackroom).
 */
export function readStackroomMetadata<S extends z.ZodType>(templateBody: string, kind: ResourceKind, schema: S): z.output<S> | null {
  let body: unknown;
  try {
    body = JSON.parse(templateBody);
  } catch {
    return null;
  }
  const envelope = Envelope.safeParse(body);
  if (!envelope.success || envelope.data.Metadata.Stackroom.kind !== kind) return null;
  const parsed = schema.safeParse(envelope.data.Metadata.Stackroom);
  if (!parsed.success) {
    throw new TemplateMetadataError(`Unreadable Stackroom metadata: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  }
  return parsed.data;
}
