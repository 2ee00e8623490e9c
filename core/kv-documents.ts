import * as z from "zod";
import { Member, ProjectRecord, SnapshotFrame } from "./contract";

/**
 * The KV documents the Durable Objects write and the Worker reads: copies for fast reads, never
 * the authority. Each key has one writer (a project's room, or the registry); a reader that finds
 * one missing or unreadable asks that writer instead and has it written again.
 */

/**
 * The project's state as the room last wrote it. Reads are answered from here (never from
 * CloudFormation); `seq` tells the live socket where to resume, so snapshot + log tail is exact
 * even though KV is eventually consistent.
 */
export const Snapshot = SnapshotFrame.omit({ type: true }).extend({
  seq: z.number().int().nonnegative(),
  members: z.array(Member).default([]),
  writtenAt: z.string(),
});
export type Snapshot = z.infer<typeof Snapshot>;

export const snapshotKey = (projectId: string): string => `project:${projectId}:snapshot`;

/** Workers KV's largest value (25 MiB): the project snapshot is one value (room-view.ts guards it). */
export const KV_VALUE_LIMIT_BYTES = 25 * 1024 * 1024;

/**
 * What the room stores beside the snapshot as KV metadata: its version (the seq it holds and when
 * it was written), which reads turn into an ETag without reading the (large) snapshot itself; and
 * the text's length (String length), by which a reader knows the text is the room's whole write
 * and may send it as it is, without parsing it (worker/snapshot.ts).
 */
export const SnapshotMetadata = z.object({ version: z.string().regex(/^\d+\.\d+$/), length: z.number().int().positive().optional() });
export type SnapshotMetadata = z.infer<typeof SnapshotMetadata>;

/** `<seq>.<written at, ms>`: changes with every write, so an unchanged version is an unchanged snapshot. */
export const snapshotVersion = (snapshot: Pick<Snapshot, "seq" | "writtenAt">): string => `${snapshot.seq}.${Date.parse(snapshot.writtenAt) || 0}`;

/** Who belongs to the project: every request's membership check reads it. */
export const MembersDocument = z.object({ members: z.array(Member) });
export type MembersDocument = z.infer<typeof MembersDocument>;

export const membersKey = (projectId: string): string => `project:${projectId}:members`;

/** The registry's copy of every project (written by the ProjectRegistry object). */
export const RegistryCache = z.object({ projects: z.array(ProjectRecord), writtenAt: z.string() });
export type RegistryCache = z.infer<typeof RegistryCache>;

export const REGISTRY_CACHE_KEY = "registry:projects";
