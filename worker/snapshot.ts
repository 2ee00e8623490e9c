import * as z from "zod";
import { Bucket, Member, User } from "./domain/contract";

/**
 * The project's state as the room last wrote it to KV. Reads are answered from here (never from
 * CloudFormation); `seq` tells the live socket where to resume, so snapshot + log tail is exact
 * even though KV is eventually consistent.
 */
export const Snapshot = z.object({
  seq: z.number().int().nonnegative(),
  buckets: z.array(Bucket),
  users: z.array(User),
  members: z.array(Member).default([]),
  writtenAt: z.string(),
});
export type Snapshot = z.infer<typeof Snapshot>;

export const snapshotKey = (projectId: string): string => `project:${projectId}:snapshot`;

export const emptySnapshot = (): Snapshot => ({ seq: 0, buckets: [], users: [], members: [], writtenAt: new Date(0).toISOString() });

export async function readSnapshot(kv: KVNamespace, projectId: string): Promise<Snapshot> {
  const raw = await kv.get(snapshotKey(projectId), "json");
  if (raw === null) return emptySnapshot();
  const parsed = Snapshot.safeParse(raw);
  if (!parsed.success) {
    console.error("snapshot in KV is invalid; answering empty", { projectId, error: parsed.error.message });
    return emptySnapshot();
  }
  return parsed.data;
}
