import { Snapshot, snapshotKey } from "../core/kv-documents";
import { projectRoom } from "./room";
import { readCopy } from "./kv-copy";

/**
 * The project's state as its room last wrote it to KV (never read from CloudFormation). A copy
 * that is missing (a project nobody changed yet, or one KV lost) or unreadable is answered by the
 * room itself, which then writes it again.
 */
export async function readSnapshot(env: Env, projectId: string): Promise<Snapshot> {
  return (await readCopy(env.STACK_CACHE, snapshotKey(projectId), Snapshot)) ?? (await projectRoom(env, projectId).snapshot());
}
