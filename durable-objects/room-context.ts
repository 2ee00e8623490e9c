import type { ActivityEntry, ActivityKind, LiveFrame, ProjectRecord, ResourceKind, SftpEndpoint } from "../core/contract";
import type { RoomStore } from "./room-store";
import type { ShareStore } from "./share-store";
import type { EditQueue } from "./edit-queue";
import type { MemberStore } from "./member-store";
import type { SocketAttachment } from "./live-sockets";
import type { StackGateway } from "./stack-gateway";
import type { StoredResource } from "./kinds/kind";

/** The room acting on its own (a failed delete's give-back, an expiry): never a member, so never an email. */
export const ROOM_ACTOR = "Stackroom";
/** Ops acting through the ops endpoints (offboarding a project): never a member either. */
export const OPS_ACTOR = "Stackroom ops";

export type ActivityLine = Pick<ActivityEntry, "actor" | "message" | "tone" | "operation">;

/** What a change frame may carry besides its activity line: a resource's new view (by kind) or the member list. */
export type ChangeFields = Partial<Pick<Extract<LiveFrame, { type: "change" }>, "members">> & Partial<Record<ResourceKind, unknown>>;

/** What the room's flows (operations, queue, healing, keys, shares, members) need from the room itself. */
export interface RoomContext {
  store: RoomStore;
  shares: ShareStore;
  queue: EditQueue;
  members: MemberStore;
  gateway(project: ProjectRecord): StackGateway;
  /** Where SFTP clients connect when a local stand-in replaces Transfer Family (`npm run dev`); undefined in production. */
  localSftpEndpoint(): SftpEndpoint | undefined;
  /** Stores (or removes) the resource, logs the change under the next seq, broadcasts it. */
  record(kind: ResourceKind, stored: StoredResource, activity: ActivityLine, remove?: boolean): void;
  /** Logs an activity line that changes no resource (e.g. a share was opened). */
  note(kind: ResourceKind, name: string, activity: ActivityLine): void;
  /** Logs an activity line under the next seq with whatever state changed, and broadcasts it. */
  announce(kind: ActivityKind, name: string, activity: ActivityLine, fields?: ChangeFields): void;
  /** Schedules the KV snapshot write (coalesced to at most one per second). */
  snapshotSoon(): void;
  /** Closes the live sockets whose attachment matches (sign-out, removed member). */
  closeSockets(match: (who: SocketAttachment) => boolean, code: number, reason: string): number;
}
