import { Snapshot, SnapshotMetadata, snapshotKey } from "../core/kv-documents";
import { errorText, logEvent } from "../core/log";
import { projectRoom } from "./room";
import { parseCopy } from "./kv-copy";

/** The KV snapshot's version, known before the snapshot is parsed, and a way to read it. */
export interface CachedSnapshot {
  /** From the copy's metadata (`snapshotVersion`); null when there is no copy or it has none (written before versions). */
  version: string | null;
  /**
   * The copy's JSON text as the room wrote it, when its metadata vouches for it (its length, so a
   * truncated or hand-edited copy is not sent); null otherwise: then `read` it.
   */
  text: string | null;
  /** The snapshot itself: the copy, checked with its schema, else the room's own. */
  read(): Promise<Snapshot>;
}

/**
 * The project's state as its room last wrote it to KV (never read from CloudFormation). A copy
 * that is missing (a project nobody changed yet, or one KV lost) or unreadable is answered by the
 * room itself, which then writes it again. One KV read gives the copy and its version, so a
 * caller that only needs to know whether the snapshot changed (an `If-None-Match`) does not parse
 * a snapshot that may hold thousands of resources, and one that sends it may send the text as
 * stored (`text`): the text is parsed only when `read` is called.
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
  const value = copy.value;
  const whole = value !== null && metadata.success && metadata.data.length === value.length && value.startsWith('{"') && value.endsWith("}");
  if (value !== null && metadata.success && metadata.data.length !== undefined && !whole) {
    logEvent("error", "kv_copy_unreadable", { key, reason: `length ${value.length}, metadata says ${metadata.data.length}` });
  }
  return {
    version: value !== null && metadata.success ? metadata.data.version : null,
    text: whole ? value : null,
    read: async () => parseCopy(key, value, Snapshot) ?? (await projectRoom(env, projectId).snapshot()),
  };
}

/**
 * The project view's JSON text from the snapshot's: the caller's summary first, then the
 * snapshot's own fields as stored (its `writtenAt` included; the view's schema lets it by). No
 * parse and no second serialisation of thousands of resources.
 */
export function viewText(summary: object, snapshotText: string): string {
  return `{"project":${JSON.stringify(summary)},${snapshotText.slice(1)}`;
}
