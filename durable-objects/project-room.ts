import { DurableObject } from "cloudflare:workers";
import type {
  AccessKeySummary, ActivityKind, ActivityPage, BucketUsage, CreatedKey, CreateShareBody, Member, OpenedShare, ProjectRecord, QueuedEdit, ResourceEvents, ResourceKind, Role, SftpEndpoint, Share, StackEvent,
} from "../worker/domain/contract";
import { LiveFrame } from "../worker/domain/contract";
import { deriveStackState, forgettableEvents, physicalIdsOf } from "../worker/domain/stack-status";
import { parseStackName, stackName } from "../worker/domain/naming";
import { RoomError, guarded, refusal, type RoomResult } from "./room-error";
import { RoomStore } from "./room-store";
import { ShareStore } from "./share-store";
import { attachmentOf, broadcast, Presence, type SocketAttachment } from "./live-sockets";
import { MemberStore } from "./member-store";
import * as membership from "./room-members";
import { applyStackState } from "./apply-stack-state";
import { awsGateway } from "./stack-gateway";
import type { ActivityLine, ChangeFields, RoomContext } from "./room-context";
import { availableActions, capitalize, continueRollback, refuseRepair, roomErrorFromAws, startOperation, type Repair } from "./stack-operation";
import { healStuckLocks, refreshFromCloudFormation } from "./heal";
import * as keys from "./room-keys";
import * as shares from "./room-shares";
import { nextAlarm } from "./room-alarm";
import { cancelQueued, drainQueue, EditQueue, enqueue, mustQueue } from "./edit-queue";
import { publicView, snapshotFrame, SNAPSHOT_INTERVAL_MS, writeSnapshot } from "./room-view";
import { kindList, kinds } from "./kinds";
import type { ResourceView, StoredResource } from "./kinds/kind";

/** Events of finished operations kept per stack, so late duplicates are still known by EventId. */
const RECENT_EVENTS_KEPT = 10;

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
  readonly queue: EditQueue;
  readonly members: MemberStore;
  readonly presence: Presence;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new RoomStore(ctx.storage.sql);
    this.shares = new ShareStore(ctx.storage.sql);
    this.queue = new EditQueue(ctx.storage.sql);
    this.members = new MemberStore(ctx.storage.sql);
    this.presence = new Presence(() => ctx.getWebSockets(), (json) => broadcast(ctx.getWebSockets(), json));
    // Pings are answered by the runtime without waking a hibernated room.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  gateway(project: ProjectRecord) {
    return awsGateway(this.env, project);
  }

  localSftpEndpoint(): SftpEndpoint | undefined {
    const [host, port] = (this.env.LOCAL_SFTP_ENDPOINT ?? "").split(":");
    return host && port && Number.isInteger(Number(port)) ? { host, port: Number(port) } : undefined;
  }

  /**
   * Starts a change of any kind (`change` is that kind's, checked by its module), or queues it
   * behind the running operation of the same resource (`queue: false` refuses with `locked`).
   */
  async submit(kind: ResourceKind, request: { project: ProjectRecord; actor: string; change: unknown; queue?: boolean }): Promise<RoomResult<{ resource: ResourceView; operationId: string }>> {
    this.rememberProject(request.project);
    const module = kinds[kind];
    const parsed = module.parseChange(request.change);
    if (!parsed.ok) return refusal(parsed.error);
    const name = module.nameOf(parsed.change);
    const current = this.store.get(kind, name);
    if (current && mustQueue(this, kind, name, parsed.change.action)) {
      const lock = current.resource.lock;
      if (request.queue === false) {
        const holder = lock ? `${lock.by} (since ${lock.since})` : "earlier queued edits";
        return refusal(new RoomError("locked", `${capitalize(module.label(name))} is being changed by ${holder}. Try again when it finishes.`));
      }
      const queued = enqueue(this, request.project, request.actor, kind, parsed.change, name);
      return queued.ok ? { ok: true, resource: publicView(this, kind, this.store.get(kind, name) ?? current), operationId: queued.operationId } : queued;
    }
    return this.viewed(kind, await startOperation(this, module.operation(this, { project: request.project, actor: request.actor, change: parsed.change })));
  }

  /** A repair after a failure: retry the rolled-back update or failed delete, or continue a stuck rollback. Starts at once: a held queue waits for exactly this. */
  async act(kind: ResourceKind, project: ProjectRecord, actor: string, name: string, action: Repair): Promise<RoomResult<{ resource: ResourceView; operationId: string }>> {
    this.rememberProject(project);
    const module = kinds[kind];
    const stored = this.store.get(kind, name);
    if (!stored || !availableActions(stored).includes(action)) return guarded(() => refuseRepair(module, name, action, stored));
    if (action === "continue-rollback") return this.viewed(kind, await startOperation(this, continueRollback(this, module, project, actor, name)));
    const change = module.retry(stored);
    if (change === null) return guarded(() => refuseRepair(module, name, action, stored));
    return this.viewed(kind, await startOperation(this, module.operation(this, { project, actor, change })));
  }

  /** Cancels a queued edit before it starts (its author or an owner). */
  async cancel(actor: string, role: Role, operationId: string): Promise<RoomResult<{ edit: QueuedEdit }>> {
    return cancelQueued(this, actor, role, operationId);
  }

  /** Folds CloudFormation events in; duplicates (same EventId) are counted and dropped. */
  async applyEvents(project: ProjectRecord, events: StackEvent[]): Promise<{ accepted: number; duplicates: number }> {
    this.rememberProject(project);
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
    return { accepted, duplicates: events.length - accepted };
  }

  /** Heals the room from CloudFormation (cron and on demand). */
  async refresh(project: ProjectRecord): Promise<RoomResult<{ changed: number }>> {
    this.rememberProject(project);
    return guarded(async () => ({ changed: await refreshFromCloudFormation(this, project) }));
  }

  async createKey(project: ProjectRecord, actor: string, user: string): Promise<RoomResult<{ key: CreatedKey }>> {
    return guarded(async () => ({ key: await keys.createKey(this, project, actor, user) }));
  }

  async listKeys(project: ProjectRecord, user: string): Promise<RoomResult<{ keys: AccessKeySummary[] }>> {
    return guarded(async () => ({ keys: await keys.listKeys(this, project, user) }));
  }

  async setKeyStatus(project: ProjectRecord, actor: string, user: string, keyId: string, status: "Active" | "Inactive"): Promise<RoomResult<{ key: AccessKeySummary }>> {
    return guarded(async () => ({ key: await keys.setKeyStatus(this, project, actor, user, keyId, status) }));
  }

  async deleteKey(project: ProjectRecord, actor: string, user: string, keyId: string): Promise<RoomResult<object>> {
    return guarded(async () => (await keys.deleteKey(this, project, actor, user, keyId), {}));
  }

  async createShare(project: ProjectRecord, actor: string, body: CreateShareBody): Promise<RoomResult<{ share: Share }>> {
    this.rememberProject(project);
    return guarded(() => ({ share: shares.createShare(this, project, actor, body) }));
  }

  async listShares(): Promise<RoomResult<{ shares: Share[] }>> {
    return guarded(() => ({ shares: shares.listShares(this) }));
  }

  async revokeShare(actor: string, id: string): Promise<RoomResult<{ share: Share }>> {
    return guarded(() => ({ share: shares.revokeShare(this, actor, id) }));
  }

  async openShare(project: ProjectRecord, id: string): Promise<RoomResult<{ opened: OpenedShare }>> {
    return guarded(() => ({ opened: shares.openShare(this, project, id) }));
  }

  /** The member list (the room owns it; KV holds a published copy for membership checks). */
  async listMembers(): Promise<Member[]> {
    return this.members.list();
  }

  /** Ops registration: first members of a new project, or an explicit replacement. */
  async seedMembers(project: ProjectRecord, members: Member[], replace: boolean): Promise<Member[]> {
    this.rememberProject(project);
    return membership.seedMembers(this, this.env.STACK_CACHE, project.id, members, replace);
  }

  /** An owner adds a member or changes a role; the last owner stays (409). */
  async setMember(project: ProjectRecord, actor: string, email: string, role: Role): Promise<RoomResult<{ members: Member[] }>> {
    this.rememberProject(project);
    return guarded(async () => ({ members: await membership.setMember(this, this.env.STACK_CACHE, project.id, actor, email, role) }));
  }

  /** An owner removes a member (their open sockets close at once); the last owner stays (409). */
  async removeMember(project: ProjectRecord, actor: string, email: string): Promise<RoomResult<{ members: Member[] }>> {
    this.rememberProject(project);
    return guarded(async () => ({ members: await membership.removeMember(this, this.env.STACK_CACHE, project.id, actor, email) }));
  }

  /** Sign-out: closes the live sockets of that sign-in (every tab of that browser). */
  async endSession(email: string, sessionId: string): Promise<number> {
    return this.closeSockets((who) => who.email === email && who.sessionId === sessionId, SIGNED_OUT_CLOSE_CODE, "You signed out.");
  }

  async activity(before: number | null, limit: number): Promise<ActivityPage> {
    const entries = this.store.activityBefore(before ?? Number.MAX_SAFE_INTEGER, limit + 1);
    const page = entries.slice(0, limit);
    const last = page.at(-1);
    return { entries: page, nextBefore: entries.length > limit && last ? last.seq : null };
  }

  /** What a bucket holds now (its page shows it); one S3 list call through the project's role. */
  async bucketUsage(project: ProjectRecord, name: string): Promise<RoomResult<{ usage: BucketUsage }>> {
    return guarded(async () => {
      const stored = this.store.get("bucket", name);
      if (!stored || stored.resource.status === "deleted" || !("physicalName" in stored.resource)) throw new RoomError("not_found", `No bucket named “${name}”.`);
      try {
        const usage = await this.gateway(project).bucketUsage(String(stored.resource.physicalName));
        return { usage: { ...usage, at: new Date().toISOString() } };
      } catch (err) {
        throw roomErrorFromAws(err, `bucket “${name}”`);
      }
    });
  }

  /**
   * The CloudFormation events the room holds for a resource's stack, newest first: those of the
   * running or last operation (older ones are forgotten once they can change nothing).
   */
  async resourceEvents(project: ProjectRecord, kind: ResourceKind, name: string, limit = 100): Promise<ResourceEvents> {
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
    const email = request.headers.get("X-Stackroom-Email") ?? "";
    const { 0: client, 1: server } = new WebSocketPair();
    // The Worker checked membership against KV, which may lag behind a removal made here.
    if (!this.members.roleOf(email)) {
      server.accept();
      server.close(membership.REMOVED_CLOSE_CODE, "You are not a member of this project.");
      return new Response(null, { status: 101, webSocket: client });
    }
    this.ctx.acceptWebSocket(server);
    const attachment: SocketAttachment = { email, sessionId: request.headers.get("X-Stackroom-Session") ?? "", connectedAt: new Date().toISOString() };
    server.serializeAttachment(attachment);
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
    console.warn("ProjectRoom:webSocketError", { email: attachmentOf(ws)?.email, error: String(error) });
    this.presence.left(ws);
  }

  /** Writes the KV snapshot when due, runs the kinds' timed work (user expiry), heals stuck locks, re-arms itself. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const project = this.store.project();
    if (project && Number(this.store.getMeta("snapshotDue") ?? Infinity) <= now) await writeSnapshot(this, this.env.STACK_CACHE, project.id, now);
    for (const module of kindList) if (project && module.alarm) await module.alarm.run(this, project, now);
    if (project) await healStuckLocks(this, project, now, this.stuckMs());
    // Resume queues a restart may have left waiting on a free resource.
    for (const { kind, name } of this.queue.resources()) await drainQueue(this, kind, name);
    shares.sweepExpiredShares(this, now);
    await this.rearm();
  }

  record(kind: ResourceKind, stored: StoredResource, activity: ActivityLine, remove = false): void {
    const project = this.store.project();
    // The kind's own state settles once an operation is over (a failed bucket delete gives grants back).
    const settled = project ? kinds[kind].settle(this, project, stored) : { stored, after: () => undefined };
    const next = settled.stored;
    if (remove) this.store.remove(kind, next.resource.name, project ? stackName(project.id, kind, next.resource.name) : "");
    else this.store.put(kind, next);
    this.log(kind, next.resource.name, activity, next);
    settled.after();
  }

  note(kind: ResourceKind, name: string, activity: ActivityLine): void {
    this.log(kind, name, activity);
  }

  announce(kind: ActivityKind, name: string, activity: ActivityLine, fields: ChangeFields = {}): void {
    const json = this.store.appendFrame((seq) => ({ type: "change", seq, ...fields, activity: { seq, at: new Date().toISOString(), kind, name, ...activity } }));
    broadcast(this.ctx.getWebSockets(), json);
    this.snapshotSoon();
  }

  closeSockets(match: (who: SocketAttachment) => boolean, code: number, reason: string): number {
    let closed = 0;
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

  private log(kind: ResourceKind, name: string, activity: ActivityLine, stored?: StoredResource): void {
    this.announce(kind, name, activity, stored ? { [kind]: publicView(this, kind, stored) } : {});
    // A resource that just became free starts its next queued edit.
    const current = this.store.get(kind, name);
    if (!current?.resource.lock && this.queue.list(kind, name).length > 0) this.ctx.waitUntil(drainQueue(this, kind, name));
  }

  snapshotSoon(): void {
    if (this.store.getMeta("snapshotDue") === undefined || this.store.getMeta("snapshotDue") === "Infinity") {
      const last = Number(this.store.getMeta("snapshotAt") ?? 0);
      this.store.setMeta("snapshotDue", String(Math.max(Date.now(), last + SNAPSHOT_INTERVAL_MS)));
    }
    this.ctx.waitUntil(this.rearm());
  }

  /** The resource as it is now (the operation may already have moved on), in its public view. */
  private viewed(kind: ResourceKind, result: RoomResult<{ resource: ResourceView; operationId: string }>): RoomResult<{ resource: ResourceView; operationId: string }> {
    if (!result.ok) return result;
    const stored = this.store.get(kind, result.resource.name);
    return stored ? { ...result, resource: publicView(this, kind, stored) } : result;
  }

  private refreshFromEvents(stack: string): void {
    const parsed = parseStackName(stack);
    if (!parsed) return;
    const events = this.store.stackEvents(stack);
    // Storage stays bounded: what can no longer change the state goes (and is not re-read next time).
    this.store.forgetStackEvents(forgettableEvents(events, RECENT_EVENTS_KEPT).map((e) => e.eventId));
    const state = deriveStackState(events);
    const stored = this.store.get(parsed.kind, parsed.name);
    if (!state || !stored) {
      const project = this.store.project();
      if (state && !stored && state.status !== "deleted" && project) {
        // Someone (or a lost room) made this stack: learn its spec from CloudFormation.
        console.warn("ProjectRoom:event for an unknown resource; refreshing", { stackName: stack });
        this.ctx.waitUntil(this.refresh(project));
      }
      return;
    }
    const module = kinds[parsed.kind];
    const applied = applyStackState(module.noun, stored, state);
    if (!applied) return;
    const project = this.store.project();
    const next = (project ? module.learn(this, project, applied.next, { physicalIds: physicalIdsOf(events), outputs: {} }) : null) ?? applied.next;
    this.record(parsed.kind, next, { actor: "CloudFormation", ...applied.activity }, next.resource.status === "deleted");
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
