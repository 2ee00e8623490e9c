import { Snapshot, SnapshotMetadata, snapshotKey } from "../core/kv-documents";
import { errorText, logEvent } from "../core/log";
import { projectRoom } from "./room";
import { parseCopy } from "./kv-copy";

/** The KV snapshot's version, known before the snapshot is parsed, and a way to read it. */
export interface CachedSnapshot {
  /** From the copy's metadata (`snapshotVersion`); null when there is no copy or it has none (written before versions). */
  version: string | null;
  /** The snapshot itself: the copy, checked with its schema, else the room's own. */
  read(): Promise<Snapshot>;
}

/**
 * The project's state as its room last wrote it to KV (never read from CloudFormation). A copy
 * that is missing (a project nobody changed yet, or one KV lost) or unreadable is answered by the
 * room itself, which then writes it again. One KV read gives the copy and its version, so a
 * caller that only needs to know whether the snapshot changed (an `If-None-Match`) does not parse
 * a snapshot that may hold thousands of resources: the text is parsed only when `read` is called.
 */
export async function cachedSnapshot(env: Env, projectId: string): Promise<CachedSnapshot> {
  const key = snapshotKey(projectId);
  let copy: { value: string | null; metadata: unknown } = { value: null, metadata: null };
  try {
    copy = await env.STACK_CACHE.getWithMetadata(key);
  } catch (err) {
    logEvent("error", "kv_read_failed", { key, error: errorText(err) });
  }
  const metadata = SnapshotMetadata.safeParse(copy.metadata);
  return {
    version: copy.value !== null && metadata.success ? metadata.data.version : null,
    read: async () => parseCopy(key, copy.value, Snapshot) ?? (await projectRoom(env, projectId).snapshot()),
  };
}
