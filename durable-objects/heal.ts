import type { ActivityEntry, ProjectRecord, ResourceKind } from "../core/contract";
import type { CloudFormationClient } from "../core/aws";
import { AwsError } from "../core/aws/errors";
import { parseStackName, stackName } from "../core/naming";
import { isTerminalStackStatus, resourceStatusOf, type StackState } from "../core/stack-status";
import type { RoomContext } from "./room-context";
import { applyStackState } from "./apply-stack-state";
import { patchResource } from "./stack-operation";
import { roomErrorFromAws } from "./kinds/kit";
import { kindList, kindModule, moduleOf } from "./kinds";
import { errorText, logEvent } from "../core/log";
import { mapBounded } from "../core/bounded";
import { seenOf, unchangedSpec, type SeenStacks } from "./seen-stacks";
import type { AwsReads, KindModule, StoredResource } from "./kinds/kind";
import { foldedLines } from "./heal-lines";

/**
 * Healing: the room corrected from CloudFormation's own description of the project's stacks
 * (DescribeStacks, GetTemplate), by the cron, on demand, and for a lock whose operation went
 * silent. The only code that makes these calls — never a read path.
 */

const STARTING_GRACE_MS = 10 * 60_000;

/** A resource's stack as CloudFormation itself describes it: the truth the room heals towards. */
interface ResourceStack {
  name: string;
  /** null: its template was not read in this heal (over its budget); the room keeps what it has of it. */
  spec: object | null;
  stackStatus: string;
  stackStatusReason?: string;
  outputs: Readonly<Record<string, string>>;
}

/**
 * What a step tells, for a big heal's folded lines: a resource found in CloudFormation (adopted),
 * refreshed from it (its status or spec corrected), or gone from it; with the stack's status and
 * whether its settings changed outside Stackroom. Absent on a step that ends an operation: that
 * outcome keeps its own line (its managers, metrics and failure notice are about that operation).
 */
interface HealTold {
  what: HealWhat;
  stackStatus: string;
  drift?: true;
}

export type HealWhat = "found" | "refreshed" | "gone";

export interface HealStep {
  stored: StoredResource;
  remove: boolean;
  told?: HealTold;
  /** With the operation the step ends, when it releases a lock: the managers see its outcome. */
  activity: Pick<ActivityEntry, "message" | "tone" | "operation">;
}

function stateOf(stack: { stackStatus: string; stackStatusReason?: string }, at: string): StackState {
  const status = resourceStatusOf(stack.stackStatus);
  return {
    stackStatus: stack.stackStatus,
    status,
    terminal: isTerminalStackStatus(stack.stackStatus),
    at,
    ...(status === "failed" && stack.stackStatusReason ? { reason: stack.stackStatusReason } : {}),
  };
}

/**
 * Compares the room's resources of one kind with what CloudFormation says and returns the
 * corrections: resources the room never heard of (adopted), statuses whose events were missed
 * (releasing stale locks), specs changed outside Stackroom, and resources whose stack is gone.
 */
export function healResources(module: Pick<KindModule, "kind" | "noun" | "adopt">, project: ProjectRecord, current: StoredResource[], stacks: ResourceStack[], now: string): HealStep[] {
  const steps: HealStep[] = [];
  const byName = new Map(current.map((s) => [s.resource.name, s]));
  for (const stack of stacks) {
    const stored = byName.get(stack.name);
    byName.delete(stack.name);
    // null: its template is read by a later heal; until then it is not adopted, and a resource the
    // room has is healed in status only (not taken as gone, its spec not compared).
    const spec = stack.spec;
    const state = stateOf(stack, now);
    if (!stored) {
      if (spec === null) continue;
      steps.push({ stored: module.adopt(project, stack.name, spec, state, now), remove: false, told: { what: "found", stackStatus: stack.stackStatus }, activity: { message: `Found ${module.noun} ${stack.name} in CloudFormation (${stack.stackStatus})`, tone: "info" } });
      continue;
    }
    const applied = applyStackState(module.noun, stored, state);
    const specDrift = spec !== null && !stored.resource.lock && state.terminal && JSON.stringify(stored.resource.spec) !== JSON.stringify(spec);
    if (!applied && !specDrift) continue;
    const base = applied?.next ?? stored;
    const next = specDrift ? { ...base, resource: { ...base.resource, spec, updatedAt: now }, appliedSpec: spec } : base;
    const operation = applied?.activity.operation;
    steps.push({
      stored: next,
      remove: false,
      ...(operation ? {} : { told: { what: "refreshed" as const, stackStatus: stack.stackStatus, ...(specDrift ? { drift: true as const } : {}) } }),
      activity: {
        // An operation whose events went missing ends in its own words, said to come from the refresh.
        message: applied?.activity.operation
          ? `${applied.activity.message} (found by a refresh from CloudFormation, ${stack.stackStatus}: its events did not arrive)`
          : `Refreshed ${module.noun} ${stack.name} from CloudFormation: ${stack.stackStatus}${specDrift ? " (settings changed outside Stackroom)" : ""}`,
        tone: state.status === "failed" ? "error" : "info",
        ...(applied?.activity.operation ? { operation: applied.activity.operation } : {}),
      },
    });
  }
  for (const stored of byName.values()) {
    // A create whose stack does not exist yet is still starting; leave it to its own operation
    // unless it has been "starting" for longer than any CreateStack call can take.
    const lock = stored.resource.lock;
    if (lock?.action === "create" && Date.parse(now) - Date.parse(lock.since) < STARTING_GRACE_MS) continue;
    // A delete whose completion was never heard is done; any other operation ends with its stack gone.
    const operation = lock ? { id: lock.operationId, action: lock.action, step: lock.action === "delete" ? ("succeeded" as const) : ("failed" as const), by: lock.by, ...(lock.repair ? { repair: lock.repair } : {}) } : undefined;
    steps.push({
      stored: patchResource(stored, { status: "deleted", lock: undefined, updatedAt: now }),
      remove: true,
      ...(operation ? {} : { told: { what: "gone" as const, stackStatus: "" } }),
      activity: { message: `The ${module.noun} ${stored.resource.name} no longer exists in CloudFormation`, tone: lock && lock.action !== "delete" ? "error" : "info", ...(operation ? { operation } : {}) },
    });
  }
  return steps;
}

/**
 * What a heal cost in AWS calls: the list's pages, the templates read, the specs reused, the
 * kinds' other reads (`awsReads`); and the stacks it left for the next heal (`deferred`, over its
 * per-pass budget).
 */
export interface HealCalls {
  describeStacksPages: number;
  getTemplate: number;
  reused: number;
  deferred?: number;
  /** AWS calls the kinds made once healed, to learn what CloudFormation does not say (learnFromAws: IAM ids); absent when none. */
  awsReads?: number;
}

/** What a heal answers: how many resources it changed, and what it cost (for the heal's log line). */
export interface HealOutcome {
  changed: number;
  calls?: HealCalls;
}

/** A stack whose template this heal leaves to the next one. */
const DEFERRED = Symbol("deferred");

/** GetTemplate calls in flight at once; throttling is retried by the client itself (core/aws/retry.ts, full jitter). */
const TEMPLATE_READS_AT_ONCE = 4;

/**
 * GetTemplate calls one heal makes at most. Every call is a subrequest, and a Worker invocation
 * (here: the cron's, an ops or editor refresh's call into the room) may make only so many: 10,000
 * on the paid plan today, 1,000 on its older usage models, 50 on the free plan. A first heal of
 * 1,000 buckets and 1,000 users new to the room would read 2,000 templates (plus the list's pages
 * and a few IAM reads) in one invocation; with this budget it reads 800 and leaves the rest,
 * counted in `calls.deferred`, to the next heal (the cron's, or the caller asking again), which
 * finds the ones read remembered (seen-stacks.ts) and goes on from there. A deferred stack is
 * neither adopted nor taken as gone: the room keeps what it has of it until it is read.
 */
export const TEMPLATE_READS_PER_HEAL = 800;

/**
 * Every Stackroom stack of the project, by kind, with the spec its kind reads from its template
 * (or tags). A stack whose spec no kind can read is skipped, said in the log; so is one of a kind
 * the room has no module for. With `seen` (seen-stacks.ts) a template is read only for a stack
 * that is new or changed since; `seen` is brought up to date (gone stacks forgotten) and `calls`
 * counts the calls made.
 */
export async function readProjectStacks(
  cloudformation: CloudFormationClient,
  project: ProjectRecord,
  seen?: SeenStacks,
  calls: HealCalls = { describeStacksPages: 0, getTemplate: 0, reused: 0 },
  budget = Infinity,
): Promise<Map<ResourceKind, ResourceStack[]>> {
  const ours = (await cloudformation.describeStacks(undefined, () => calls.describeStacksPages++)).flatMap((stack) => {
    const parsed = parseStackName(stack.stackName);
    if (parsed?.projectId !== project.id) return [];
    const module = kindModule(parsed.kind);
    if (module) return [{ stack, kind: parsed.kind, name: parsed.name, module }];
    logEvent("warn", "stack_kind_unknown", { project: project.id, stackName: stack.stackName });
    return [];
  });
  // Which stacks need their template read; past the budget, they are left to the next heal.
  let toRead = 0;
  const planned = ours.map((item) => {
    const known = unchangedSpec(seen?.get(item.stack.stackName), item.stack);
    return { ...item, known, deferred: !known && toRead++ >= budget };
  });
  const specs = await mapBounded(planned, TEMPLATE_READS_AT_ONCE, async ({ stack, module, known, deferred }): Promise<object | null | typeof DEFERRED> => {
    if (known) {
      calls.reused++;
      return known;
    }
    if (deferred) return DEFERRED;
    calls.getTemplate++;
    const spec = module.readSpec(await cloudformation.getTemplate(stack.stackName), stack.tags);
    if (spec === null) logEvent("warn", "stack_spec_unreadable", { project: project.id, stackName: stack.stackName });
    return spec;
  });
  const result = new Map<ResourceKind, ResourceStack[]>(kindList().map((k) => [k.kind, []]));
  const deferred = planned.filter((p) => p.deferred).length;
  if (deferred > 0) calls.deferred = deferred;
  // Forget gone stacks; a deferred one is not remembered (read next time), an unreadable one neither.
  seen?.clear();
  ours.forEach(({ stack, kind, name }, i) => {
    const spec = specs[i];
    if (!spec) return; // unreadable: not remembered, read again next time
    const found = { name, stackStatus: stack.stackStatus, stackStatusReason: stack.stackStatusReason, outputs: stack.outputs };
    if (spec === DEFERRED) {
      result.get(kind)?.push({ ...found, spec: null });
      return;
    }
    seen?.set(stack.stackName, seenOf(stack, spec));
    result.get(kind)?.push({ ...found, spec });
  });
  return result;
}

/**
 * Heals the room from CloudFormation (cron and on demand): one DescribeStacks listing, and
 * GetTemplate only for the stacks new or changed since the last heal, at most `templateBudget`
 * of them (the rest to the next heal, `calls.deferred`). Answers how many resources changed and
 * the calls it made.
 */
export async function refreshFromCloudFormation(room: RoomContext, project: ProjectRecord, templateBudget = TEMPLATE_READS_PER_HEAL): Promise<HealOutcome> {
  const seen = room.seenStacks.load();
  // What the room held when the listing was asked for: a resource that changes while the heal
  // reads (its events arrive, an edit starts) is newer than the listing and is left as it is.
  const before = roomVersions(room);
  const calls: HealCalls = { describeStacksPages: 0, getTemplate: 0, reused: 0 };
  let stacks: Map<ResourceKind, ResourceStack[]>;
  try {
    stacks = await readProjectStacks(room.gateway(project).cloudformation, project, seen, calls, templateBudget);
  } catch (err) {
    throw roomErrorFromAws(err, "the project");
  }
  const now = new Date().toISOString();
  let changed = 0;
  for (const module of kindList()) {
    const found = stacks.get(module.kind) ?? [];
    const byName = new Map(found.map((s) => [s.name, s]));
    // Each step is applied in this same turn, so what is newer than the listing is known now.
    const steps = healResources(module, project, room.store.list(module.kind), found, now).filter((step) => {
      const name = step.stored.resource.name;
      if (versionOf(room.store.get(module.kind, name)) === before.get(`${module.kind}/${name}`)) return true;
      logEvent("info", "heal_skipped_newer", { project: project.id, kind: module.kind, name });
      return false;
    });
    const folds = foldedLines(room, project, module, steps);
    for (const step of steps) {
      const stack = byName.get(step.stored.resource.name);
      const stored = module.learn?.(room, project, step.stored, { physicalIds: {}, outputs: stack?.outputs ?? {} }) ?? step.stored;
      const fold = step.told && folds.get(step.told.what);
      if (fold) fold(stored, step);
      else room.record(module.kind, stored, { actor: "Stackroom", ...step.activity }, step.remove);
      changed++;
    }
  }
  room.seenStacks.save(seen);
  // What kinds learn from AWS beyond CloudFormation (the SFTP server's host key), once healed.
  const reads: AwsReads = { count: 0 };
  for (const module of kindList()) if (module.learnFromAws) changed += await module.learnFromAws(room, project, reads);
  if (reads.count > 0) calls.awsReads = reads.count;
  return { changed, calls };
}

/** A stored resource's state as far as a heal's race with it goes (absent: undefined). */
function versionOf(stored: StoredResource | undefined): string | undefined {
  if (!stored) return undefined;
  const { status, updatedAt, lock } = stored.resource;
  return `${status} ${updatedAt} ${lock?.operationId ?? ""} ${stored.stackStatus ?? ""}`;
}

/** `kind/name` → versionOf, for every resource the room holds. */
function roomVersions(room: RoomContext): Map<string, string | undefined> {
  return new Map(kindList().flatMap(({ kind }) => room.store.list(kind).map((s) => [`${kind}/${s.resource.name}`, versionOf(s)] as const)));
}

/** Every locked resource with the last time anything was heard of its operation. */
export function lockedResources(room: RoomContext): Array<{ kind: ResourceKind; stored: StoredResource; lastHeard: number }> {
  return kindList().flatMap(({ kind }) =>
    room.store.list(kind).flatMap((stored) => {
      const lock = stored.resource.lock;
      return lock ? [{ kind, stored, lastHeard: Math.max(Date.parse(lock.since), room.store.lastHeard(kind, stored.resource.name)) }] : [];
    }),
  );
}

/**
 * A lock whose operation sent no event for `stuckMs` (a lost SNS delivery, a bridge outage) is
 * checked against CloudFormation itself (DescribeStacks), and the room continues from the truth.
 */
export async function healStuckLocks(room: RoomContext, project: ProjectRecord, now: number, stuckMs: number): Promise<number> {
  let changed = 0;
  for (const { kind, stored, lastHeard } of lockedResources(room)) {
    if (now - lastHeard < stuckMs) continue;
    const module = moduleOf(kind);
    const name = stored.resource.name;
    room.store.heard(kind, name, now); // next look in another stuckMs
    let state: StackState | "none";
    let outputs: Readonly<Record<string, string>> = {};
    try {
      const [stack] = await room.gateway(project).cloudformation.describeStacks(stackName(project.id, kind, name));
      if (!stack) continue;
      state = stateOf(stack, new Date(now).toISOString());
      outputs = stack.outputs;
    } catch (err) {
      if (!(err instanceof AwsError && err.kind === "StackNotFound")) {
        logEvent("error", "stuck_lock_check_failed", { project: project.id, kind, name, error: errorText(err) });
        continue;
      }
      // No stack: a delete that finished, or a create that never started.
      state = stored.resource.lock?.action === "delete" ? stateOf({ stackStatus: "DELETE_COMPLETE" }, new Date(now).toISOString()) : "none";
    }
    const current = room.store.get(kind, name);
    if (state === "none") {
      if (current?.resource.lock) {
        const lock = current.resource.lock;
        const operation = { id: lock.operationId, action: lock.action, step: "failed" as const, by: lock.by };
        room.record(kind, patchResource(current, { status: "deleted", lock: undefined }), { actor: "Stackroom", message: `The ${module.noun} ${name} has no CloudFormation stack; its operation never started`, tone: "error", operation }, true);
        changed++;
      }
      continue;
    }
    const applied = applyStackState(module.noun, stored, state);
    if (applied && current?.resource.lock?.operationId === stored.resource.lock?.operationId) {
      const message = `No event for ${Math.round(stuckMs / 1000)} s; CloudFormation says ${state.stackStatus}. ${applied.activity.message}`;
      const next = module.learn?.(room, project, applied.next, { physicalIds: {}, outputs }) ?? applied.next;
      room.record(kind, next, { actor: "Stackroom", message, tone: applied.activity.tone, operation: applied.activity.operation }, next.resource.status === "deleted");
      changed++;
    }
  }
  return changed;
}
