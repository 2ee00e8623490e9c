import { DurableObject } from "cloudflare:workers";
import type { ActivityEntry, ActivityPage, Bucket, LiveFrame, ProjectRecord, StackEvent } from "../worker/domain/contract";
import { ApiError, refusal, type RoomResult } from "../worker/errors";
import { deriveStackState } from "../worker/domain/stack-status";
import { parseStackName } from "../worker/domain/naming";
import { snapshotKey, type Snapshot } from "../worker/snapshot";
import { RoomStore, type StoredBucket } from "./room-store";
import { attachmentOf, broadcast } from "./live-sockets";
import { applyStackState } from "./apply-stack-state";
import { type BucketChangeRequest, changeName, describeChange, planBucketChange } from "./bucket-changes";
import { apiErrorFromAws, runBucketOperation } from "./bucket-operation";
import { readBucketStacks, type BucketStack } from "./stack-reader";
import { healBuckets } from "./heal";
import { awsGateway } from "./aws-gateway";

/** KV allows one write per second per key: snapshot writes are coalesced to at most that. */
const SNAPSHOT_INTERVAL_MS = 1_000;

/**
 * One per project: the single writer of its state. Serialises bucket changes (locks), folds
 * CloudFormation events into resource state (deduplicated by EventId), keeps the numbered
 * change log, pushes every change to connected managers and writes the KV snapshot.
 */
export class ProjectRoom extends DurableObject<Env> {
  private readonly store: RoomStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new RoomStore(ctx.storage.sql);
    // Pings are answered by the runtime without waking a hibernated room.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  /** Starts a bucket create/update/delete: lock, broadcast, CloudFormation call. */
  async submitBucket(request: BucketChangeRequest): Promise<RoomResult<{ bucket: Bucket; operationId: string }>> {
    try {
      const operationId = crypto.randomUUID();
      const name = changeName(request.change);
      const before = this.store.getBucket(name);
      const planned = planBucketChange(request, before, operationId, new Date().toISOString());
      this.record(planned, { actor: request.actor, message: describeChange(request.actor, request.change, planned.bucket.spec), tone: "info" });
      this.rememberProject(request.project);
      const outcome = await runBucketOperation(awsGateway(this.env, request.project), request, planned, operationId);
      if (outcome.kind === "started") return { ok: true, bucket: this.store.getBucket(name)?.bucket ?? planned.bucket, operationId };
      // Nothing reached CloudFormation (refused or no-op): undo the lock, say why.
      const current = this.store.getBucket(name);
      if (current?.bucket.lock?.operationId === operationId) {
        const restored = before ? { ...before, bucket: { ...before.bucket, updatedAt: new Date().toISOString() } } : null;
        this.record(restored ?? { ...planned, bucket: { ...planned.bucket, status: "deleted", lock: undefined } }, {
          actor: request.actor,
          message: outcome.message,
          tone: outcome.kind === "noop" ? "info" : "error",
        }, restored === null);
      }
      if (outcome.kind === "noop") return { ok: true, bucket: this.store.getBucket(name)?.bucket ?? planned.bucket, operationId };
      return refusal(outcome.error);
    } catch (err) {
      if (err instanceof ApiError) return refusal(err);
      throw err;
    }
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
    }
    for (const stackName of touched) this.refreshFromEvents(stackName);
    return { accepted, duplicates: events.length - accepted };
  }

  /**
   * Heals the room from CloudFormation (DescribeStacks + GetTemplate): missed events, stale
   * locks, buckets changed or deleted outside Stackroom. Run by the cron trigger and on demand.
   */
  async refresh(project: ProjectRecord): Promise<RoomResult<{ changed: number }>> {
    this.rememberProject(project);
    let stacks: BucketStack[];
    try {
      stacks = await readBucketStacks(awsGateway(this.env, project).cloudformation, project);
    } catch (err) {
      return refusal(apiErrorFromAws(err, "(all)"));
    }
    const steps = healBuckets(this.store.listStoredBuckets(), stacks, new Date().toISOString());
    for (const step of steps) this.record(step.stored, { actor: "Stackroom", ...step.activity }, step.remove);
    return { ok: true, changed: steps.length };
  }

  async activity(before: number | null, limit: number): Promise<ActivityPage> {
    const entries = this.store.activityBefore(before ?? Number.MAX_SAFE_INTEGER, limit + 1);
    const page = entries.slice(0, limit);
    const last = page.at(-1);
    return { entries: page, nextBefore: entries.length > limit && last ? last.seq : null };
  }

  /** The live socket: `?since=<seq>` gets exactly what it missed (or a snapshot), then live frames. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade") !== "websocket") return new Response("expected a WebSocket upgrade", { status: 426 });
    const url = new URL(request.url);
    const since = Number(url.searchParams.get("since") ?? "0");
    const email = request.headers.get("X-Stackroom-Email") ?? "unknown";
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ email, connectedAt: new Date().toISOString() });
    const seq = this.store.seq();
    server.send(JSON.stringify({ type: "hello", seq } satisfies LiveFrame));
    // A client ahead of the room (its state came from elsewhere) or with a gap older than the
    // kept log gets the whole state instead of a partial tail.
    const missed = Number.isSafeInteger(since) && since >= 0 && since <= seq ? this.store.framesSince(since) : null;
    if (missed === null) server.send(JSON.stringify(this.snapshotFrame()));
    else for (const json of missed) server.send(json);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    // Clients only ping (answered by the auto-response); anything else is ignored.
    void ws;
    void message;
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    console.log("ProjectRoom:webSocketClose", { email: attachmentOf(ws)?.email, code });
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // already closed
    }
  }

  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    console.warn("ProjectRoom:webSocketError", { email: attachmentOf(ws)?.email, error: String(error) });
  }

  /** Writes the KV snapshot; re-arms itself when changes landed during the write. */
  override async alarm(): Promise<void> {
    const projectId = this.store.getMeta("projectId");
    if (!projectId) return;
    const snapshot: Snapshot = { ...this.snapshotFrame(), writtenAt: new Date().toISOString() };
    await this.env.STACK_CACHE.put(snapshotKey(projectId), JSON.stringify({ seq: snapshot.seq, buckets: snapshot.buckets, users: snapshot.users, writtenAt: snapshot.writtenAt }));
    this.store.setMeta("snapshotSeq", String(snapshot.seq));
    this.store.setMeta("snapshotAt", String(Date.now()));
    if (this.store.seq() > snapshot.seq) await this.scheduleSnapshot();
  }

  private refreshFromEvents(stackName: string): void {
    const parsed = parseStackName(stackName);
    if (!parsed || parsed.kind !== "bucket") return;
    const state = deriveStackState(this.store.stackEvents(stackName));
    const stored = this.store.getBucket(parsed.name);
    if (!state || !stored) {
      const project = this.store.project();
      if (state && !stored && state.status !== "deleted" && project) {
        // Someone (or a lost room) made this stack: learn its spec from CloudFormation.
        console.warn("ProjectRoom:event for unknown bucket; refreshing", { stackName });
        this.ctx.waitUntil(this.refresh(project));
      }
      return;
    }
    const applied = applyStackState(stored, state);
    if (!applied) return;
    this.record(applied.next, { actor: "CloudFormation", tone: "info", ...applied.activity, message: applied.activity?.message ?? "" }, applied.next.bucket.status === "deleted");
  }

  /** Stores the bucket (or removes it), appends the change to the log, broadcasts it, schedules the snapshot. */
  private record(stored: StoredBucket, activity: Pick<ActivityEntry, "actor" | "message" | "tone">, remove = false): void {
    if (remove) this.store.deleteBucket(stored.bucket.name);
    else this.store.putBucket(stored);
    const json = this.store.appendFrame((seq) => ({
      type: "change",
      seq,
      bucket: stored.bucket,
      activity: { seq, at: new Date().toISOString(), kind: "bucket", name: stored.bucket.name, ...activity },
    }));
    broadcast(this.ctx.getWebSockets(), json);
    this.ctx.waitUntil(this.scheduleSnapshot());
  }

  private snapshotFrame(): Extract<LiveFrame, { type: "snapshot" }> {
    return { type: "snapshot", seq: this.store.seq(), buckets: this.store.listBuckets(), users: [] };
  }

  private rememberProject(project: ProjectRecord): void {
    const json = JSON.stringify(project);
    if (this.store.getMeta("project") !== json) this.store.setMeta("project", json);
    if (this.store.getMeta("projectId") !== project.id) this.store.setMeta("projectId", project.id);
  }

  private async scheduleSnapshot(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) !== null) return;
    const last = Number(this.store.getMeta("snapshotAt") ?? 0);
    await this.ctx.storage.setAlarm(Math.max(Date.now(), last + SNAPSHOT_INTERVAL_MS));
  }
}
