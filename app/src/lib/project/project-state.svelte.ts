import { sftpUnavailable, type ActivityEntry, type ActivityPage, type Bucket, type LiveFrame, type Member, type ProjectSummary, type ProjectView, type QueuedEdit, type ResourceKind, type Role, type SftpServer, type SnapshotFrame, type User } from "$contract";
import { KIND_KEYS, KINDS } from "$core/kinds";
import type { KindSpec, KindView } from "$lib/kinds";
import { sameEmail } from "$lib/people";
import { ResourceSet } from "./resource-set.svelte";

/** One live list per kind of the kind table. */
type KindSets = { [K in ResourceKind]: ResourceSet<KindView<K>> };

function roleDropped(role: Role, what: string): string {
  return `Your role in this project is now ${role === "viewer" ? "Viewer" : "Editor"}, so you can no longer ${what}. Nothing was saved; an owner can give you the access back.`;
}

/** What the caller should do after `apply`: `resync` = our seq is ahead of the room's, reload. */
type ApplyResult = "applied" | "ignored" | "resync";

/** A manager who has the project open right now (from the room's `presence` frames). */
export type PresentManager = Extract<LiveFrame, { type: "presence" }>["managers"][number];

/**
 * One project as this manager sees it: the KV snapshot, then every live frame with a higher seq.
 * Each kind's resources are kept by name, one list per row of the kind table (a new kind's list
 * is kept without new code here); the activity feed is kept newest first, deduplicated by seq.
 */
export class ProjectState {
  readonly project: ProjectSummary;
  /** The signed-in manager's email. */
  readonly me: string;
  seq = $state(0);
  /** Who belongs to the project and with which role (owners change it; it arrives live). */
  members = $state<Member[]>([]);
  /** Who has the project open, as of the last presence frame. */
  presence = $state<PresentManager[]>([]);
  activity = $state<ActivityEntry[]>([]);
  /**
   * Seqs of folded lines (file activity) a later frame superseded: gone from the log, but a page
   * of the filtered feed fetched before may still hold them (filteredEntries drops them).
   */
  superseded = $state(new Set<number>());
  /** `before` for the next older activity page; null when the feed is complete. */
  olderCursor = $state<number | null>(null);

  readonly #sets = Object.fromEntries(KIND_KEYS.map((kind) => [kind, new ResourceSet()])) as KindSets;

  constructor(view: ProjectView, me: string, firstActivityPage?: ActivityPage) {
    this.project = view.project;
    this.me = me;
    this.seq = view.seq;
    this.#replaceLists(view);
    this.members = view.members;
    if (firstActivityPage) this.addActivity(firstActivityPage);
  }

  /** A kind's resources in name order (a deleted one lingers a moment, greyed). */
  list<K extends ResourceKind>(kind: K): readonly KindView<K>[] {
    return this.#sets[kind].list;
  }

  /** One resource of a kind, by name. */
  resource<K extends ResourceKind>(kind: K, name: string): KindView<K> | undefined {
    return this.#sets[kind].get(name);
  }

  /** How many of a kind exist (deleted ones still on screen are not counted). */
  count(kind: ResourceKind): number {
    return this.#sets[kind].liveCount;
  }

  get buckets(): readonly Bucket[] {
    return this.list("bucket");
  }

  get users(): readonly User[] {
    return this.list("user");
  }

  /** The SFTP server while SFTP is on or being turned on or off (a deleted one lingers a moment, greyed). */
  get sftp(): SftpServer | undefined {
    return this.list("sftp")[0];
  }

  /** Why SFTP access cannot be given now (the room refuses with the same words), or null. */
  get sftpUnavailable(): string | null {
    const server = this.sftp;
    return sftpUnavailable(server, server?.endpoint !== undefined);
  }

  /** SFTP in one word for the tab: On, Off, or what is happening to it. */
  get sftpState(): string {
    const server = this.sftp;
    if (!server || server.status === "deleted") return "Off";
    if (server.status === "creating" || server.lock?.action === "create") return "Turning on";
    if (server.status === "deleting" || server.lock?.action === "delete") return "Turning off";
    return server.status === "failed" ? "Failed" : "On";
  }

  /** A deleted resource whose row is fading out. */
  isLeaving(kind: ResourceKind, name: string): boolean {
    return this.#sets[kind].leaving.has(name);
  }

  /** Takes a deleted resource's row away now instead of letting it fade by itself. */
  dismiss(kind: ResourceKind, name: string): void {
    this.#sets[kind].dismiss(name);
  }

  /**
   * This manager's role as the room publishes it: the member list arrives live, so a demotion or
   * promotion changes what the page offers at once (the role the page loaded with until then).
   */
  get role(): Role {
    return this.members.find((m) => sameEmail(m.email, this.me))?.role ?? this.project.role;
  }

  /** Viewers read only; editors and owners create, change and delete. */
  get canWrite(): boolean {
    return this.role !== "viewer";
  }

  /** Owners add, change and remove members. */
  get canManageMembers(): boolean {
    return this.role === "owner";
  }

  /** Why a change form that is open cannot be saved any more (the role dropped while it was open), or null. */
  get writeBlocked(): string | null {
    return this.canWrite ? null : roleDropped("viewer", "make changes");
  }

  /** A queued edit may be cancelled by its author or an owner. */
  canCancel(edit: QueuedEdit): boolean {
    return this.canWrite && (this.role === "owner" || sameEmail(edit.by, this.me));
  }

  /** The spec a resource had before its running operation, when this page saw it. */
  specBefore<K extends ResourceKind>(kind: K, name: string): KindSpec<K> | undefined {
    return this.#sets[kind].specBefore(name);
  }

  bucket(name: string): Bucket | undefined {
    return this.resource("bucket", name);
  }

  user(name: string): User | undefined {
    return this.resource("user", name);
  }

  /** Applies one room frame; frames at or below our seq were already seen and are ignored. */
  apply(frame: LiveFrame): ApplyResult {
    switch (frame.type) {
      case "hello":
        return frame.seq < this.seq ? "resync" : "ignored";
      case "snapshot":
        this.#replaceLists(frame);
        this.members = frame.members;
        this.seq = frame.seq;
        return "applied";
      case "change":
        return this.#applyChange(frame);
      case "presence":
        // Who is here: not part of the project's state, and has no seq. The whole list on joining…
        this.presence = frame.managers;
        return "applied";
      case "presence-delta": {
        // …then only who changed: managers to upsert, emails that left.
        const byEmail = new Map(this.presence.map((m) => [m.email, m]));
        for (const email of frame.left) byEmail.delete(email);
        for (const m of frame.managers) byEmail.set(m.email, m);
        this.presence = [...byEmail.values()];
        return "applied";
      }
    }
  }

  /** Takes a resource from an HTTP answer; see `ResourceSet.offer`. */
  offer<K extends ResourceKind>(kind: K, resource: KindView<K>): void {
    this.#sets[kind].offer(resource);
  }

  /** Adds a page of activity (newest first) and remembers where the next older page starts. */
  addActivity(page: ActivityPage): void {
    this.#mergeActivity(page.entries);
    this.olderCursor = page.nextBefore;
  }

  /** Replaces the newest activity after a snapshot frame, keeping older pages already loaded. */
  refreshActivity(page: ActivityPage): void {
    this.#mergeActivity(page.entries);
  }

  /** Stops pending removals; call when the page goes away. */
  dispose(): void {
    for (const kind of KIND_KEYS) this.#sets[kind].dispose();
  }

  /** Takes each kind's whole list from a view or snapshot (named by the kind's `listKey`). */
  #replaceLists(lists: ProjectView | SnapshotFrame): void {
    for (const kind of KIND_KEYS) this.#replace(kind, lists[KINDS[kind].listKey]);
  }

  // Generic in the kind, so that TypeScript holds a kind's set and its views together.
  #replace<K extends ResourceKind>(kind: K, items: readonly KindView<K>[]): void {
    this.#sets[kind].replace(items);
  }

  #put<K extends ResourceKind>(kind: K, item: KindView<K>): void {
    this.#sets[kind].put(item);
  }

  #applyChange(frame: Extract<LiveFrame, { type: "change" }>): ApplyResult {
    if (frame.seq <= this.seq) return "ignored";
    this.seq = frame.seq;
    const { kind: about, name } = frame.activity;
    // A kind's field is absent for changes to other kinds (or to none, e.g. a share being
    // opened) and null when the resource the entry is about is gone.
    for (const kind of KIND_KEYS) {
      const resource = frame[kind];
      if (resource) this.#put(kind, resource);
      else if (resource === null && kind === about) this.#sets[kind].markGone(name);
    }
    if (frame.members) this.members = frame.members;
    // A folded line (file activity) that goes on: its earlier version leaves the feed.
    if (frame.replaces !== undefined) {
      const replaced = frame.replaces;
      this.activity = this.activity.filter((e) => e.seq !== replaced);
      this.superseded = new Set([...this.superseded, replaced]);
    }
    this.#mergeActivity([frame.activity]);
    return "applied";
  }

  /** Takes the member list from an HTTP answer (the live frame with it may still be on its way). */
  offerMembers(members: Member[]): void {
    this.members = members;
  }

  #mergeActivity(entries: readonly ActivityEntry[]): void {
    const bySeq = new Map(this.activity.map((e) => [e.seq, e]));
    for (const entry of entries) bySeq.set(entry.seq, entry);
    this.activity = [...bySeq.values()].sort((a, b) => b.seq - a.seq);
  }
}
