import type { AccessKeySummary, CreatedKey, ProjectRecord } from "../core/contract";
import { AwsError } from "../core/aws/errors";
import { errorText, logEvent } from "../core/log";
import { RoomError } from "./room-error";
import type { RoomContext } from "./room-context";
import { StoredUser } from "./kinds/user";

/** AWS allows two access keys per IAM user: the current one and a rotation grace key. */
export const MAX_KEYS = 2;

export function usableUser(room: RoomContext, name: string): StoredUser {
  const stored = room.store.getAs("user", name, StoredUser);
  if (!stored || stored.resource.status === "deleted") throw new RoomError("not_found", `No user named “${name}”.`);
  if (stored.appliedSpec === null) throw new RoomError("conflict", `User “${name}” does not exist in AWS yet; wait until it is ready.`);
  if (stored.resource.lock?.action === "delete" || stored.resource.status === "deleting") throw new RoomError("conflict", `User “${name}” is being deleted.`);
  return stored;
}

export function keyError(err: unknown, name: string): RoomError {
  if (err instanceof RoomError) return err;
  if (err instanceof AwsError && err.kind === "LimitExceeded") return new RoomError("conflict", `User “${name}” already has ${MAX_KEYS} access keys (AWS's limit). Delete one first.`);
  if (err instanceof AwsError && err.kind === "NoSuchEntity") return new RoomError("not_found", `AWS has no such user or key for “${name}”. Refresh the project.`);
  // An AwsError was logged and counted by the AWS client (telemetry "aws_error"); anything else is a surprise.
  if (!(err instanceof AwsError)) logEvent("error", "access_key_call_failed", { name, error: errorText(err) });
  return new RoomError("upstream", `AWS could not change the access keys of “${name}”. Nothing was changed; try again.`);
}

/** Stores the user's new key list and says so in the activity. */
export function withKeys(room: RoomContext, stored: StoredUser, keys: AccessKeySummary[], actor: string, message: string): void {
  const next: StoredUser = { ...stored, resource: { ...stored.resource, keys, updatedAt: new Date().toISOString() } };
  room.record("user", next, { actor, message, tone: "info" });
}

/** Creates a key through IAM; the secret is returned to the caller once and stored nowhere. */
export async function createKey(room: RoomContext, project: ProjectRecord, actor: string, name: string): Promise<CreatedKey> {
  const stored = usableUser(room, name);
  if (stored.resource.spec.expiresAt && Date.parse(stored.resource.spec.expiresAt) <= Date.now()) {
    throw new RoomError("conflict", `User “${name}” has expired; extend its expiry before creating keys.`);
  }
  if (stored.resource.keys.length >= MAX_KEYS) {
    throw new RoomError("conflict", `User “${name}” already has ${MAX_KEYS} access keys (AWS's limit). Delete the old one after handing over the new one.`);
  }
  let key: { accessKeyId: string; secretAccessKey: string; createdAt: string };
  try {
    key = await room.gateway(project).keys.create(name);
  } catch (err) {
    throw keyError(err, name);
  }
  const fresh = room.store.getAs("user", name, StoredUser) ?? stored;
  const summary: AccessKeySummary = { accessKeyId: key.accessKeyId, status: "Active", createdAt: key.createdAt };
  // A read from IAM while CreateAccessKey was answering (the access review's) may have added it already.
  const others = fresh.resource.keys.filter((k) => k.accessKeyId !== key.accessKeyId);
  withKeys(room, fresh, [...others, summary], actor, `${actor} created access key ${key.accessKeyId} for user ${name}`);
  return { ...key, user: name, region: project.region };
}

/** The user's keys as IAM has them, with last-used dates; the room's copy is corrected if it drifted. */
export async function listKeys(room: RoomContext, project: ProjectRecord, name: string): Promise<AccessKeySummary[]> {
  const stored = usableUser(room, name);
  const gateway = room.gateway(project);
  let keys: AccessKeySummary[];
  try {
    const listed = await gateway.keys.list(name);
    keys = await Promise.all(listed.map(async (k) => ({ ...k, lastUsedAt: (await gateway.keys.lastUse(k.accessKeyId))?.at ?? null })));
  } catch (err) {
    throw keyError(err, name);
  }
  const plain = keys.map(({ accessKeyId, status, createdAt }) => ({ accessKeyId, status, createdAt }));
  if (JSON.stringify(plain) !== JSON.stringify(stored.resource.keys)) withKeys(room, stored, plain, "Stackroom", `Access keys of user ${name} refreshed from IAM`);
  return keys;
}

export async function setKeyStatus(room: RoomContext, project: ProjectRecord, actor: string, name: string, keyId: string, status: "Active" | "Inactive"): Promise<AccessKeySummary> {
  const stored = usableUser(room, name);
  const key = stored.resource.keys.find((k) => k.accessKeyId === keyId);
  if (!key) throw new RoomError("not_found", `User “${name}” has no access key ${keyId}.`);
  try {
    await room.gateway(project).keys.setStatus(name, keyId, status);
  } catch (err) {
    throw keyError(err, name);
  }
  const fresh = room.store.getAs("user", name, StoredUser) ?? stored;
  const keys = fresh.resource.keys.map((k) => (k.accessKeyId === keyId ? { ...k, status } : k));
  withKeys(room, fresh, keys, actor, `${actor} ${status === "Active" ? "activated" : "deactivated"} access key ${keyId} of user ${name}`);
  return { ...key, status };
}

export async function deleteKey(room: RoomContext, project: ProjectRecord, actor: string, name: string, keyId: string): Promise<void> {
  const stored = usableUser(room, name);
  if (!stored.resource.keys.some((k) => k.accessKeyId === keyId)) throw new RoomError("not_found", `User “${name}” has no access key ${keyId}.`);
  try {
    await room.gateway(project).keys.remove(name, keyId);
  } catch (err) {
    throw keyError(err, name);
  }
  const fresh = room.store.getAs("user", name, StoredUser) ?? stored;
  // A rotation needs both of its keys: deleting either ends it (key-rotation.ts).
  const rotationEnds = fresh.rotation !== undefined && (fresh.rotation.oldKeyId === keyId || fresh.rotation.newKeyId === keyId);
  const ended = rotationEnds ? "; the rotation of its key ended" : "";
  withKeys(room, rotationEnds ? { ...fresh, rotation: undefined } : fresh, fresh.resource.keys.filter((k) => k.accessKeyId !== keyId), actor, `${actor} deleted access key ${keyId} of user ${name}${ended}`);
}
