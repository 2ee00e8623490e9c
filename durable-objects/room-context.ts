import type { ActivityEntry, ActivityKind, Bucket, LiveFrame, Permission, ProjectRecord, ProjectSettings, ResourceKind, SftpServer, SftpServerSpec, User } from "../core/contract";
import type { ProjectAws } from "../core/aws";
import type { RoomStore } from "./room-store";
import type { SeenStackStore } from "./seen-stacks";
import type { ShareStore } from "./share-store";
import type { EditQueue } from "./edit-queue";
import type { MemberStore } from "./member-store";
import type { SocketAttachment } from "./live-sockets";
import type { StackGateway } from "./stack-gateway";
import type { RoomResult } from "./room-error";
import type { Notifications } from "./notification-outbox";
import type { NotifyEvent } from "../core/contract";
import type { Operation, OperationOutcome, ResourceView, StoredResource } from "./kinds/kind";

export type ActivityLine = Pick<ActivityEntry, "actor" | "message" | "tone" | "operation">;

/** A line about a kind that stands for many of its resources' lines, and the seq of its previous version. */
export interface SummaryLine {
  replaces?: number;
}

/**
 * What a change frame may carry besides its activity line: a resource's new view (by kind), the
 * member list, or the seq of the folded line it replaces (file-activity.ts).
 */
export type ChangeFields = Partial<Pick<Extract<LiveFrame, { type: "change" }>, "members" | "replaces">> & Partial<Record<ResourceKind, unknown>>;

/**
 * What a kind may read of the other kinds' resources, in the contract's views (a kind never
 * imports another kind): answered by the room from its store (kind-neighbours.ts).
 */
export interface KindNeighbours {
  buckets(): Bucket[];
  users(): User[];
  /** The project's SFTP server, with the spec CloudFormation last applied (null: never created), if the room has one. */
  sftpServer(): { resource: SftpServer; appliedSpec: SftpServerSpec | null } | undefined;
}

/** The grants a bucket delete took away, per user: given back if the delete fails. */
export type TakenGrants = Array<{ user: string; grants: Permission[] }>;

/**
 * Work a kind starts and the room carries out: its own operations from its timed work, and
 * workflows across kinds (bucket-delete-workflow.ts), through the same operations and queue.
 */
export interface RoomWorkflows {
  /** Starts a stack operation now (stack-operation.ts `startOperation`). */
  start(op: Operation): Promise<RoomResult<{ resource: ResourceView; operationId: string }>>;
  /**
   * A bucket delete the manager confirmed takes the bucket out of every user's grants first, all
   * or nothing: the users' updates, then `keep(taken)` (stored with the bucket until its delete
   * settles), then `deleteBucket`; anything taken is given back when a later step fails.
   */
  takeGrantsThenDelete(request: { project: ProjectRecord; actor: string; bucket: string; keep(taken: TakenGrants): void; deleteBucket(): Promise<OperationOutcome> }): Promise<OperationOutcome>;
  /** Queues, per user, an update giving back what a failed delete of `bucket` took, and says why. */
  giveBack(project: ProjectRecord, bucket: string, taken: TakenGrants, why: string): void;
}

/** What the room's flows (operations, queue, healing, keys, shares, members) and its kinds need from the room itself. */
export interface RoomContext {
  store: RoomStore;
  /** What the last heal saw of each stack (seen-stacks.ts). */
  seenStacks: SeenStackStore;
  shares: ShareStore;
  queue: EditQueue;
  members: MemberStore;
  /** The stack calls every kind makes, and the access keys, in the project's account. */
  gateway(project: ProjectRecord): StackGateway;
  /**
   * The project account's clients as the room reaches them (through its role, with the room's
   * logs and metrics), for what one kind alone asks AWS: the kind wraps what it uses in a piece of
   * its own (kinds/bucket.ts `bucketGateway`, kinds/sftp.ts `sftpGateway`).
   */
  aws(project: ProjectRecord): ProjectAws;
  /** The room's environment (vars, bindings), for what one kind alone is configured with (the local SFTP stand-in). */
  environment(): Env;
  neighbours: KindNeighbours;
  workflows: RoomWorkflows;
  /** The project's own settings (room-settings.ts), e.g. the default expiry of new users. */
  settings(): ProjectSettings;
  /**
   * Stores (or removes) the resource, logs the change under the next seq, broadcasts it, and
   * answers that seq. With `summary` the line is about the kind, not this one resource (its name is
   * empty: a big heal's folded line, heal.ts), and replaces the earlier version `replaces`.
   */
  record(kind: ResourceKind, stored: StoredResource, activity: ActivityLine, remove?: boolean, summary?: SummaryLine): number;
  /** Logs an activity line that changes no resource (e.g. a share was opened). */
  note(kind: ResourceKind, name: string, activity: ActivityLine): void;
  /** Logs an activity line under the next seq with whatever state changed, and broadcasts it. */
  announce(kind: ActivityKind, name: string, activity: ActivityLine, fields?: ChangeFields): void;
  /** Schedules the KV snapshot write (coalesced to at most one per second). */
  snapshotSoon(): void;
  /** The project's outbound notifications (notification-outbox.ts): settings, outbox, delivery log. */
  notifications: Notifications;
  /**
   * Raises an event for the project's notifications: dropped unless the settings select it,
   * else gathered into its digest and sent by the alarm, off the request path.
   */
  notify(event: NotifyEvent): void;
  /** Closes the live sockets whose attachment matches (sign-out, removed member). */
  closeSockets(match: (who: SocketAttachment) => boolean, code: number, reason: string): number;
}
