import * as z from "zod";
import { errorText, logEvent } from "../../core/log";
import type { ProjectRecord } from "../../core/contract";
import { stackName } from "../../core/naming";
import type { RoomContext } from "../room-context";
import { AwsError } from "../../core/aws/errors";
import type { AwsReads, StackFacts, StoredResource } from "./kind";

/**
 * Who wrote a file. S3's object events name the writer by IAM's unique id, never by name: an
 * IAM user's key as `AWS:<UserId>`, an SFTP session (Transfer Family assumes the user's SftpRole)
 * as `AWS:<RoleId>:<session>`. The room learns both ids once per user: the role's name from the
 * user stack's events (its physical id), then each id from IAM (GetUser, GetRole; the manager
 * role may read them for the project's users and roles only). file-activity.ts maps the ids back
 * (principalNames).
 */

/** What a stored user keeps of its identities (beside the user kind's own state). */
export const UserIdentity = {
  /** IAM's id of the user (`AIDA…` in AWS). */
  iamUserId: z.string().optional(),
  /** The user's SftpRole while SFTP is on: its name (from CloudFormation), then its id (from IAM). */
  sftpRole: z.object({ name: z.string(), id: z.string().optional() }).optional(),
  /**
   * The user's stack as it was (identityKey) when AWS answered for good that an id could not be
   * read (no such user or role, access denied): not asked again until the stack changes.
   */
  identityUnread: z.string().optional(),
};

interface IdentityUser extends StoredResource {
  appliedSpec: { sftp?: unknown } | null;
  iamUserId?: string;
  sftpRole?: { name: string; id?: string };
  identityUnread?: string;
}

/** A user with SFTP whose role's id the room does not know. */
const roleUnknown = (u: IdentityUser) => Boolean(u.appliedSpec?.sftp) && !u.sftpRole?.id;

/**
 * The user's stack as the room last heard of it (its status and when the room last changed the
 * user: an operation's end, a heal's refresh). A stack that changed may now have what was missing.
 */
const identityKey = (u: IdentityUser) => `${u.stackStatus ?? ""} ${u.resource.updatedAt}`;

/** Ids worth asking AWS for: missing, and not refused for good for the stack as it is now. */
const worthReading = (u: IdentityUser) => u.resource.status === "ready" && (!u.iamUserId || roleUnknown(u)) && u.identityUnread !== identityKey(u);

/** An answer that will not change by asking again (unlike throttling, a 5xx, a lost answer or expired credentials). */
const settledRefusal = (err: unknown) => err instanceof AwsError && !err.retryable && err.kind !== "ExpiredToken";

/** Users (ready, ids missing) per pass; the rest wait for the next (every heal and stack completion runs one). */
export const IDENTITY_READS_PER_PASS = 25;

/**
 * The SftpRole's name as CloudFormation reported it (the stack's events), kept while the user has
 * SFTP; forgotten (with its id) once SFTP is off or the role was replaced. Null: nothing changed.
 */
export function learnSftpRole<S extends IdentityUser>(stored: S, facts: StackFacts): S | null {
  const name = facts.physicalIds.SftpRole;
  const hasSftp = Boolean(stored.appliedSpec?.sftp);
  if (!hasSftp) {
    if (!stored.sftpRole) return null;
    const { sftpRole: _gone, ...rest } = stored;
    return rest as S;
  }
  if (!name || stored.sftpRole?.name === name) return null;
  return { ...stored, sftpRole: { name } };
}

/**
 * Reads from IAM the ids not known yet, of users that stand (ready), bounded per pass (and the
 * SftpRole's name from CloudFormation when no event carried it). A user whose ids are known costs
 * nothing, so a heal of an unchanged project makes no IAM call. A read AWS may answer differently
 * next time (throttling, a 5xx) is tried again on the next pass; one AWS refused for good (no
 * such user or role, access denied) is remembered with the user's stack state and not tried again
 * until that changes: such users would otherwise take the pass's budget on every heal, and keep
 * the users behind them waiting. Writes only the ids (or that mark), onto the user as it is when
 * IAM answered, and no activity: nothing a manager sees changed. Returns how many ids it learned;
 * counts its AWS calls in `calls`.
 */
export async function learnUserIds<S extends IdentityUser>(
  room: Pick<RoomContext, "aws" | "store">,
  project: ProjectRecord,
  schema: Pick<z.ZodType<S>, "parse">,
  calls: AwsReads = { count: 0 },
): Promise<number> {
  const wanted = room.store.listAs("user", schema).filter(worthReading).slice(0, IDENTITY_READS_PER_PASS);
  if (wanted.length === 0) return 0;
  const { iam, cloudformation } = room.aws(project);
  const read = <T>(call: () => Promise<T>): Promise<T> => {
    calls.count++;
    return call();
  };
  let learned = 0;
  for (const user of wanted) {
    const name = user.resource.name;
    try {
      const iamUserId = user.iamUserId ?? (await read(() => iam.getUserId(name)));
      // The role's name comes with the stack's events in AWS; when they did not carry it (moto's
      // have no resource events, a user adopted by healing), CloudFormation is asked.
      const roleName = user.sftpRole?.name ?? (user.appliedSpec?.sftp ? await read(() => cloudformation.physicalResourceId(stackName(project.id, "user", name), "SftpRole")) : null);
      const roleId = roleName && !user.sftpRole?.id ? await read(() => iam.getRoleId(roleName)) : user.sftpRole?.id;
      const now = room.store.getAs("user", name, schema);
      if (!now) continue;
      const stillSftp = Boolean(now.appliedSpec?.sftp) && (!now.sftpRole || now.sftpRole.name === roleName);
      const next: S = { ...now, iamUserId, identityUnread: undefined, ...(stillSftp && roleName ? { sftpRole: roleId ? { name: roleName, id: roleId } : { name: roleName } } : {}) };
      room.store.put("user", next);
      learned++;
    } catch (err) {
      const settled = settledRefusal(err);
      logEvent("warn", "user_identity_unread", { project: project.id, name, error: errorText(err), again: settled ? "when its stack changes" : "next pass" });
      const now = settled ? room.store.getAs("user", name, schema) : undefined;
      // Marked only if the user is still as it was read: a user changed meanwhile is read again.
      if (now && identityKey(now) === identityKey(user)) {
        const marked: S = { ...now, identityUnread: identityKey(now) };
        room.store.put("user", marked);
      }
    }
  }
  return learned;
}
