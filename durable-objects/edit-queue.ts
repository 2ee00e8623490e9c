import * as z from "zod";
import {
  CreateBucketBody, CreateUserBody, Permission, ProjectRecord, QueuedEdit, UpdateBucketBody, UpdateUserBody, UserSpec, type ResourceKind,
} from "../worker/domain/contract";

const BucketChange = z.union([
  z.object({ action: z.literal("create"), body: CreateBucketBody }),
  z.object({ action: z.literal("update"), name: z.string(), body: UpdateBucketBody }),
  z.object({ action: z.literal("delete"), name: z.string(), removeGrants: z.boolean().optional() }),
]);
const UserChange = z.union([
  z.object({ action: z.literal("create"), body: CreateUserBody }),
  z.object({ action: z.literal("update"), name: z.string(), body: UpdateUserBody }),
  z.object({ action: z.literal("update"), name: z.string(), spec: UserSpec }),
  z.object({ action: z.literal("update"), name: z.string(), restore: z.array(Permission) }),
  z.object({ action: z.literal("delete"), name: z.string() }),
]);

/** A 202'd edit waiting for its resource's lock; its operation id becomes the ClientRequestToken. */
export const QueueEntry = z.object({
  edit: QueuedEdit,
  project: ProjectRecord,
  request: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("bucket"), change: BucketChange }),
    z.object({ kind: z.literal("user"), change: UserChange }),
  ]),
});
export type QueueEntry = z.infer<typeof QueueEntry>;

/**
 * Per-resource FIFO queues in the room's SQLite, so that nothing accepted with 202 is lost when
 * the room is evicted or restarted. Rows that no longer parse (a body that became invalid, e.g.
 * an expiry now in the past) come back as `invalid` so the room can report and drop them.
 */
export class EditQueue {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS edit_queue (
      position INTEGER PRIMARY KEY AUTOINCREMENT, operation_id TEXT NOT NULL UNIQUE,
      kind TEXT NOT NULL, name TEXT NOT NULL, json TEXT NOT NULL)`);
  }

  push(kind: ResourceKind, name: string, entry: QueueEntry): void {
    this.sql.exec("INSERT INTO edit_queue (operation_id, kind, name, json) VALUES (?, ?, ?, ?)", entry.edit.operationId, kind, name, JSON.stringify(entry));
  }

  /** Oldest first. */
  list(kind: ResourceKind, name: string): Array<{ operationId: string; entry: QueueEntry | null; raw: string }> {
    return this.sql
      .exec<{ operation_id: string; json: string }>("SELECT operation_id, json FROM edit_queue WHERE kind = ? AND name = ? ORDER BY position", kind, name)
      .toArray()
      .map((r) => {
        const parsed = QueueEntry.safeParse(JSON.parse(r.json));
        return { operationId: r.operation_id, entry: parsed.success ? parsed.data : null, raw: r.json };
      });
  }

  edits(kind: ResourceKind, name: string): QueuedEdit[] {
    return this.list(kind, name).flatMap((r) => (r.entry ? [r.entry.edit] : []));
  }

  find(operationId: string): { kind: ResourceKind; name: string; entry: QueueEntry | null } | undefined {
    const row = this.sql.exec<{ kind: string; name: string; json: string }>("SELECT kind, name, json FROM edit_queue WHERE operation_id = ?", operationId).toArray()[0];
    if (!row || (row.kind !== "bucket" && row.kind !== "user")) return undefined;
    const parsed = QueueEntry.safeParse(JSON.parse(row.json));
    return { kind: row.kind, name: row.name, entry: parsed.success ? parsed.data : null };
  }

  remove(operationId: string): void {
    this.sql.exec("DELETE FROM edit_queue WHERE operation_id = ?", operationId);
  }

  /** Every resource that has waiting edits (to resume after a restart). */
  resources(): Array<{ kind: ResourceKind; name: string }> {
    return this.sql
      .exec<{ kind: string; name: string }>("SELECT DISTINCT kind, name FROM edit_queue")
      .toArray()
      .flatMap((r) => (r.kind === "bucket" || r.kind === "user" ? [{ kind: r.kind, name: r.name }] : []));
  }
}
