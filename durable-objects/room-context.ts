import type { ActivityEntry, ProjectRecord, ResourceKind } from "../worker/domain/contract";
import type { RoomStore, Stored } from "./room-store";
import type { ShareStore } from "./share-store";
import type { EditQueue } from "./edit-queue";
import type { StackGateway } from "./stack-gateway";

export type ActivityLine = Pick<ActivityEntry, "actor" | "message" | "tone">;

/** What the room's flows (operations, keys, shares, expiry) need from the room itself. */
export interface RoomContext {
  store: RoomStore;
  shares: ShareStore;
  queue: EditQueue;
  gateway(project: ProjectRecord): StackGateway;
  /** Stores (or removes) the resource, logs the change under the next seq, broadcasts it. */
  record(kind: ResourceKind, stored: Stored, activity: ActivityLine, remove?: boolean): void;
  /** Logs an activity line that changes no resource (e.g. a share was opened). */
  note(kind: ResourceKind, name: string, activity: ActivityLine): void;
}
