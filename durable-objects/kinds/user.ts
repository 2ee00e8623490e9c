import * as z from "zod";
import { errorText, logEvent } from "../../core/log";
import { Bucket, CreateUserBody, KeyRotation, Permission, ProjectRecord, SshKeyError, UpdateUserBody, User, UserSpec, sftpUnavailable, sftpUserNameProblem } from "../../core/contract";
import { readUserSpecFromTemplate, TemplateTooLargeError, userPath, userStackInput, userTemplate } from "../../core/user-template";
import { TemplateMetadataError } from "../../core/template-metadata";
import { PolicyTooLargeError } from "../../core/user-policy";
import { stackName } from "../../core/naming";
import { describeIssues } from "../../core/zod-issues";
import { AwsError } from "../../core/aws/errors";
import { defaultExpiry } from "../../core/user-expiry";
import { ExpiryReminders, nextReminderAt, reminderStep, reminderWords } from "../../core/expiry-reminders";
import type { KindNeighbours, RoomContext } from "../room-context";
import { RoomError } from "../room-error";
import { assertUnlocked, lockResource, refused, roomErrorFromAws } from "./kit";
import { learnSftpRole, learnUserIds, UserIdentity } from "./user-identity";
import { defineKind, storedSchema, type ChangeRequest, type Operation, type OperationOutcome } from "./kind";

/**
 * `iamUserId` and `sftpRole`: the IAM ids by which S3's events name who wrote a file, learned by
 * the room (user-identity.ts) and read by file intake (file-activity.ts).
 *
 * `expiryReminders`: which reminders before `spec.expiresAt` are behind us (core/expiry-reminders.ts).
 *
 * `rotation`: a key rotation under way (key-rotation.ts), kept with the user so it goes with it.
 */
export const StoredUser = storedSchema(User, UserSpec, { ...UserIdentity, expiryReminders: ExpiryReminders.optional(), rotation: KeyRotation.optional() });
export type StoredUser = z.infer<typeof StoredUser>;

/** A user change, as submitted and as queued (the last two are the room's own). */
export const UserChange = z.union([
  z.object({ action: z.literal("create"), body: CreateUserBody }),
  z.object({ action: z.literal("update"), name: z.string(), body: UpdateUserBody }),
  z.object({ action: z.literal("delete"), name: z.string() }),
  /** A new spec set directly: the expiry alarm and a bucket delete taking its grants. */
  z.object({ action: z.literal("update"), name: z.string(), spec: UserSpec }),
  /** Grants given back (a bucket delete that took them failed); merged into the spec as it is when it runs. */
  z.object({ action: z.literal("update"), name: z.string(), restore: z.array(Permission) }),
]);
export type UserChange = z.infer<typeof UserChange>;

const nameOf = (change: UserChange): string => (change.action === "create" ? change.body.name : change.name);

/** What a user change is checked against besides the user: the project's buckets and its SFTP server (and its default expiry for new users). */
interface UserNeighbours {
  buckets: Bucket[];
  sftp: ReturnType<KindNeighbours["sftpServer"]>;
  defaultExpiryDays?: number | null;
}

const neighbours = (room: RoomContext): UserNeighbours => ({ buckets: room.neighbours.buckets(), sftp: room.neighbours.sftpServer(), defaultExpiryDays: room.settings().defaultUserExpiryDays });

/**
 * SFTP access needs the project's server standing, created successfully and not going away (the
 * user stack imports its export): a user stack importing the export of a server that is not
 * there would only fail in CloudFormation, minutes later.
 */
function assertSftpAvailable(spec: UserSpec, server: UserNeighbours["sftp"]): void {
  if (!spec.sftp) return;
  const problem = sftpUnavailable(server?.resource, server?.appliedSpec != null);
  if (problem) throw new RoomError("conflict", problem, { sftp: problem });
}

/** Every granted bucket must exist and be usable: not deleted or being deleted. */
function assertGrantable(permissions: Permission[], projectBuckets: Bucket[]): void {
  const fields: Record<string, string> = {};
  permissions.forEach((p, i) => {
    const bucket = projectBuckets.find((b) => b.name === p.bucket);
    if (!bucket || bucket.status === "deleted") fields[`permissions.${i}.bucket`] = `There is no bucket named “${p.bucket}” in this project.`;
    else if (bucket.status === "deleting" || bucket.lock?.action === "delete") fields[`permissions.${i}.bucket`] = `Bucket “${p.bucket}” is being deleted.`;
  });
  const first = Object.values(fields)[0];
  if (first) throw new RoomError("conflict", first, fields);
}

/**
 * Write grants only on versioned buckets: there a writer's PutObject and DeleteObject keep the old
 * version (and no grant includes *Version actions), so no grant can destroy data. On a bucket that
 * keeps no versions they would, so such a grant is refused (400) rather than quietly allowed.
 */
function assertWritesKeepHistory(permissions: Permission[], projectBuckets: Bucket[]): void {
  const fields: Record<string, string> = {};
  permissions.forEach((p, i) => {
    const bucket = projectBuckets.find((b) => b.name === p.bucket);
    if (p.access !== "read" && bucket && !bucket.spec.versioning) {
      fields[`permissions.${i}.access`] = `Bucket “${p.bucket}” keeps no versions, so writing could destroy data. Turn its versioning on first, or grant read only.`;
    }
  });
  const first = Object.values(fields)[0];
  if (first) throw new RoomError("invalid", first, fields);
}

/** What AWS limits (IAM's 2048-character inline policy, CloudFormation's template size, Transfer's user names): the manager's to fix (400). */
function assertTemplateFits(project: ProjectRecord, name: string, spec: UserSpec): void {
  if (spec.sftp) {
    const problem = sftpUserNameProblem(name);
    if (problem) throw new RoomError("invalid", problem, { sftp: problem });
  }
  try {
    userTemplate({ projectId: project.id, accountId: project.accountId, region: project.region, name, spec });
  } catch (err) {
    if (err instanceof PolicyTooLargeError) throw new RoomError("invalid", err.message, { permissions: err.message });
    if (err instanceof TemplateTooLargeError) throw new RoomError("invalid", err.message, { sftp: err.message });
    if (err instanceof SshKeyError) throw new RoomError("invalid", `${err.message} Replace it in the user's SFTP access.`, { "sftp.sshPublicKeys": err.message });
    throw err;
  }
}

function specOf(body: UpdateUserBody, current: UserSpec): UserSpec {
  return {
    description: body.description === undefined ? current.description : body.description,
    permissions: body.permissions ?? current.permissions,
    expiresAt: body.expiresAt === undefined ? current.expiresAt : body.expiresAt,
    sftp: body.sftp === undefined ? (current.sftp ?? null) : body.sftp,
  };
}

/** The spec with `restore` granted again: grants on buckets that are gone, or already there, are left out. */
function withRestored(current: UserSpec, restore: Permission[], projectBuckets: Bucket[]): UserSpec {
  const key = (p: Permission) => `${p.bucket}\u0000${p.prefix ?? ""}`;
  const have = new Set(current.permissions.map(key));
  const alive = (p: Permission) => projectBuckets.some((b) => b.name === p.bucket && b.status !== "deleted");
  return { ...current, permissions: [...current.permissions, ...restore.filter((p) => alive(p) && !have.has(key(p)))] };
}

/** Checks a user change against current state and answers the locked user to store before CloudFormation runs. */
export function planUserChange(request: ChangeRequest<UserChange>, current: StoredUser | undefined, around: UserNeighbours, operationId: string, now: string): StoredUser {
  const { change, project, actor } = request;
  const projectBuckets = around.buckets;
  const name = nameOf(change);
  assertUnlocked(`user “${name}”`, current?.resource);

  if (change.action === "create") {
    if (current && current.resource.status !== "deleted") {
      throw new RoomError("conflict", `A user named “${name}” already exists in this project.`, { name: "This name is already used in this project." });
    }
    const { description, permissions, sftp } = change.body;
    assertGrantable(permissions, projectBuckets);
    assertWritesKeepHistory(permissions, projectBuckets);
    // No expiresAt: the project's default from when the create starts; null: none, on purpose.
    const expiresAt = change.body.expiresAt === undefined ? defaultExpiry(around.defaultExpiryDays ?? null, Date.parse(now)) : change.body.expiresAt;
    const spec: UserSpec = { description, permissions, expiresAt, sftp };
    assertTemplateFits(project, name, spec);
    assertSftpAvailable(spec, around.sftp);
    const user = { name, path: userPath(project.id), spec, status: "creating" as const, keys: [], updatedAt: now };
    return { resource: lockResource(user, spec, "create", actor, operationId, now), appliedSpec: null };
  }
  if (!current || current.resource.status === "deleted") throw new RoomError("not_found", `No user named “${name}”.`);
  if (change.action === "delete") {
    // Its keys stop working as the delete starts (kinds/user.ts runUser): shown so at once.
    const keys = current.resource.keys.map((k) => ({ ...k, status: "Inactive" as const }));
    return { ...current, resource: { ...lockResource(current.resource, current.resource.spec, "delete", actor, operationId, now), keys } };
  }

  if (current.appliedSpec === null) throw new RoomError("conflict", `User “${name}” was never created successfully; delete it and create it again.`);
  const spec = "spec" in change ? change.spec : "restore" in change ? withRestored(current.resource.spec, change.restore, projectBuckets) : specOf(change.body, current.resource.spec);
  if ("body" in change && change.body.permissions) {
    assertGrantable(spec.permissions, projectBuckets);
    assertWritesKeepHistory(spec.permissions, projectBuckets);
  }
  assertTemplateFits(project, name, spec);
  // Keys unchanged on a user that already has SFTP: its stack keeps importing what it imported.
  const sftpChanged = JSON.stringify(spec.sftp ?? null) !== JSON.stringify(current.appliedSpec.sftp ?? null);
  if (sftpChanged) assertSftpAvailable(spec, around.sftp);
  if (JSON.stringify(spec) === JSON.stringify({ ...current.resource.spec, sftp: current.resource.spec.sftp ?? null }) && current.resource.status === "ready") {
    throw new RoomError("invalid", `User “${name}” already has these settings; nothing to change.`);
  }
  return { ...current, resource: lockResource(current.resource, spec, "update", actor, operationId, now) };
}

function describe(actor: string, change: UserChange, spec: UserSpec): { message: string; detail?: string } {
  const name = nameOf(change);
  if (change.action === "delete") return { message: `${actor} started deleting user ${name} (its access keys stop first)`, detail: "its access keys stop first" };
  const grants = spec.permissions.length ? spec.permissions.map((p) => `${p.access} on ${p.bucket}${p.prefix ? `/${p.prefix}` : ""}`).join(", ") : "no bucket access";
  const byDefault = change.action === "create" && change.body.expiresAt === undefined;
  const expiry = spec.expiresAt ? `, expires ${spec.expiresAt}${byDefault ? " (the project's default)" : ""}` : "";
  const keys = spec.sftp?.sshPublicKeys.length ?? 0;
  const sftp = spec.sftp ? `, SFTP with ${keys === 1 ? "1 key" : `${keys} keys`}` : "";
  const detail = `${grants}${expiry}${sftp}`;
  return { message: `${actor} started ${change.action === "create" ? "creating" : "updating"} user ${name} (${detail})`, detail };
}

/** An IAM user name taken outside Stackroom: the manager's to fix. */
function userErrorFromAws(err: unknown, name: string, action: UserChange["action"]): RoomError {
  if (err instanceof AwsError && err.kind !== "AlreadyExists" && (err.code === "EntityAlreadyExists" || /EntityAlreadyExists|already exists/i.test(err.message))) {
    return new RoomError("conflict", `An IAM user named “${name}” already exists in the project account (outside Stackroom). Choose another name.`, {
      name: "This IAM user already exists in the account.",
    });
  }
  return roomErrorFromAws(err, `user “${name}”`, action);
}

/**
 * Sends a planned user change to CloudFormation (operation id = ClientRequestToken).
 *
 * A delete is two steps, made all-or-nothing: the user's active keys are deactivated through IAM
 * first (a deleted user's keys must stop working at once; deactivating, unlike deleting, can be
 * undone), then DeleteStack — whose AWS::IAM::User handler deletes the keys with the user
 * (iam:ListAccessKeys + iam:DeleteAccessKey in its handler permissions). If CloudFormation refuses
 * the delete, the keys are active again and nothing changed. If the delete starts and fails later
 * (DELETE_FAILED), the keys stay deactivated: the manager meant access to end, and the activity
 * and the key list say so.
 */
export async function runUser(gateway: ReturnType<RoomContext["gateway"]>, request: ChangeRequest<UserChange>, planned: StoredUser, operationId: string): Promise<OperationOutcome> {
  const { project, change } = request;
  const { name, spec } = planned.resource;
  const stack = stackName(project.id, "user", name);
  try {
    if (change.action === "delete") {
      const active = (await gateway.keys.list(name)).filter((k) => k.status === "Active").map((k) => k.accessKeyId);
      for (const key of active) await gateway.keys.setStatus(name, key, "Inactive");
      try {
        await gateway.deleteStack({ stackName: stack, operationId });
      } catch (err) {
        // Undo the first step: the user stays, so must its access.
        for (const key of active) await gateway.keys.setStatus(name, key, "Active");
        throw err;
      }
      return { kind: "started" };
    }
    const input = { ...userStackInput(project, name, spec), operationId };
    if (change.action === "create") {
      await gateway.createStack(input);
      return { kind: "started" };
    }
    const { changed } = await gateway.updateStack(input);
    return changed ? { kind: "started" } : { kind: "noop", message: `User ${name} already had these settings; nothing changed` };
  } catch (err) {
    return refused(userErrorFromAws(err, name, change.action));
  }
}

function userOperation(room: RoomContext, request: ChangeRequest<UserChange>): Operation {
  const name = nameOf(request.change);
  return {
    kind: "user",
    name,
    action: request.change.action,
    actor: request.actor,
    plan: (operationId, now, assumed) => planUserChange(request, assumed ? assumed.current && StoredUser.parse(assumed.current) : room.store.getAs("user", name, StoredUser), neighbours(room), operationId, now),
    describe: (planned) => describe(request.actor, request.change, StoredUser.parse(planned).resource.spec),
    run: (planned, operationId) => runUser(room.gateway(request.project), request, StoredUser.parse(planned), operationId),
  };
}

/** An update setting `permissions` directly (a bucket delete taking its grants). */
export function userUpdateOperation(room: RoomContext, project: ProjectRecord, actor: string, user: User, permissions: Permission[]): Operation {
  return userOperation(room, { project, actor, change: { action: "update", name: user.name, spec: { ...user.spec, permissions } } });
}

/** How soon to look again at an expired user that could not be handled yet (locked, or AWS failed). */
const EXPIRY_RETRY_MS = 30_000;

/** Expired but still able to act: grants left or an active key. */
function needsExpiry(user: StoredUser, now: number): boolean {
  const { spec, keys, status } = user.resource;
  if (!spec.expiresAt || Date.parse(spec.expiresAt) > now || status === "deleted" || status === "deleting") return false;
  return spec.permissions.length > 0 || keys.some((k) => k.status === "Active");
}

/** When the room's alarm must next look at users: the earliest future expiry, or soon for pending ones. */
function nextExpiryCheck(users: StoredUser[], now: number): number | null {
  let next: number | null = null;
  for (const user of users) {
    const at = user.resource.spec.expiresAt ? Date.parse(user.resource.spec.expiresAt) : NaN;
    if (Number.isNaN(at)) continue;
    // A due user is handled by the alarm that finds it; if that failed (or it was locked), look again later.
    const when = needsExpiry(user, now) ? now + EXPIRY_RETRY_MS : at > now ? at : null;
    if (when !== null && (next === null || when < next)) next = when;
  }
  return next;
}

/**
 * Stops expired users: their active keys are deactivated through IAM at once, and their grants
 * are removed through the normal stack path (so CloudFormation stays the store of truth). A
 * locked user, or one whose grant removal is refused, keeps its keys deactivated and is looked at
 * again by the next alarm: expiry only moves forward.
 */
async function expireDueUsers(room: RoomContext, project: ProjectRecord, now: number): Promise<void> {
  for (const user of room.store.listAs("user", StoredUser).filter((u) => needsExpiry(u, now) && !u.resource.lock)) {
    const name = user.resource.name;
    const gateway = room.gateway(project);
    try {
      for (const key of user.resource.keys.filter((k) => k.status === "Active")) await gateway.keys.setStatus(name, key.accessKeyId, "Inactive");
    } catch (err) {
      logEvent("error", "user_expiry_keys_failed", { project: project.id, name, error: errorText(err) });
      continue;
    }
    const fresh = room.store.getAs("user", name, StoredUser) ?? user;
    const stopped: StoredUser = { ...fresh, resource: { ...fresh.resource, keys: fresh.resource.keys.map((k) => ({ ...k, status: "Inactive" as const })) } };
    room.record("user", stopped, { actor: "Stackroom", message: `User ${name} expired: its access keys were deactivated`, tone: "info" });
    if (fresh.resource.spec.permissions.length === 0) continue;
    const result = await room.workflows.start(userOperation(room, { project, actor: "Stackroom (expiry)", change: { action: "update", name, spec: { ...fresh.resource.spec, permissions: [] } } }));
    if (!result.ok) logEvent("error", "user_expiry_grants_failed", { project: project.id, name, error: result.error.message });
  }
}

/** A user whose access can still end: created once, not deleted or going. */
function remindable(user: StoredUser): boolean {
  return user.appliedSpec !== null && user.resource.status !== "deleted" && user.resource.status !== "deleting";
}

/**
 * Reminders 14 and 3 days before a user's access ends (core/expiry-reminders.ts says which and
 * why): kept with the user, said in the activity and to the project's notifications. A new date
 * is only noted (no line): its reminders still ahead come later.
 */
function remindExpiringUsers(room: RoomContext, now: number): void {
  for (const user of room.store.listAs("user", StoredUser).filter(remindable)) {
    const step = reminderStep(user.resource.spec.expiresAt, user.expiryReminders, now);
    if (!step) continue;
    const next: StoredUser = { ...user, expiryReminders: step.record };
    if (!step.remind) {
      room.store.put("user", next);
      continue;
    }
    const { daysLeft, expiresAt } = step.remind;
    room.record("user", next, { actor: "Stackroom", message: reminderWords(user.resource.name, daysLeft, expiresAt), tone: "info" });
    // NOTIFY: the one call site for notifications of expiring access (room.notify, room-context.ts).
    room.notify({ type: "access-expiring", user: user.resource.name, expiresAt, daysLeft, at: new Date(now).toISOString() });
  }
}

/** When the room's alarm must next look at users for reminders. */
function nextReminderCheck(users: StoredUser[], now: number): number | null {
  return earliest(...users.filter(remindable).map((u) => nextReminderAt(u.resource.spec.expiresAt, u.expiryReminders, now)));
}

const earliest = (...times: Array<number | null>): number | null => times.reduce<number | null>((min, t) => (t !== null && (min === null || t < min) ? t : min), null);

export const userKind = defineKind<UserChange, StoredUser>({
  kind: "user",
  stored: StoredUser,
  change: UserChange,
  spec: UserSpec,
  nameOf,
  operation: userOperation,
  summarize(change) {
    if (change.action !== "update") return `${change.action} user`;
    if ("spec" in change) return "remove access (expiry)";
    if ("restore" in change) return `give back access to ${[...new Set(change.restore.map((p) => p.bucket))].join(", ")}`;
    const fields = Object.entries(change.body).filter(([key, value]) => key !== "queue" && value !== undefined);
    return `update ${fields.map(([key, value]) => `${key} → ${JSON.stringify(value)}`).join(", ")}`;
  },
  merge(first, next) {
    if (first.action !== "update" || next.action !== "update" || !("body" in first) || !("body" in next)) return null;
    const body = { ...first.body, ...Object.fromEntries(Object.entries(next.body).filter(([, v]) => v !== undefined)) };
    return UserChange.safeParse({ ...first, body }).data ?? null;
  },
  retry(stored) {
    const { name } = stored.resource;
    if (stored.stackStatus === "DELETE_FAILED") return { action: "delete", name };
    return stored.failedSpec ? { action: "update", name, spec: stored.failedSpec } : null;
  },
  readSpec(templateBody) {
    try {
      return readUserSpecFromTemplate(templateBody)?.spec ?? null;
    } catch (err) {
      if (err instanceof TemplateMetadataError) return null;
      throw err;
    }
  },
  adopt(project, name, spec, state, now) {
    return { resource: { name, path: userPath(project.id), spec, status: state.status, statusReason: state.reason, keys: [], updatedAt: now }, appliedSpec: state.status === "ready" ? spec : null };
  },
  alarm: {
    due: (room, now) => {
      const users = room.store.listAs("user", StoredUser);
      return earliest(nextExpiryCheck(users, now), nextReminderCheck(users, now));
    },
    run: async (room, project, now) => {
      remindExpiringUsers(room, now);
      await expireDueUsers(room, project, now);
    },
  },
  // Who wrote a file: the SftpRole's name from the stack's events, then both IAM ids from IAM.
  learn: (_room, _project, stored, facts) => learnSftpRole(stored, facts),
  learnFromAws: (room, project, calls) => learnUserIds(room, project, StoredUser, calls),
  invalid: (error) => {
    const { message, fields } = describeIssues(error, "The user change");
    return new RoomError("invalid", message, fields);
  },
});
