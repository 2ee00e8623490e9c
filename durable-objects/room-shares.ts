import type { CreateShareBody, OpenedShare, ProjectRecord, Share } from "../worker/domain/contract";
import { RoomError } from "./room-error";
import type { RoomContext } from "./room-context";
import { publicShare, type StoredShare } from "./share-store";
import { StoredUser } from "./kinds/user";

const DAY_MS = 24 * 60 * 60 * 1000;

function randomId(projectId: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const b64 = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return `${projectId}.${b64}`;
}

/** Stores a one-time link's ciphertext for an active key of the user. */
export function createShare(room: RoomContext, project: ProjectRecord, actor: string, body: CreateShareBody): Share {
  const user = room.store.getAs("user", body.user, StoredUser);
  if (!user || user.resource.status === "deleted") throw new RoomError("not_found", `No user named “${body.user}”.`);
  const key = user.resource.keys.find((k) => k.accessKeyId === body.accessKeyId);
  if (!key) throw new RoomError("conflict", `User “${body.user}” has no access key ${body.accessKeyId}.`, { accessKeyId: "Unknown key for this user." });
  if (key.status !== "Active") throw new RoomError("conflict", `Access key ${body.accessKeyId} is inactive; activate it before sharing.`);
  const now = Date.now();
  const share: StoredShare = {
    id: randomId(project.id),
    user: body.user,
    accessKeyId: body.accessKeyId,
    createdBy: actor,
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + body.expiresInDays * DAY_MS).toISOString(),
    status: "pending",
    ciphertext: body.ciphertext,
    iv: body.iv,
  };
  room.shares.put(share);
  room.note("user", body.user, { actor, message: `${actor} created a one-time link for access key ${body.accessKeyId} of user ${body.user} (expires ${share.expiresAt})`, tone: "info" });
  return publicShare(share, now);
}

export function listShares(room: RoomContext): Share[] {
  const now = Date.now();
  return room.shares.list().map((s) => publicShare(s, now)).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export function revokeShare(room: RoomContext, actor: string, id: string): Share {
  const share = room.shares.get(id);
  if (!share) throw new RoomError("not_found", "No such share link in this project.");
  const now = Date.now();
  if (publicShare(share, now).status !== "pending") return publicShare(share, now);
  const revoked: StoredShare = { ...share, status: "revoked", ciphertext: null };
  room.shares.put(revoked);
  room.note("user", share.user, { actor, message: `${actor} revoked the one-time link for access key ${share.accessKeyId} of user ${share.user}`, tone: "info" });
  return publicShare(revoked, now);
}

/**
 * Hands the ciphertext out exactly once. The room is the single writer, so two simultaneous
 * opens cannot both succeed: the first marks it viewed and drops the ciphertext.
 */
export function openShare(room: RoomContext, project: ProjectRecord, id: string): OpenedShare {
  const share = room.shares.get(id);
  if (!share) throw new RoomError("not_found", "This link does not exist. Check that you copied all of it.");
  const now = Date.now();
  const status = publicShare(share, now).status;
  if (status === "expired" && share.ciphertext !== null) room.shares.put({ ...share, ciphertext: null });
  // `fields.reason` lets the share page say which, without parsing the message.
  if (status === "viewed") throw new RoomError("gone", `This link was already used on ${share.viewedAt ?? "an earlier visit"}. Ask your contact for a new one.`, { reason: "used" });
  if (status === "revoked") throw new RoomError("gone", "This link was revoked by the project manager. Ask your contact for a new one.", { reason: "revoked" });
  if (status === "expired" || share.ciphertext === null) throw new RoomError("gone", `This link expired on ${share.expiresAt}. Ask your contact for a new one.`, { reason: "expired" });
  const viewedAt = new Date(now).toISOString();
  room.shares.put({ ...share, status: "viewed", viewedAt, ciphertext: null });
  room.note("user", share.user, {
    actor: "recipient",
    message: `The one-time link for access key ${share.accessKeyId} of user ${share.user} was viewed by the recipient at ${viewedAt}`,
    tone: "success",
  });
  return { ciphertext: share.ciphertext, iv: share.iv, expiresAt: share.expiresAt, project: { name: project.name, region: project.region } };
}

/** Links that ended (opened, revoked, expired) are listed this long, then forgotten: the room's storage stays bounded. */
export const FINISHED_SHARE_KEPT_MS = 90 * DAY_MS;

/** Drops the ciphertext of links that expired unopened, and forgets links that ended long ago (run by the room's alarm). */
export function sweepExpiredShares(room: RoomContext, now: number): void {
  for (const share of room.shares.list()) {
    const status = publicShare(share, now).status;
    const endedAt = Date.parse(share.viewedAt ?? share.expiresAt);
    if (status !== "pending" && now - endedAt > FINISHED_SHARE_KEPT_MS) room.shares.remove(share.id);
    else if (share.ciphertext !== null && status === "expired") room.shares.put({ ...share, ciphertext: null });
  }
}
