import * as z from "zod";
import { IsoTime, LiveFrame, Member, ProjectRecord, ProjectSettings, Share } from "./contract";

/**
 * A deployment's own state as `npm run ops -- export` writes it and `import` restores it into an
 * empty deployment: the registry, and per project its members, its links' metadata (never a
 * ciphertext, key or proof), its activity log and its settings. Resources are not in it: CloudFormation holds
 * them, and a resync after the import reads them back (that is what healing is for).
 */

/** A link as exported: its public metadata and the hash of its id (so a restored link still answers its recipient with why it is gone). */
const ExportedLink = Share.extend({ idHash: z.string().regex(/^[0-9a-f]{64}$/) });
type ExportedLink = z.infer<typeof ExportedLink>;

export const ProjectExport = z.object({
  project: ProjectRecord,
  members: z.array(Member),
  links: z.array(ExportedLink),
  /** The room's change log (the activity feed and the live frames' tail) and the seq it had reached. */
  activity: z.object({ seq: z.number().int().nonnegative(), frames: z.array(LiveFrame) }),
  /** The project's own settings (absent in exports made before there were any: the defaults). */
  settings: ProjectSettings.optional(),
});
export type ProjectExport = z.infer<typeof ProjectExport>;

export const DeploymentExport = z.object({
  format: z.literal("stackroom-export"),
  version: z.literal(1),
  exportedAt: IsoTime,
  projects: z.array(ProjectExport),
});
export type DeploymentExport = z.infer<typeof DeploymentExport>;

/** What a restored link that was still waiting says: its ciphertext was (rightly) not exported, so it can never open. */
export const RESTORED_WITHOUT_PAYLOAD = "Stackroom ops (restored without the encrypted payload)";
