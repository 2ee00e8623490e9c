import * as z from "zod";
import { IsoTime, ResourceKind } from "./resource";
import { KIND_KEYS, kindFacts, kindFrameShape, kindListsShape } from "../kinds";
import { ProjectSummary } from "./project";
import { Member } from "./member";

/**
 * What an activity entry is about: a resource of a kind the kind table (or a run-time
 * registration) knows, or the project's membership.
 */
export type ActivityKind = ResourceKind | "member";
/**
 * A resource kind as read back from a room or the wire: one the kind table knows, or one
 * registered at run time (ResourceKind's enum refuses those).
 */
export const KnownKind = z.custom<ResourceKind>((value) => typeof value === "string" && kindFacts(value) !== undefined, {
  error: () => `Use one of ${KIND_KEYS.join(", ")}.`,
});
export const ActivityKind = z.custom<ActivityKind>((value) => typeof value === "string" && (value === "member" || kindFacts(value) !== undefined), {
  error: () => `Use one of ${[...KIND_KEYS, "member"].join(", ")}.`,
});

/**
 * The stack operation an activity entry belongs to, as data: the app folds an operation's entries
 * (queued → started → progress → succeeded | failed, or cancelled) into one line in its own words.
 * `by` is who asked for the operation (the entry's actor may be CloudFormation); `detail` is what
 * it applies, in words ("versioning on, SSE-S3 encryption").
 */
export const ActivityOperation = z.object({
  id: z.string(),
  action: z.enum(["create", "update", "delete"]),
  step: z.enum(["queued", "started", "progress", "succeeded", "failed", "cancelled"]),
  by: z.string(),
  detail: z.string().optional(),
  /** Queued operations run as part of this one (a run of queued updates merged into one stack update). */
  merged: z.array(z.string()).optional(),
  /** The operation repairs an earlier failure: its own entry in the activity, with its own outcome. */
  repair: z.enum(["retry", "continue-rollback"]).optional(),
});
export type ActivityOperation = z.infer<typeof ActivityOperation>;

/** One line of the activity feed; also the body of every `change` frame. */
export const ActivityEntry = z.object({
  seq: z.number().int().nonnegative(),
  at: IsoTime,
  actor: z.string(),
  kind: ActivityKind,
  name: z.string(),
  message: z.string(),
  tone: z.enum(["info", "success", "error"]),
  /** Present on the entries of a stack operation (entries written before it have none). */
  operation: ActivityOperation.optional(),
});
export type ActivityEntry = z.infer<typeof ActivityEntry>;

/**
 * `GET /api/projects/:p` — the KV snapshot; `seq` is where the live socket resumes. One list per
 * kind of the kind table (`buckets`, `users`, `sftpServers`: the SFTP server when SFTP is (being)
 * turned on, zero or one); a list missing from an older snapshot is empty. Loose: the list of a
 * kind registered at run time (kinds.ts registerKind) passes through.
 */
export const ProjectView = z.looseObject({
  project: ProjectSummary,
  seq: z.number().int().nonnegative(),
  ...kindListsShape(),
  members: z.array(Member),
});
export type ProjectView = z.infer<typeof ProjectView>;

/** Whole state, sent when the client's `since` is older than the kept log (and what KV's snapshot holds). */
export const SnapshotFrame = z.looseObject({
  type: z.literal("snapshot"),
  seq: z.number().int(),
  ...kindListsShape(),
  members: z.array(Member),
});
export type SnapshotFrame = z.infer<typeof SnapshotFrame>;

/** A manager who has the project open: since when, and in how many tabs. */
export const PresentManager = z.object({ email: z.string(), since: z.string(), connections: z.number().int().positive() });
export type PresentManager = z.infer<typeof PresentManager>;

/** Frames the room sends on `/api/projects/:p/live`. */
export const LiveFrame = z.discriminatedUnion("type", [
  /** First frame: the room's current seq; frames with seq <= since were already seen. */
  z.object({ type: z.literal("hello"), seq: z.number().int() }),
  SnapshotFrame,
  /** Who has the project open right now (not logged, no seq): the whole list, to a socket as it joins. */
  z.object({ type: z.literal("presence"), managers: z.array(PresentManager) }),
  /** Who joined or left since the last presence frame (coalesced): managers to upsert, emails gone. */
  z.object({ type: z.literal("presence-delta"), managers: z.array(PresentManager), left: z.array(z.string()) }),
  /**
   * One change: the resource's new state under its kind's key (`bucket`, `user`, `sftp`; null when
   * it is gone) or the new member list, and the activity line. Loose, as the snapshot: a kind
   * registered at run time sends its view under its own key.
   */
  z.looseObject({
    type: z.literal("change"),
    seq: z.number().int(),
    ...kindFrameShape(),
    members: z.array(Member).optional(),
    /**
     * The seq of the line this one supersedes, which a live client drops from its feed. File
     * activity: the room folds a burst into one line per (user, bucket, created or removed) and
     * writes it again as the burst goes on, dropping the old version from its log. A big heal: one
     * "Found N buckets" line per kind, each resource's frame carrying the summary so far; the room
     * keeps those frames (each still carries its resource, for clients catching up with `since`)
     * and activity pages leave the replaced lines out.
     */
    replaces: z.number().int().positive().optional(),
    activity: ActivityEntry,
  }),
]);
export type LiveFrame = z.infer<typeof LiveFrame>;

export const ActivityPage = z.object({ entries: z.array(ActivityEntry), nextBefore: z.number().int().nullable() });
export type ActivityPage = z.infer<typeof ActivityPage>;
