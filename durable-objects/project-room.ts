import { DurableObject } from "cloudflare:workers";
import * as z from "zod";
import type {
  AccessKeySummary, AccessReview, ActivityFilter, ActivityKind, ActivityPage, BucketUsage, CreatedKey, CreateShareBody, FileList, FileQuery, Lock, Member, ObjectEvent, OpenedShare, ProjectRecord, ProjectSettings, PutProjectSettingsBody, QueuedEdit, ResourceEvents, ResourceKind, Role, RotatedKey, Share, ShareState, StackEvent,
} from "../core/contract";
import { LiveFrame, notAMember, roleAtLeast, roleTooLow } from "../core/contract";
import type { NotificationDelivery, NotificationSettings, NotificationsSaved, NotificationsView, NotifyEvent } from "../core/contract";
import type { ProjectAws } from "../core/aws";
import { LIVE_CALLER_HEADERS, type Caller } from "../core/room-result";
import type { Snapshot } from "../core/kv-documents";
import { RESTORED_WITHOUT_PAYLOAD, type ProjectExport } from "../core/project-export";
import type { OffboardAnswer, ProjectStatus } from "../core/ops-answers";
import { membersKey, snapshotKey } from "../core/kv-documents";
import { deleteNextStage, standingResources } from "./room-offboard";
import { publicShare } from "./share-store";
import { deriveStackState, forgettableEvents, physicalIdsOf } from "../core/stack-status";
import { parseStackName, stackName } from "../core/naming";
import { capitalize } from "../core/words";
import { RoomError, guarded, refusal, type RoomResult } from "./room-error";
import { RoomStore } from "./room-store";
import { ShareStore } from "./share-store";
import { attachmentOf, broadcast, Presence, SOCKET_ENDS_KEY, type SocketAttachment } from "./live-sockets";
import { FrameOutbox } from "./frame-outbox";
import { MemberStore } from "./member-store";
import * as membership from "./room-members";
import { applyStackState } from "./apply-stack-state";
import { awsGateway, projectClients } from "./stack-gateway";
import type { ActivityLine, ChangeFields, KindNeighbours, RoomContext, RoomWorkflows, SummaryLine } from "./room-context";
import { availableActions, CHECK_DUE_KEY, continueRollback, refuseRepair, retryOperation, startOperation, type Repair } from "./stack-operation";
import { OPS_ACTOR, roomErrorFromAws } from "./kinds/kit";
import { healStuckLocks, lockedResources, refreshFromCloudFormation, type HealOutcome } from "./heal";
import * as keys from "./room-keys";
import * as shares from "./room-shares";
import { nextAlarm } from "./room-alarm";
import { cancelQueued, drainQueue, EditQueue, enqueue, mustQueue } from "./edit-queue";
import { publicView, snapshotFrame, SNAPSHOT_INTERVAL_MS, writeSnapshot } from "./room-view";
import { kindList, kindModule, moduleOf } from "./kinds";
import { bucketGateway } from "./kinds/bucket";
import { kindNeighbours } from "./kind-neighbours";
import { bucketDeleteWorkflow } from "./bucket-delete-workflow";
import { observe } from "../core/telemetry";
import { configureLogs, errorText, logEvent } from "../core/log";
import type { ResourceView, StoredResource } from "./kinds/kind";
import { migrateRoom } from "./room-schema";
import { ReadCache } from "./read-cache";
import { FileStore } from "./file-store";
import { SeenStackStore } from "./seen-stacks";
import { principalIdOf, principalNames, takeInFiles } from "./file-activity";
import { Quarantine, type QuarantinedRow } from "./quarantine";
import { accessReview, armReview, refreshReview, ReviewStore, runDueReview } from "./access-review";
import { runRotations, startRotation } from "./key-rotation";
import { NotificationStore } from "./notification-store";
import { Notifications } from "./notification-outbox";
import { settingsWords } from "./notification-payloads";
import * as projectSettings from "./room-settings";


/** Events of finished operations kept per stack, so late duplicates are still known by EventId. */
const RECENT_EVENTS_KEPT = 10;

/** Meta key: when the room last took in a new CloudFormation event. */
const LAST_EVENT_KEY = "lastEventAt";
/** Meta key prefix: when a delivery signed with a given secret version was last seen. */
const DELIVERED_WITH_KEY = "deliveredWith:v";
/** Meta key: the last verified webhook delivery. */
const LAST_DELIVERY_KEY = "lastDelivery";
/** A verified webhook delivery: when, and the project secret version that signed it. */
const Delivery = z.object({ at: z.string(), version: z.number().int().nonnegative() });
type Delivery = z.infer<typeof Delivery>;

/** Close code of a socket whose sign-in ended (4000 + 401, as a refused upgrade). */
const SIGNED_OUT_CLOSE_CODE = 4401;


/**
 * One per project: the single writer of its state. Serialises changes (locks), folds
 * CloudFormation events into resource state (deduplicated by EventId), keeps the numbered change
 * log, pushes every change to connected managers, hands out one-time links, expires users and
 * writes the KV snapshot.
 */
export class ProjectRoom extends DurableObject<Env> implements RoomContext {
  readonly store: RoomStore;
  readonly shares: ShareStore;
  readonly files: FileStore;
  readonly seenStacks: SeenStackStore;
  readonly queue: EditQueue;
  readonly members: MemberStore;
  readonly neighbours: KindNeighbours;
  readonly workflows: RoomWorkflows;
  readonly presence: Presence;
  private readonly outbox: FrameOutbox;
  readonly quarantine: Quarantine;
  readonly notifications: Notifications;
  /** AWS-backed reads kept briefly in memory (read-cache.ts), AWS_READ_CACHE_SECONDS long. */
  private readonly usageReads: ReadCache<BucketUsage>;
  private readonly keyReads: ReadCache<AccessKeySummary[]>;
  /** What IAM last said about each user's keys' use (access-review.ts). */
  private readonly reviews: ReviewStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    configureLogs(env.LOG_LEVEL);
    migrateRoom(ctx.storage);
    this.quarantine = new Quarantine(ctx.storage.sql, "ProjectRoom");
    this.store = new RoomStore(ctx.storage.sql, this.quarantine, (kind, raw) => moduleOf(kind).parseStored(raw));
    this.shares = new ShareStore(ctx.storage.sql, this.quarantine);
    this.files = new FileStore(ctx.storage.sql, this.quarantine);
    this.seenStacks = new SeenStackStore(ctx.storage.sql);
    this.queue = new EditQueue(ctx.storage.sql, this.quarantine);
    this.members = new MemberStore(ctx.storage.sql, this.quarantine);
    this.reviews = new ReviewStore(ctx.storage.sql, this.quarantine);
    this.notifications = new Notifications(new NotificationStore(ctx.storage.sql, this.quarantine));
    this.neighbours = kindNeighbours(this.store);
    this.workflows = { start: (op) => startOperation(this, op), ...bucketDeleteWorkflow(this) };
    const readSeconds = Number(env.AWS_READ_CACHE_SECONDS);
    const readTtlMs = (Number.isFinite(readSeconds) && readSeconds >= 0 ? readSeconds : 30) * 1000;
    this.usageReads = new ReadCache(readTtlMs);
    this.keyReads = new ReadCache(readTtlMs);
    this.presence = new Presence(() => ctx.getWebSockets(), (json) => broadcast(ctx.getWebSockets(), json));
    this.outbox = new FrameOutbox(() => ctx.getWebSockets(), ctx.storage, (work) => ctx.waitUntil(work));
    // Pings are answered by the runtime without waking a hibernated room.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  gateway(project: ProjectRecord) {
    return awsGateway(this.aws(project), project);
  }

  aws(project: ProjectRecord): ProjectAws {
    return projectClients(this.env, project);
  }

  environment(): Env {
    return this.env;
  }

  /**
   * Starts a change of any kind (`change` is that kind's, checked by its module), or queues it
   * behind the running operation of the same resource (`queue: false` refuses with `locked`).
   */
  async submit(kind: ResourceKind, request: { project: ProjectRecord; caller: Caller; change: unknown; queue?: boolean }): Promise<RoomResult<{ resource: ResourceView; operationId: string }>> {
    this.rememberProject(request.project);
    const module = moduleOf(kind);
    const denied = this.refusalFor(request.project, request.caller, module.changeRole);
    if (denied) return denied;
    return this.outbox.hold(() => this.change(kind, request.project, request.caller.email, request.change, request.queue));
  }

  /** A change once its author may make it: started, or queued behind the resource's running operation. */
  private async change(kind: ResourceKind, project: ProjectRecord, actor: string, change: unknown, queue?: boolean): Promise<RoomResult<{ resource: ResourceView; operationId: string }>> {
    const module = moduleOf(kind);
    const parsed = module.parseChange(change);
    if (!parsed.ok) return refusal(parsed.error);
    const name = module.nameOf(parsed.change);
    const current = this.store.get(kind, name);
    if (current && mustQueue(this, kind, name, parsed.change.action)) {
      const lock = current.resource.lock;
      if (queue === false) {
        const holder = lock ? `${lock.by} (since ${lock.since})` : "earlier queued edits";
        return refusal(new RoomError("locked", `${capitalize(module.label(name))} is being changed by ${holder}. Try again when it finishes.`));
      }
      const queued = enqueue(this, project, actor, kind, parsed.change, name);
      return queued.ok ? { ok: true, resource: publicView(this, kind, this.store.get(kind, name) ?? current), operationId: queued.operationId } : queued;
    }
    return this.viewed(kind, await startOperation(this, module.operation(this, { project, actor, change: parsed.change })));
  }

  /** A repair after a failure: retry the rolled-back update or failed delete, or continue a stuck rollback. Starts at once: a held queue waits for exactly this. */
  async act(kind: ResourceKind, project: ProjectRecord, caller: Caller, name: string, action: Repair): Promise<RoomResult<{ resource: ResourceView; operationId: string }>> {
    this.rememberProject(project);
    const module = moduleOf(kind);
    const denied = this.refusalFor(project, caller, module.changeRole);
    if (denied) return denied;
    const actor = caller.email;
    const stored = this.store.get(kind, name);
    if (!stored || !availableActions(stored).includes(action)) return guarded(() => refuseRepair(module, name, action, stored));
    if (action === "continue-rollback") return this.viewed(kind, await this.outbox.hold(() => startOperation(this, continueRollback(this, module, project, actor, name))));
    const change = module.retry(stored);
    if (change === null) return guarded(() => refuseRepair(module, name, action, stored));
    return this.viewed(kind, await this.outbox.hold(() => startOperation(this, retryOperation(module.operation(this, { project, actor, change }), module.noun))));
  }

  /** Cancels a queued edit before it starts (its author or an owner). */
  async cancel(project: ProjectRecord, caller: Caller, operationId: string): Promise<RoomResult<{ edit: QueuedEdit }>> {
    const denied = this.refusalFor(project, caller, "editor");
    if (denied) return denied;
    return cancelQueued(this, caller.email, this.members.roleOf(caller.email) ?? "viewer", operationId);
  }

  /** Folds CloudFormation events in; duplicates (same EventId) are counted and dropped. */
  /**
   * `delivery` (a verified webhook) is remembered: when, and signed with which secret version
   * (a rotation finishes only once the bridge delivered with the new one; ops status shows it).
   */
  async applyEvents(project: ProjectRecord, events: StackEvent[], delivery?: Delivery): Promise<{ accepted: number; duplicates: number }> {
    this.rememberProject(project);
    this.rememberDelivery(delivery);
    let accepted = 0;
    const touched = new Set<string>();
    for (const event of events) {
      if (!this.store.addStackEvent(event)) continue;
      accepted++;
      touched.add(event.stackName);
      const target = parseStackName(event.stackName);
      if (target) this.store.heard(target.kind, target.name, Date.now());
    }
    for (const stackName of touched) this.refreshFromEvents(stackName);
    if (accepted > 0) this.store.setMeta(LAST_EVENT_KEY, new Date().toISOString());
    return { accepted, duplicates: events.length - accepted };
  }

  /**
   * Takes in S3 object events of the project's buckets (the Worker checked account and names):
   * kept per bucket (file-activity.ts), told in the activity as folded lines, each by the
   * Stackroom user its principal is, or OUTSIDE_STACKROOM.
   */
  async applyObjectEvents(project: ProjectRecord, events: ObjectEvent[], delivery?: Delivery): Promise<{ accepted: number; duplicates: number; ignored: number }> {
    this.rememberProject(project);
    this.rememberDelivery(delivery);
    let names = principalNames(this.store);
    // A writer the room cannot name may be a user whose ids it has not learned yet (its stack
    // completed a moment ago): learn what can be learned first. Once every id is known this calls
    // nothing, so strangers' events cost no IAM call.
    const unnamed = events.some((e) => {
      const id = principalIdOf(e.principalId);
      return id !== null && !names.has(id);
    });
    if (unnamed) {
      for (const module of kindList()) if (module.learnFromAws) await module.learnFromAws(this, project);
      names = principalNames(this.store);
    }
    const buckets = new Map(this.store.list("bucket").flatMap((b) => ("physicalName" in b.resource && b.resource.status !== "deleted" ? [[String(b.resource.physicalName), b.resource.name] as const] : [])));
    // What these buckets hold has changed: a count asked for next is made afresh, not from the read cache.
    for (const bucket of new Set(events.map((e) => e.bucket))) this.usageReads.forget(bucket);
    return takeInFiles(this, events, buckets, names);
  }

  settings(): ProjectSettings {
    return projectSettings.readSettings(this);
  }

  /** The project's settings (every member reads them). */
  async getSettings(project: ProjectRecord, caller: Caller): Promise<RoomResult<{ settings: ProjectSettings }>> {
    return this.as(project, caller, "viewer", () => ({ settings: this.settings() }));
  }

  /** An owner changes the project's settings; the activity says what changed. */
  async putSettings(project: ProjectRecord, caller: Caller, body: PutProjectSettingsBody): Promise<RoomResult<{ settings: ProjectSettings }>> {
    return this.as(project, caller, "owner", () => ({ settings: projectSettings.putSettings(this, caller.email, body) }));
  }

  /** A bucket's recent files from the room (no S3 call): newest first, by key prefix. */
  async bucketFiles(project: ProjectRecord, caller: Caller, name: string, query: FileQuery): Promise<RoomResult<FileList>> {
    return this.as(project, caller, "viewer", () => {
      const stored = this.store.get("bucket", name);
      if (!stored || stored.resource.status === "deleted") throw new RoomError("not_found", `No bucket named “${name}”.`);
      return { files: this.files.list(name, query.prefix, query.limit) };
    });
  }

  /** Remembers a verified webhook delivery: when, and signed with which secret version. */
  private rememberDelivery(delivery: Delivery | undefined): void {
    if (!delivery) return;
    this.store.setMeta(LAST_DELIVERY_KEY, JSON.stringify(delivery));
    this.store.setMeta(`${DELIVERED_WITH_KEY}${delivery.version}`, delivery.at);
  }

  /**
   * Heals the room from CloudFormation (cron and ops), and writes its KV copies again (member list
   * and snapshot), so a copy that went wrong unnoticed is right again within one cron period.
   */
  async refresh(project: ProjectRecord, trigger: "cron" | "ops" = "ops"): Promise<RoomResult<HealOutcome>> {
    this.rememberProject(project);
    await membership.publishMembers(this, this.env.STACK_CACHE, project.id);
    this.snapshotSoon();
    return this.heal(project, trigger, () => refreshFromCloudFormation(this, project));
  }

  /** Heals the room from CloudFormation when an editor asks for it. */
  async refreshFor(project: ProjectRecord, caller: Caller): Promise<RoomResult<{ changed: number }>> {
    const denied = this.refusalFor(project, caller, "editor");
    if (denied) return denied;
    const result = await this.heal(project, "editor", () => refreshFromCloudFormation(this, project));
    return result.ok ? { ok: true, changed: result.changed } : result;
  }

  /** Runs a heal and records it (trigger, outcome, resources changed, CloudFormation calls made, duration). */
  private async heal(project: ProjectRecord, trigger: "cron" | "ops" | "editor" | "stuck" | "unsure", work: () => Promise<HealOutcome>): Promise<RoomResult<HealOutcome>> {
    const started = Date.now();
    const result = await guarded(work);
    const seconds = (Date.now() - started) / 1000;
    observe(this.env.METRICS, { event: "heal", project: project.id, trigger, outcome: result.ok ? "ok" : "failed", changed: result.ok ? result.changed : 0, seconds }, result.ok ? { ...result.calls } : { error: result.error.message });
    return result;
  }

  async createKey(project: ProjectRecord, caller: Caller, user: string): Promise<RoomResult<{ key: CreatedKey }>> {
    return this.afterKeys(user, this.as(project, caller, "editor", async () => ({ key: await keys.createKey(this, project, caller.email, user) })));
  }

  /** A change of the user's keys, after which its cached key list (read or still being read) is forgotten. */
  private async afterKeys<T>(user: string, change: Promise<T>): Promise<T> {
    try {
      return await change;
    } finally {
      this.keyReads.forget(user);
    }
  }

  /** A user's keys as IAM has them, with their last use: one IAM round per user per AWS_READ_CACHE_SECONDS, however many ask. */
  async listKeys(project: ProjectRecord, caller: Caller, user: string): Promise<RoomResult<{ keys: AccessKeySummary[] }>> {
    return this.as(project, caller, "viewer", async () => ({ keys: await this.keyReads.get(user, () => keys.listKeys(this, project, user)) }));
  }

  async setKeyStatus(project: ProjectRecord, caller: Caller, user: string, keyId: string, status: "Active" | "Inactive"): Promise<RoomResult<{ key: AccessKeySummary }>> {
    return this.afterKeys(user, this.as(project, caller, "editor", async () => ({ key: await keys.setKeyStatus(this, project, caller.email, user, keyId, status) })));
  }

  async deleteKey(project: ProjectRecord, caller: Caller, user: string, keyId: string): Promise<RoomResult<object>> {
    return this.afterKeys(user, this.as(project, caller, "editor", async () => (await keys.deleteKey(this, project, caller.email, user, keyId), {})));
  }

  /**
   * Rotates the user's key in one step: a second key now (its secret in this answer only), the
   * first deactivated at the new one's first use or when `graceDays` end (key-rotation.ts).
   */
  async rotateKey(project: ProjectRecord, caller: Caller, user: string, graceDays: number): Promise<RoomResult<{ key: RotatedKey }>> {
    const result = await this.afterKeys(user, this.as(project, caller, "editor", async () => ({ key: await startRotation(this, project, caller.email, user, graceDays) })));
    if (result.ok) this.ctx.waitUntil(this.rearm());
    return result;
  }

  /** Every user's keys, their age and last use, and what is flagged; from the room (no AWS call). The first look starts the scheduled reads. */
  async accessReview(project: ProjectRecord, caller: Caller): Promise<RoomResult<{ review: AccessReview }>> {
    return this.as(project, caller, "viewer", () => {
      if (armReview(this)) this.ctx.waitUntil(this.rearm());
      return { review: accessReview(this, this.reviews) };
    });
  }

  /** An editor's refresh: reads IAM now (bounded; the rest by the alarm soon after) and answers the review. A failed read shows as stale data. */
  async refreshAccessReview(project: ProjectRecord, caller: Caller): Promise<RoomResult<{ review: AccessReview }>> {
    return this.as(project, caller, "editor", async () => {
      await refreshReview(this, this.reviews, project);
      this.ctx.waitUntil(this.rearm());
      return { review: accessReview(this, this.reviews) };
    });
  }

  async createShare(project: ProjectRecord, caller: Caller, body: CreateShareBody): Promise<RoomResult<{ share: Share; id: string }>> {
    return this.as(project, caller, "editor", () => shares.createShare(this, project, caller.email, body));
  }

  /** Editors and owners: even the list of links is not for viewers (who could otherwise learn who holds access). */
  async listShares(project: ProjectRecord, caller: Caller): Promise<RoomResult<{ shares: Share[] }>> {
    return this.as(project, caller, "editor", () => ({ shares: shares.listShares(this) }));
  }

  async revokeShare(project: ProjectRecord, caller: Caller, handle: string): Promise<RoomResult<{ share: Share }>> {
    return this.as(project, caller, "editor", () => ({ share: shares.revokeShare(this, caller.email, handle) }));
  }

  /** The recipient's side: no sign-in; the link's id (and its open proof) is the authority. */
  async openShare(project: ProjectRecord, id: string, proof: string | null): Promise<RoomResult<{ opened: OpenedShare }>> {
    this.rememberProject(project);
    return guarded(() => ({ opened: shares.openShare(this, project, id, proof) }));
  }

  /** Whether a link can still be opened (and since when not), for the recipient's page; changes nothing. */
  async shareState(id: string): Promise<RoomResult<{ state: ShareState }>> {
    return guarded(() => ({ state: shares.shareState(this, id) }));
  }

  /** The member list (the room owns it; KV holds a published copy for fast reads). */
  async listMembers(): Promise<Member[]> {
    return this.members.list();
  }

  /** `email`'s role here, as the room (the authority) has it: what the Worker asks when its KV copy says no. */
  async roleOf(email: string): Promise<Role | null> {
    return this.members.roleOf(email) ?? null;
  }

  /** Writes the member list to KV again (a missing or unreadable copy was found there). */
  async republishMembers(projectId: string): Promise<Member[]> {
    await membership.publishMembers(this, this.env.STACK_CACHE, projectId);
    return this.members.list();
  }

  /** The state as the KV snapshot holds it, for a reader that found the KV copy missing or unreadable; the copy is written again soon. */
  async snapshot(): Promise<Snapshot> {
    const { type: _frame, ...state } = snapshotFrame(this);
    this.snapshotSoon();
    return { ...state, writtenAt: new Date().toISOString() };
  }

  /** The room's own state for an export: members, links' metadata (no ciphertext), the change log, the settings. */
  async exportState(): Promise<Omit<ProjectExport, "project">> {
    const now = Date.now();
    return {
      members: this.members.list(),
      links: this.shares.withIdHashes().map(({ idHash, share }) => ({ ...publicShare(share, now), idHash })),
      activity: { seq: this.store.seq(), frames: this.store.logFrames() },
      settings: this.settings(),
    };
  }

  /**
   * Restores an export into this room, which must be empty (no members, no history): one step.
   * A link still waiting comes back revoked (its ciphertext was not exported, so it can never
   * open); its recipient is told so. Resources come back by healing from CloudFormation.
   */
  async importState(state: ProjectExport): Promise<RoomResult<{ members: number; links: number; frames: number }>> {
    if (this.members.list().length > 0 || this.store.seq() > 0) return refusal(new RoomError("conflict", `Project ${state.project.id} already has members or history here; import only into an empty deployment.`));
    const now = new Date().toISOString();
    this.ctx.storage.transactionSync(() => {
      this.rememberProject(state.project);
      this.members.replaceAll(state.members);
      for (const { idHash, ...link } of state.links) {
        const ended = link.status === "pending" ? { status: "revoked" as const, revokedBy: RESTORED_WITHOUT_PAYLOAD, revokedAt: now } : {};
        this.shares.restore(idHash, { ...link, ...ended, ciphertext: null, iv: "", proofHash: null });
      }
      this.store.restoreLog(state.activity.frames, state.activity.seq);
      if (state.settings) projectSettings.restoreSettings(this, state.settings);
    });
    await membership.publishMembers(this, this.env.STACK_CACHE, state.project.id);
    this.snapshotSoon();
    return { ok: true, members: state.members.length, links: state.links.length, frames: state.activity.frames.length };
  }

  /**
   * Point-in-time recovery (Durable Objects keep 30 days of SQLite history): the room's storage is
   * brought back to `at` (or to a bookmark this answered before, to undo) when it restarts, which
   * it does right after answering. Answers the bookmark of the state being left.
   */
  async restoreTo(target: { at: number } | { bookmark: string }): Promise<RoomResult<{ restoring: string; undo: string }>> {
    let undo: string;
    let restoring: string;
    try {
      undo = await this.ctx.storage.getCurrentBookmark();
      restoring = "bookmark" in target ? target.bookmark : await this.ctx.storage.getBookmarkForTime(target.at);
      await this.ctx.storage.onNextSessionRestoreBookmark(restoring);
    } catch (err) {
      logEvent("error", "point_in_time_recovery_refused", { project: this.store.project()?.id, error: errorText(err) });
      return refusal(new RoomError("unavailable", `Point-in-time recovery is not possible here: ${err instanceof Error ? err.message : String(err)}`));
    }
    logEvent("warn", "point_in_time_recovery_armed", { project: this.store.project()?.id, restoring, undo });
    // Restart once this answer is out; the restored state is read when the room next wakes.
    this.ctx.waitUntil(scheduler.wait(100).then(() => this.ctx.abort("restoring to a point-in-time bookmark")));
    return { ok: true, restoring, undo };
  }

  /** When a delivery signed with secret `version` was last seen here (a rotation finishes only after one). */
  async deliveredWith(version: number): Promise<string | null> {
    return this.store.getMeta(`${DELIVERED_WITH_KEY}${version}`) ?? null;
  }

  /** What on-call looks at first (`npm run ops -- status <project>`). */
  async status(project: ProjectRecord): Promise<ProjectStatus> {
    const resources: ProjectStatus["resources"] = {};
    const locks: ProjectStatus["locks"] = [];
    const failures: ProjectStatus["failures"] = [];
    let queued = 0;
    for (const { kind } of kindList()) {
      for (const stored of this.store.list(kind)) {
        const { name, status, lock, statusReason } = stored.resource;
        const counts = (resources[kind] ??= {});
        counts[status] = (counts[status] ?? 0) + 1;
        if (lock) locks.push({ ...lock, kind, name });
        if (status === "failed") failures.push({ kind, name, status, ...(stored.stackStatus ? { stackStatus: stored.stackStatus } : {}), ...(statusReason ? { reason: statusReason } : {}) });
        queued += this.queue.edits(kind, name).length;
      }
    }
    const now = Date.now();
    return {
      project: project.id,
      resources,
      locks,
      queued,
      failures,
      lastEventAt: this.store.getMeta(LAST_EVENT_KEY) ?? null,
      lastDelivery: await this.lastDelivery(),
      webhookSecretVersion: project.webhookSecretVersion,
      webhookPreviousSecretVersion: project.webhookPreviousSecretVersion ?? null,
      members: this.members.list().length,
      pendingLinks: this.shares.list().filter((s) => publicShare(s, now).status === "pending").length,
      liveSockets: this.ctx.getWebSockets().length,
      quarantined: this.quarantine.count(),
      seq: this.store.seq(),
    };
  }

  /**
   * Offboarding (ops): with resources standing, their deletes start stage by stage when ops ask
   * for it (room-offboard.ts); once none stand, the room forgets everything (members, links, log,
   * its KV copies) and closes every socket. Answers which of the two happened.
   */
  async offboard(project: ProjectRecord, deleteResources: boolean): Promise<RoomResult<{ answer: OffboardAnswer }>> {
    this.rememberProject(project);
    const standing = standingResources(this);
    if (standing.length > 0 && !deleteResources) {
      const list = standing.map((r) => `${r.kind} ${r.name} (${r.status})`).join(", ");
      return refusal(new RoomError("conflict", `Project ${project.id} still has ${standing.length} resource(s) with stacks: ${list}. Delete them first, or offboard with --delete-resources.`));
    }
    if (standing.length > 0) {
      const answer = await deleteNextStage(this, project, (kind, name) => this.change(kind, project, OPS_ACTOR, { action: "delete", name, removeGrants: true }));
      return { ok: true, answer };
    }
    this.closeSockets(() => true, membership.REMOVED_CLOSE_CODE, "This project was removed from Stackroom.");
    await Promise.all([this.env.STACK_CACHE.delete(membersKey(project.id)), this.env.STACK_CACHE.delete(snapshotKey(project.id))]);
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    // Empty, and at the current schema again, so this instance stays usable (a re-registered id starts afresh).
    migrateRoom(this.ctx.storage);
    return { ok: true, answer: { state: "offboarded", project: project.id, note: "" } };
  }

  /** The last verified webhook delivery, if any (ops status, rotation). */
  async lastDelivery(): Promise<Delivery | null> {
    const json = this.store.getMeta(LAST_DELIVERY_KEY);
    return json === undefined ? null : (this.quarantine.read("meta", LAST_DELIVERY_KEY, json, (raw) => Delivery.parse(raw), () => this.store.deleteMeta(LAST_DELIVERY_KEY)) ?? null);
  }

  /** Rows that no longer parsed and were set aside (ops). */
  async quarantined(): Promise<QuarantinedRow[]> {
    return this.quarantine.list();
  }

  /** Ops registration: first members of a new project, or an explicit replacement. */
  async seedMembers(project: ProjectRecord, members: Member[], replace: boolean): Promise<Member[]> {
    this.rememberProject(project);
    return membership.seedMembers(this, this.env.STACK_CACHE, project.id, members, replace);
  }

  /** An owner adds a member or changes a role; the last owner stays (409). */
  async setMember(project: ProjectRecord, caller: Caller, email: string, role: Role): Promise<RoomResult<{ members: Member[] }>> {
    return this.as(project, caller, "owner", async () => ({ members: await membership.setMember(this, this.env.STACK_CACHE, project.id, caller.email, email, role) }));
  }

  /** An owner removes a member (their open sockets close at once); the last owner stays (409). */
  async removeMember(project: ProjectRecord, caller: Caller, email: string): Promise<RoomResult<{ members: Member[] }>> {
    return this.as(project, caller, "owner", async () => ({ members: await membership.removeMember(this, this.env.STACK_CACHE, project.id, caller.email, email) }));
  }

  /**
   * Sign-out: the sign-in is refused here from now on (until it would have expired anyway), and
   * every live socket of it closes at once.
   */
  async endSession(sessionId: string, expiresAt: number): Promise<number> {
    this.members.endSession(sessionId, expiresAt);
    return this.closeSockets((who) => who.sessionId === sessionId, SIGNED_OUT_CLOSE_CODE, "You signed out.");
  }

  async activity(project: ProjectRecord, caller: Caller, before: number | null, limit: number, filter: ActivityFilter = {}): Promise<RoomResult<ActivityPage>> {
    return this.as(project, caller, "viewer", () => {
      const entries = this.store.activityBefore(before ?? Number.MAX_SAFE_INTEGER, limit + 1, filter);
      const page = entries.slice(0, limit);
      const last = page.at(-1);
      return { entries: page, nextBefore: entries.length > limit && last ? last.seq : null };
    });
  }

  /** What a bucket holds now (its page shows it); one S3 list call through the project's role. */
  async bucketUsage(project: ProjectRecord, caller: Caller, name: string): Promise<RoomResult<{ usage: BucketUsage }>> {
    return this.as(project, caller, "viewer", async () => {
      const stored = this.store.get("bucket", name);
      if (!stored || stored.resource.status === "deleted" || !("physicalName" in stored.resource)) throw new RoomError("not_found", `No bucket named “${name}”.`);
      try {
        const physicalName = String(stored.resource.physicalName);
        return { usage: await this.usageReads.get(physicalName, async () => ({ ...(await bucketGateway(this, project).usage(physicalName)), at: new Date().toISOString() })) };
      } catch (err) {
        throw roomErrorFromAws(err, `bucket “${name}”`);
      }
    });
  }

  /**
   * The CloudFormation events the room holds for a resource's stack, newest first: those of the
   * running or last operation (older ones are forgotten once they can change nothing).
   */
  async resourceEvents(project: ProjectRecord, caller: Caller, kind: ResourceKind, name: string, limit = 100): Promise<RoomResult<ResourceEvents>> {
    return this.as(project, caller, "viewer", () => this.eventsOf(project, kind, name, limit));
  }

  private eventsOf(project: ProjectRecord, kind: ResourceKind, name: string, limit: number): ResourceEvents {
    const stack = stackName(project.id, kind, name);
    const events = this.store
      .stackEvents(stack)
      .sort((a, b) => b.timestamp.localeCompare(a.timestamp) || b.eventId.localeCompare(a.eventId))
      .slice(0, limit)
      .map((e) => ({
        at: e.timestamp,
        logicalId: e.logicalResourceId,
        type: e.resourceType,
        status: e.resourceStatus,
        ...(e.resourceStatusReason ? { reason: e.resourceStatusReason } : {}),
        ...(e.clientRequestToken ? { operationId: e.clientRequestToken } : {}),
      }));
    return { stackName: stack, events };
  }

  /** The live socket: `?since=<seq>` gets exactly what it missed (or a snapshot), then live frames. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade") !== "websocket") return new Response("expected a WebSocket upgrade", { status: 426 });
    const since = Number(new URL(request.url).searchParams.get("since") ?? "0");
    const caller: Caller = {
      email: request.headers.get(LIVE_CALLER_HEADERS.email) ?? "",
      sessionId: request.headers.get(LIVE_CALLER_HEADERS.session) ?? "",
      sessionExpiresAt: Number(request.headers.get(LIVE_CALLER_HEADERS.expires) ?? 0),
    };
    const { 0: client, 1: server } = new WebSocketPair();
    // Frames logged but not yet sent go to the sockets already open; this one resumes from the log.
    this.outbox.flush();
    // The Worker read membership from KV, which may lag behind a removal or a sign-out made here.
    const refused = this.refusalFor(this.store.project(), caller, "viewer");
    if (refused) {
      server.accept();
      const code = refused.error.code === "unauthenticated" ? SIGNED_OUT_CLOSE_CODE : membership.REMOVED_CLOSE_CODE;
      server.close(code, refused.error.code === "unauthenticated" ? refused.error.message.slice(0, 120) : "You are not a member of this project.");
      return new Response(null, { status: 101, webSocket: client });
    }
    this.ctx.acceptWebSocket(server);
    const attachment: SocketAttachment = { email: caller.email, sessionId: caller.sessionId, expiresAt: caller.sessionExpiresAt, connectedAt: new Date().toISOString() };
    server.serializeAttachment(attachment);
    // The alarm closes the socket when its sign-in ends (an Access token's exp, a dev session's).
    const nextEnd = Number(this.store.getMeta(SOCKET_ENDS_KEY) ?? Infinity);
    if (caller.sessionExpiresAt * 1000 < nextEnd) {
      this.store.setMeta(SOCKET_ENDS_KEY, String(caller.sessionExpiresAt * 1000));
      this.ctx.waitUntil(this.rearm());
    }
    const seq = this.store.seq();
    server.send(JSON.stringify({ type: "hello", seq } satisfies LiveFrame));
    // A client ahead of the room (its state came from elsewhere) or with a gap older than the
    // kept log gets the whole state instead of a partial tail.
    const missed = Number.isSafeInteger(since) && since >= 0 && since <= seq ? this.store.framesSince(since) : null;
    if (missed === null) server.send(JSON.stringify(snapshotFrame(this)));
    else for (const json of missed) server.send(json);
    this.presence.joined(server, attachment);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(): Promise<void> {
    // Clients only ping (answered by the auto-response); anything else is ignored.
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    this.presence.left(ws);
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // already closed
    }
  }

  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    logEvent("warn", "websocket_error", { project: this.store.project()?.id, email: attachmentOf(ws)?.email, error: errorText(error) });
    this.presence.left(ws);
  }

  /** Writes the KV snapshot when due, runs the kinds' timed work (user expiry), heals stuck locks, re-arms itself. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const project = this.store.project();
    if (project && Number(this.store.getMeta("snapshotDue") ?? Infinity) <= now) await writeSnapshot(this, this.env.STACK_CACHE, project.id, now);
    for (const module of kindList()) if (project && module.alarm) await module.alarm.run(this, project, now);
    if (project) await runRotations(this, this.reviews, project);
    if (project) await runDueReview(this, this.reviews, project, now);
    if (project && Number(this.store.getMeta(CHECK_DUE_KEY) ?? Infinity) <= now) {
      this.store.deleteMeta(CHECK_DUE_KEY);
      await this.heal(project, "unsure", () => refreshFromCloudFormation(this, project));
    }
    if (project && lockedResources(this).some(({ lastHeard }) => now - lastHeard >= this.stuckMs())) await this.heal(project, "stuck", async () => ({ changed: await healStuckLocks(this, project, now, this.stuckMs()) }));
    // Resume queues a restart may have left waiting on a free resource.
    for (const { kind, name } of this.queue.resources()) await drainQueue(this, kind, name);
    shares.sweepExpiredShares(this, now);
    this.closeEndedSockets(now);
    this.members.sweepEndedSessions(Math.floor(now / 1000));
    if (project) await this.notifications.deliverDue(project, now);
    await this.rearm();
  }

  record(kind: ResourceKind, stored: StoredResource, activity: ActivityLine, remove = false, summary?: SummaryLine): number {
    const project = this.store.project();
    // The kind's own state settles once an operation is over (a failed bucket delete gives grants back).
    const settle = kindModule(kind)?.settle;
    const settled = project && settle ? settle(this, project, stored) : { stored, after: () => undefined };
    const next = settled.stored;
    const lockBefore = this.store.get(kind, next.resource.name)?.resource.lock;
    if (remove) this.store.remove(kind, next.resource.name, project ? stackName(project.id, kind, next.resource.name) : "");
    else this.store.put(kind, next);
    // A bucket's file activity goes with it.
    if (remove && kind === "bucket") this.files.forgetBucket(next.resource.name);
    const seq = this.log(kind, next.resource.name, activity, next, lockBefore, summary);
    settled.after();
    return seq;
  }

  note(kind: ResourceKind, name: string, activity: ActivityLine): void {
    // The resource goes out with the line when there is one: a queued edit dropped or cancelled
    // leaves its queue, and every open page must see that, not only the feed.
    this.log(kind, name, activity, this.store.get(kind, name));
  }

  announce(kind: ActivityKind, name: string, activity: ActivityLine, fields: ChangeFields = {}): void {
    const json = this.store.appendFrame((seq) => ({ type: "change", seq, ...fields, activity: { seq, at: new Date().toISOString(), kind, name, ...activity } }));
    this.outbox.push(json);
    this.snapshotSoon();
  }

  closeSockets(match: (who: SocketAttachment) => boolean, code: number, reason: string): number {
    let closed = 0;
    this.outbox.flush();
    for (const ws of this.ctx.getWebSockets()) {
      const who = attachmentOf(ws);
      if (!who || !match(who)) continue;
      this.presence.left(ws);
      try {
        ws.close(code, reason);
        closed++;
      } catch {
        // already closed
      }
    }
    return closed;
  }

  private log(kind: ResourceKind, name: string, activity: ActivityLine, stored?: StoredResource, lockBefore?: Lock, summary?: SummaryLine): number {
    this.announce(kind, summary ? "" : name, activity, { ...(stored ? { [kind]: publicView(this, kind, stored) } : {}), ...(summary?.replaces ? { replaces: summary.replaces } : {}) });
    const seq = this.store.seq();
    this.observeOperation(kind, activity.operation, lockBefore);
    // Every operation's failure passes here (CloudFormation's outcome, a refused start, a queued edit dropped): one place to tell it.
    if (activity.operation?.step === "failed") this.notify({ type: "failure", kind, name, message: activity.message, at: new Date().toISOString() });
    // A resource that just became free starts its next queued edit.
    const current = this.store.get(kind, name);
    if (!current?.resource.lock && this.queue.list(kind, name).length > 0) this.ctx.waitUntil(drainQueue(this, kind, name));
    // An operation that just ended may be what another resource's first queued edit waits for
    // (edit-queue.ts): those are tried now, one after another, not at the next alarm.
    if (lockBefore && !current?.resource.lock) {
      const others = this.queue.resources().filter((r) => r.kind !== kind || r.name !== name);
      if (others.length > 0) this.ctx.waitUntil((async () => { for (const r of others) await drainQueue(this, r.kind, r.name); })());
    }
    return seq;
  }

  notify(event: NotifyEvent): void {
    if (this.notifications.notify(this.store.project()?.id, event)) this.ctx.waitUntil(this.rearm());
  }

  /** Where the project's notifications go, and the last deliveries (members; the whole URL for owners only). */
  async notificationSettings(project: ProjectRecord, caller: Caller): Promise<RoomResult<{ view: NotificationsView }>> {
    return this.as(project, caller, "viewer", () => ({ view: this.notifications.view(this.members.roleOf(caller.email) === "owner") }));
  }

  /** Owners change where notifications go (the Worker checked the URL); a new signing secret is answered once. */
  async saveNotifications(project: ProjectRecord, caller: Caller, settings: NotificationSettings, rotateSecret: boolean): Promise<RoomResult<{ saved: NotificationsSaved }>> {
    return this.as(project, caller, "owner", () => {
      const { secret } = this.notifications.save(settings, rotateSecret);
      logEvent("info", "notifications_changed", { project: project.id, by: caller.email, format: settings.format, events: settings.events.join(","), digestMinutes: settings.digestMinutes, enabled: settings.webhookUrl !== null, secretMade: secret !== undefined });
      this.announce("member", "", { actor: caller.email, message: settingsWords(caller.email, settings, secret !== undefined), tone: "info" });
      return { saved: { ...this.notifications.view(true), ...(secret ? { secret } : {}) } };
    });
  }

  /** Owners send one test message now; answers how it went (also in the delivery log). */
  async testNotification(project: ProjectRecord, caller: Caller): Promise<RoomResult<{ delivery: NotificationDelivery }>> {
    return this.as(project, caller, "owner", async () => {
      if (this.notifications.view(true).webhookUrl === null) throw new RoomError("conflict", "Set a webhook URL and save before sending a test.");
      return { delivery: await this.notifications.sendTest(project, caller.email) };
    });
  }

  snapshotSoon(): void {
    if (this.store.getMeta("snapshotDue") === undefined || this.store.getMeta("snapshotDue") === "Infinity") {
      const last = Number(this.store.getMeta("snapshotAt") ?? 0);
      this.store.setMeta("snapshotDue", String(Math.max(Date.now(), last + SNAPSHOT_INTERVAL_MS)));
    }
    this.rearmAfterTurn();
  }

  /** Set while a rearm waits for the end of the current turn. */
  private rearmQueued = false;

  /**
   * Rearms the alarm once the current turn is over, however many changes it recorded: nextAlarm
   * reads every resource (locks, expiries, rotations), and a heal records hundreds of changes in
   * one turn. Rearming after each made the heal that forgets 300 buckets and 300 users hold the
   * room's thread 17.8 s (1.2 s now), every request to the room waiting behind it.
   */
  private rearmAfterTurn(): void {
    if (this.rearmQueued) return;
    this.rearmQueued = true;
    this.ctx.waitUntil(
      Promise.resolve().then(() => {
        this.rearmQueued = false;
        return this.rearm();
      }),
    );
  }

  /** The resource as it is now (the operation may already have moved on), in its public view. */
  private viewed(kind: ResourceKind, result: RoomResult<{ resource: ResourceView; operationId: string }>): RoomResult<{ resource: ResourceView; operationId: string }> {
    if (!result.ok) return result;
    const stored = this.store.get(kind, result.resource.name);
    return stored ? { ...result, resource: publicView(this, kind, stored) } : result;
  }

  private refreshFromEvents(stack: string): void {
    const parsed = parseStackName(stack);
    const module = parsed && kindModule(parsed.kind);
    if (!parsed || !module) return;
    const events = this.store.stackEvents(stack);
    // Storage stays bounded: what can no longer change the state goes (and is not re-read next time).
    this.store.forgetStackEvents(forgettableEvents(events, RECENT_EVENTS_KEPT).map((e) => e.eventId));
    const state = deriveStackState(events);
    const stored = this.store.get(parsed.kind, parsed.name);
    if (!state || !stored) {
      const project = this.store.project();
      if (state && !stored && state.status !== "deleted" && project) {
        // Someone (or a lost room) made this stack: learn its spec from CloudFormation.
        logEvent("warn", "event_for_unknown_resource", { project: project.id, stackName: stack });
        this.ctx.waitUntil(this.refresh(project));
      }
      return;
    }
    const applied = applyStackState(module.noun, stored, state);
    if (!applied) return;
    const project = this.store.project();
    const next = (project ? module.learn?.(this, project, applied.next, { physicalIds: physicalIdsOf(events), outputs: {} }) : null) ?? applied.next;
    this.record(parsed.kind, next, { actor: "CloudFormation", ...applied.activity }, next.resource.status === "deleted");
    // What the kind learns from AWS itself (the SFTP server's host key) it learns at once, not at the next heal.
    if (project && module.learnFromAws && next.resource.status === "ready") this.ctx.waitUntil(module.learnFromAws(this, project));
  }

  /** Closes the sockets whose sign-in has ended by `now`; remembers when the next one ends. */
  private closeEndedSockets(now: number): void {
    if (Number(this.store.getMeta(SOCKET_ENDS_KEY) ?? Infinity) > now) return;
    this.closeSockets((who) => who.expiresAt * 1000 <= now, SIGNED_OUT_CLOSE_CODE, "Your sign-in ended. Sign in again to continue.");
    let next = Infinity;
    for (const ws of this.ctx.getWebSockets()) {
      const who = attachmentOf(ws);
      if (who && who.expiresAt * 1000 > now) next = Math.min(next, who.expiresAt * 1000);
    }
    this.store.setMeta(SOCKET_ENDS_KEY, String(next));
  }

  /**
   * Whether `caller` may do what needs `need` here: the room's own member table and the sign-ins
   * it saw end decide, in the same call, whatever role the Worker read from its KV copy.
   */
  private refusalFor(project: ProjectRecord | undefined, caller: Caller, need: Role): { ok: false; error: ReturnType<typeof refusal>["error"] } | null {
    const id = project?.id ?? "";
    if (caller.sessionExpiresAt * 1000 <= Date.now()) return refusal(new RoomError("unauthenticated", "Your sign-in has ended. Sign in again to continue."));
    if (this.members.sessionEnded(caller.sessionId)) return refusal(new RoomError("unauthenticated", "You signed out. Sign in again to continue."));
    const role = this.members.roleOf(caller.email);
    if (!role) return refusal(new RoomError("not_found", notAMember(id)));
    if (!roleAtLeast(role, need)) return refusal(new RoomError("forbidden", roleTooLow(project?.name ?? id, role, need)));
    return null;
  }

  /** Runs a flow for `caller` once the room has authorised them (refusalFor); RoomErrors become values. */
  private as<T extends object>(project: ProjectRecord, caller: Caller, need: Role, flow: () => T | Promise<T>): Promise<RoomResult<T>> {
    this.rememberProject(project);
    const denied = this.refusalFor(project, caller, need);
    return denied ? Promise.resolve(denied) : guarded(flow);
  }

  /**
   * An operation's steps as telemetry: its outcome with how long it ran (from the lock it held),
   * and the resource's queue depth whenever an edit is queued, started or cancelled.
   */
  private observeOperation(kind: ResourceKind, operation: ActivityLine["operation"], lockBefore: Lock | undefined): void {
    const project = this.store.project();
    if (!project || !operation) return;
    const held = lockBefore?.operationId === operation.id ? lockBefore : undefined;
    if (operation.step === "succeeded" || operation.step === "failed" || operation.step === "cancelled") {
      const since = held ? Date.parse(held.since) : Number.NaN;
      const seconds = Number.isFinite(since) ? Math.max(0, (Date.now() - since) / 1000) : 0;
      observe(this.env.METRICS, { event: "operation", project: project.id, kind, action: operation.action, outcome: operation.step, seconds, operationId: operation.id }, { by: operation.by });
    }
    if (operation.step === "queued" || operation.step === "started" || operation.step === "cancelled") {
      observe(this.env.METRICS, { event: "queue", project: project.id, kind, depth: this.queue.resources().filter((r) => r.kind === kind).reduce((n, r) => n + this.queue.list(r.kind, r.name).length, 0) });
    }
  }

  /** How long an operation may go without any event before the room asks CloudFormation. */
  private stuckMs(): number {
    const seconds = Number(this.env.STUCK_LOCK_SECONDS);
    return (Number.isFinite(seconds) && seconds > 0 ? seconds : 300) * 1000;
  }

  private rememberProject(project: ProjectRecord): void {
    const json = JSON.stringify(project);
    if (this.store.getMeta("project") !== json) this.store.setMeta("project", json);
  }

  private async rearm(): Promise<void> {
    const at = nextAlarm(this, Date.now(), this.stuckMs());
    const current = await this.ctx.storage.getAlarm();
    if (at === null) return;
    if (current === null || at < current) await this.ctx.storage.setAlarm(at);
  }
}
