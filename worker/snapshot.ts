import { Snapshot, snapshotKey } from "./domain/kv-documents";

export const emptySnapshot = (): Snapshot => Snapshot.parse({ seq: 0, buckets: [], users: [], members: [], writtenAt: new Date(0).toISOString() });

/** The project's state as its room last wrote it to KV (never read from CloudFormation). */
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
