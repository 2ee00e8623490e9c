import * as z from "zod";
import type { Lock, ProjectRecord, QueuedEdit, ResourceAction, ResourceKind, ResourceStatus, Role } from "../../core/contract";
import { kindFacts, type KindFacts } from "../../core/kinds";
import type { StackState } from "../../core/stack-status";
import type { RoomContext } from "../room-context";
import type { RoomError } from "../room-error";

/**
 * A resource kind (bucket, user, the SFTP server) is one module implementing `KindModule`: its
 * change schema, how a change is planned and run, how its stack reads back from CloudFormation,
 * its words for the activity feed and its repairs. Operations, the edit queue, locks, healing and
 * the live view are written once over this interface (stack-operation.ts, edit-queue.ts,
 * heal.ts, room-view.ts) with no per-kind branches; `kinds/index.ts` is the registry.
 *
 * A kind module imports this file, `kit.ts`, room-error.ts, the room's port interfaces
 * (room-context.ts, types only) and core/: never another kind, nor the orchestrator. What it
 * needs of another kind it reads or asks through the port (`room.neighbours`, `room.workflows`);
 * its nouns and list key are its row of the kind table (core/kinds.ts).
 *
 * A module is written with its own types (`defineKind`) and seen by the room through this
 * interface, where a change arrives as `unknown` and is parsed by the module's own schema: the
 * one zod boundary between what a route or the queue hands over and the kind's typed code.
 */

/** What every resource's public view has (contract: Bucket, User, SftpServer). */
export interface ResourceView {
  name: string;
  /** The kind's spec (an object; `object` rather than `unknown` so the view crosses RPC typed). */
  spec: object;
  status: ResourceStatus;
  statusReason?: string;
  lock?: Lock;
  operationId?: string;
  updatedAt: string;
  queue?: QueuedEdit[];
  queueHeld?: string;
  actions?: ResourceAction["action"][];
  neverCreated?: true;
}

/** What the room keeps per resource: the public view plus what CloudFormation last applied. */
export interface StoredResource {
  resource: ResourceView;
  /** The spec CloudFormation last applied (null: never created successfully). */
  appliedSpec: object | null;
  /** CloudFormation's last known stack status (decides repairs and whether the queue may move). */
  stackStatus?: string;
  /** What an update that CloudFormation rolled back tried to set (offered as "retry"). */
  failedSpec?: object;
}

/** The stored-state schema of a kind: its view and spec, plus the kind's own extra fields. */
export function storedSchema<R extends z.ZodType, S extends z.ZodType, E extends z.ZodRawShape>(resource: R, spec: S, extra: E) {
  return z.object({ resource, appliedSpec: spec.nullable(), stackStatus: z.string().optional(), failedSpec: spec.optional(), ...extra });
}

export type Action = "create" | "update" | "delete";

/** Every change names its action; the module's schema says the rest. */
export interface ChangeBase {
  action: Action;
}

export interface ChangeRequest<C> {
  project: ProjectRecord;
  actor: string;
  change: C;
}

export type OperationOutcome = { kind: "started" } | { kind: "noop"; message: string } | { kind: "refused"; message: string; error: RoomError };

/** The resource as a check should see it; `current` undefined: there is none. */
export interface Assumed {
  current: StoredResource | undefined;
}

/** One stack operation of one resource, ready to start (stack-operation.ts `startOperation`). */
export interface Operation {
  kind: ResourceKind;
  name: string;
  action: Action;
  actor: string;
  /** A queued edit keeps the operation id it was accepted with (= its ClientRequestToken). */
  operationId?: string;
  /** The operation repairs a failure (its lock and activity say so, and its outcome is the repair's). */
  repair?: Lock["repair"];
  /**
   * Checks the change against the room; answers the locked state to store. Throws RoomError.
   * `assumed`: check against this state of the resource instead of the stored one (a queued edit
   * is checked when it is submitted against the state it will start from, see `startingState`).
   */
  plan(operationId: string, now: string, assumed?: Assumed): StoredResource;
  /** The activity line that starts the operation, and what it applies in words (`detail`). */
  describe(planned: StoredResource): { message: string; detail?: string };
  /** Sends the planned change to AWS. Writes no room state: the room undoes its lock when not started. */
  run(planned: StoredResource, operationId: string): Promise<OperationOutcome>;
}

/**
 * What CloudFormation says about a stack beyond its status: the physical ids of its resources
 * (from events) and its outputs (from DescribeStacks). A kind that shows such facts (the SFTP
 * server's id and endpoint) reads them with `learn`.
 */
export interface StackFacts {
  physicalIds: Readonly<Record<string, string>>;
  outputs: Readonly<Record<string, string>>;
}

/** What a kind does on the room's alarm (a user's expiry): when it next wants it, and the work. */
export interface KindAlarm {
  due(room: RoomContext, now: number): number | null;
  run(room: RoomContext, project: ProjectRecord, now: number): Promise<void>;
}

/** AWS calls a kind made to learn what CloudFormation does not say (learnFromAws), counted by the caller. */
export interface AwsReads {
  count: number;
}

/**
 * The room's view of a kind (see `defineKind` for how a module is written). A kind registered at
 * run time (kinds/index.ts `registerKindModule`) carries its key here as a `ResourceKind`.
 */
export interface KindModule {
  kind: ResourceKind;
  /** The noun before a resource's name in messages: "bucket" (→ "bucket logs"), "SFTP" (→ "SFTP server"); the kind table's. */
  readonly noun: string;
  /** The resource in a sentence, quoted where a name is: "bucket “logs”", "the SFTP server"; the kind table's. */
  label(name: string): string;
  /** Where the kind's resources are listed in the project's view and snapshot (`buckets`); the kind table's. */
  readonly listKey: string;
  /** The least role that may change (and repair) a resource of this kind; the room checks it. */
  changeRole: Role;
  /** Parses a stored row (storage outlives code versions: nothing is trusted blindly). */
  parseStored(raw: unknown): StoredResource;
  /** Parses a change from a route or the queue; the RoomError names what is wrong. */
  parseChange(raw: unknown): { ok: true; change: ChangeBase & { name?: string } } | { ok: false; error: RoomError };
  nameOf(change: unknown): string;
  operation(room: RoomContext, request: ChangeRequest<unknown>): Operation;
  /** What a queued change will do, in a manager's words. */
  summarize(change: unknown): string;
  /** Two queued changes as one, when running them one after the other equals running the merge. */
  merge(first: unknown, next: unknown): unknown | null;
  /** The change a failed resource's "retry" re-applies (a rolled-back update, a failed delete). */
  retry(stored: StoredResource): unknown | null;
  /** The spec in a stack's template, or its tags (healing); null: not readable as this kind's. */
  readSpec(templateBody: string, tags: Readonly<Record<string, string>>): object | null;
  /** A resource the room never heard of, as CloudFormation describes it (healing). */
  adopt(project: ProjectRecord, name: string, spec: object, state: StackState, now: string): StoredResource;
  // The hooks below are a kind's own: only the kinds that need one have it.
  /** The kind's own state to settle once an operation is over (a bucket delete's give-back). */
  settle?(room: RoomContext, project: ProjectRecord, stored: StoredResource): { stored: StoredResource; after(): void };
  /** The resource with what it keeps of its stack's facts (null: nothing new). */
  learn?(room: RoomContext, project: ProjectRecord, stored: StoredResource, facts: StackFacts): StoredResource | null;
  /**
   * What the kind reads from AWS beyond CloudFormation (the SFTP server's host key from Transfer
   * Family): at every heal, and when one of its resources becomes ready. Answers how many
   * resources it changed; counts the AWS calls it made in `calls`, when given (a heal's cost).
   */
  learnFromAws?(room: RoomContext, project: ProjectRecord, calls?: AwsReads): Promise<number>;
  alarm?: KindAlarm;
}

/** A kind module with its own types; `defineKind` puts the room's zod boundary around it. */
export interface KindSpec<C extends ChangeBase, S extends StoredResource> {
  /** Its row of the kind table (core/kinds.ts) gives its noun, label and list key. */
  kind: ResourceKind;
  /** Default: editor. */
  changeRole?: Role;
  stored: z.ZodType<S>;
  change: z.ZodType<C>;
  nameOf(change: C): string;
  operation(room: RoomContext, request: ChangeRequest<C>): Operation;
  summarize(change: C): string;
  merge?(first: C, next: C): C | null;
  retry(stored: S): C | null;
  readSpec(templateBody: string, tags: Readonly<Record<string, string>>): S["appliedSpec"] | null;
  /** A spec read back, checked against the kind's spec schema before `adopt` sees it. */
  spec: z.ZodType<NonNullable<S["appliedSpec"]>>;
  adopt(project: ProjectRecord, name: string, spec: NonNullable<S["appliedSpec"]>, state: StackState, now: string): S;
  settle?(room: RoomContext, project: ProjectRecord, stored: S): { stored: S; after(): void };
  learn?(room: RoomContext, project: ProjectRecord, stored: S, facts: StackFacts): S | null;
  learnFromAws?(room: RoomContext, project: ProjectRecord, calls?: AwsReads): Promise<number>;
  alarm?: KindAlarm;
  /** Turns a change that fails the schema into the room's refusal. */
  invalid(error: z.ZodError): RoomError;
}

export function defineKind<C extends ChangeBase, S extends StoredResource>(spec: KindSpec<C, S>): KindModule {
  const change = (raw: unknown): C => spec.change.parse(raw);
  const stored = (raw: unknown): S => spec.stored.parse(raw);
  // Read when used, so a kind registered at run time may be defined before its row is registered.
  const facts = (): KindFacts => {
    const row = kindFacts(spec.kind);
    if (!row) throw new Error(`The kind ${spec.kind} has no row in the kind table (core/kinds.ts registerKind).`);
    return row;
  };
  const { settle, learn } = spec;
  return {
    kind: spec.kind,
    get noun() {
      return facts().noun;
    },
    label: (name) => facts().label(name),
    get listKey() {
      return facts().listKey;
    },
    changeRole: spec.changeRole ?? "editor",
    parseStored: stored,
    parseChange(raw) {
      const parsed = spec.change.safeParse(raw);
      return parsed.success ? { ok: true, change: parsed.data } : { ok: false, error: spec.invalid(parsed.error) };
    },
    nameOf: (raw) => spec.nameOf(change(raw)),
    operation: (room, request) => spec.operation(room, { ...request, change: change(request.change) }),
    summarize: (raw) => spec.summarize(change(raw)),
    merge: (first, next) => spec.merge?.(change(first), change(next)) ?? null,
    retry: (raw) => spec.retry(stored(raw)),
    readSpec: (body, tags) => spec.readSpec(body, tags),
    adopt: (project, name, raw, state, now) => spec.adopt(project, name, spec.spec.parse(raw), state, now),
    ...(settle ? { settle: (room: RoomContext, project: ProjectRecord, raw: StoredResource) => settle(room, project, stored(raw)) } : {}),
    ...(learn ? { learn: (room: RoomContext, project: ProjectRecord, raw: StoredResource, facts: StackFacts) => learn(room, project, stored(raw), facts) } : {}),
    ...(spec.learnFromAws ? { learnFromAws: spec.learnFromAws } : {}),
    ...(spec.alarm ? { alarm: spec.alarm } : {}),
  };
}
