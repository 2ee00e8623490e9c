import * as z from "zod";
import { Member, SnapshotFrame } from "./contract";

/**
 * The KV documents a project's room writes and the Worker reads: the contract between the two
 * (the room is each key's only writer).
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

/** Who belongs to the project: every request's membership check reads it. */
export const MembersDocument = z.object({ members: z.array(Member) });
export type MembersDocument = z.infer<typeof MembersDocument>;

export const membersKey = (projectId: string): string => `project:${projectId}:members`;
