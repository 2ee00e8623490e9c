import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { PENDING_SHARES_MAX, SHARE_PROOF_ATTEMPTS, type CreateShareBody, type OpenedShare, type ProjectRecord, type Share, type ShareState } from "../core/contract";
import { RoomError } from "./room-error";
import type { RoomContext } from "./room-context";
import { publicShare, type StoredShare } from "./share-store";
import { randomHandle } from "./room-schema";
import { StoredUser } from "./kinds/user";
import { capitalize } from "../core/words";

const DAY_MS = 24 * 60 * 60 * 1000;

function randomId(projectId: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const b64 = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return `${projectId}.${b64}`;
}

/** SHA-256 of a proof as sent (base64url text), hex. */
function proofHash(proof: string): string {
  return bytesToHex(sha256(new TextEncoder().encode(proof)));
}

/** Equal hex digests, compared without an early exit (both are 64 characters). */
function sameDigest(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** `fields.at` of a 410: when the link stopped being openable (ISO), for the page to word in the reader's time zone. */
const atField = (at: string | undefined): { at?: string } => (at === undefined ? {} : { at });

const linkOf = (share: Pick<StoredShare, "accessKeyId" | "user">) => `the one-time link for access key ${share.accessKeyId} of user ${share.user}`;

/**
 * Stores a one-time link's ciphertext for an active key of the user, keyed by the hash of a fresh
 * id; the id is answered this once (the manager's browser builds the link with it) and kept
 * nowhere. At most PENDING_SHARES_MAX links wait to be opened per project.
 */
export function createShare(room: RoomContext, project: ProjectRecord, actor: string, body: CreateShareBody): { share: Share; id: string } {
  const user = room.store.getAs("user", body.user, StoredUser);
  if (!user || user.resource.status === "deleted") throw new RoomError("not_found", `No user named “${body.user}”.`);
  const key = user.resource.keys.find((k) => k.accessKeyId === body.accessKeyId);
  if (!key) throw new RoomError("conflict", `User “${body.user}” has no access key ${body.accessKeyId}.`, { accessKeyId: "Unknown key for this user." });
  if (key.status !== "Active") throw new RoomError("conflict", `Access key ${body.accessKeyId} is inactive; activate it before sharing.`);
  const now = Date.now();
  const pending = room.shares.list().filter((s) => publicShare(s, now).status === "pending").length;
  if (pending >= PENDING_SHARES_MAX) {
    throw new RoomError("conflict", `This project already has ${PENDING_SHARES_MAX} one-time links waiting to be opened. Revoke links that are no longer needed, or wait until they expire.`);
  }
  const id = randomId(project.id);
  const share: StoredShare = {
    handle: randomHandle(),
    user: body.user,
    accessKeyId: body.accessKeyId,
    createdBy: actor,
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + body.expiresInDays * DAY_MS).toISOString(),
    status: "pending",
    passphrase: body.passphrase,
    failedProofs: 0,
    ciphertext: body.ciphertext,
    iv: body.iv,
    proofHash: proofHash(body.proof),
  };
  room.shares.add(id, share);
  room.note("user", body.user, { actor, message: `${actor} created ${linkOf(share)}${share.passphrase ? " with a passphrase" : ""} (expires ${share.expiresAt})`, tone: "info" });
  return { share: publicShare(share, now), id };
}

export function listShares(room: RoomContext): Share[] {
  const now = Date.now();
  return room.shares.list().map((s) => publicShare(s, now)).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export function revokeShare(room: RoomContext, actor: string, handle: string): Share {
  const share = room.shares.byHandle(handle);
  if (!share) throw new RoomError("not_found", "No such share link in this project.");
  const now = Date.now();
  if (publicShare(share, now).status !== "pending") return publicShare(share, now);
  const revoked: StoredShare = { ...share, status: "revoked", revokedBy: actor, revokedAt: new Date(now).toISOString(), ciphertext: null };
  room.shares.put(revoked);
  room.note("user", share.user, { actor, message: `${actor} revoked ${linkOf(share)}`, tone: "info" });
  return publicShare(revoked, now);
}

/** A wrong (or missing) open proof: counted; the SHARE_PROOF_ATTEMPTS-th burns the link. */
function wrongProof(room: RoomContext, share: StoredShare, now: number): RoomError {
  const failedProofs = share.failedProofs + 1;
  const what = share.passphrase ? "wrong passphrases" : "attempts without the link's key";
  if (failedProofs >= SHARE_PROOF_ATTEMPTS) {
    const burnedBecause = `${failedProofs} ${what}`;
    const burnedAt = new Date(now).toISOString();
    room.shares.put({ ...share, failedProofs, status: "burned", burnedAt, burnedBecause, ciphertext: null });
    room.note("user", share.user, { actor: "Stackroom", message: `${capitalize(linkOf(share))} was burned after ${burnedBecause}; create a new one`, tone: "error" });
    return new RoomError("gone", `This link was locked after ${SHARE_PROOF_ATTEMPTS} wrong tries and can no longer be opened. Ask your contact for a new one.`, { reason: "burned", at: burnedAt });
  }
  room.shares.put({ ...share, failedProofs });
  const left = SHARE_PROOF_ATTEMPTS - failedProofs;
  // Worth knowing at once: someone holds the link and is guessing (or the recipient mistyped).
  const tried = share.passphrase ? "A wrong passphrase was tried on" : "Someone without its key tried to open";
  room.note("user", share.user, { actor: "recipient", message: `${tried} ${linkOf(share)} (${left} ${left === 1 ? "try" : "tries"} left)`, tone: "error" });
  const message = share.passphrase
    ? `That passphrase does not open this link. ${left} ${left === 1 ? "try is" : "tries are"} left before the link is locked.`
    : `This link is incomplete (its key, after #, is missing or damaged). ${left} ${left === 1 ? "try is" : "tries are"} left before the link is locked.`;
  return new RoomError("forbidden", message, { reason: share.passphrase ? "wrong_passphrase" : "wrong_key", attemptsLeft: String(left) });
}

/**
 * Hands the ciphertext out exactly once, to whoever proves they hold the link's key (and the
 * passphrase, when it has one): the proof's hash must match the stored one. The room is the
 * single writer, so two simultaneous opens cannot both succeed, and wrong proofs are counted
 * exactly.
 */
export function openShare(room: RoomContext, project: ProjectRecord, id: string, proof: string | null): OpenedShare {
  const share = room.shares.byId(id);
  if (!share) throw new RoomError("not_found", "This link does not exist. Check that you copied all of it.");
  const now = Date.now();
  const status = publicShare(share, now).status;
  if (status === "expired" && share.ciphertext !== null) room.shares.put({ ...share, ciphertext: null });
  // `fields.reason` lets the share page say which, without parsing the message.
  if (status === "viewed") throw new RoomError("gone", `This link was already opened on ${share.viewedAt ?? "an earlier visit"}. Ask your contact for a new one.`, { reason: "used", ...atField(share.viewedAt) });
  if (status === "revoked") throw new RoomError("gone", "This link was revoked by the project manager. Ask your contact for a new one.", { reason: "revoked", ...atField(share.revokedAt) });
  if (status === "burned") throw new RoomError("gone", `This link was locked after ${SHARE_PROOF_ATTEMPTS} wrong tries and can no longer be opened. Ask your contact for a new one.`, { reason: "burned", ...atField(share.burnedAt) });
  if (status === "expired" || share.ciphertext === null) throw new RoomError("gone", `This link expired on ${share.expiresAt}. Ask your contact for a new one.`, { reason: "expired", at: share.expiresAt });
  if (share.proofHash !== null) {
    if (proof === null) throw new RoomError("invalid", "Open this link in the page it leads to: it needs the key after # in the link.", { reason: "proof_missing" });
    if (!sameDigest(proofHash(proof), share.proofHash)) throw wrongProof(room, share, now);
  }
  const viewedAt = new Date(now).toISOString();
  room.shares.put({ ...share, status: "viewed", viewedAt, ciphertext: null });
  room.note("user", share.user, { actor: "recipient", message: `${capitalize(linkOf(share))} was opened at ${viewedAt}`, tone: "success" });
  room.notify({ type: "link-opened", user: share.user, at: viewedAt });
  return { ciphertext: share.ciphertext, iv: share.iv, expiresAt: share.expiresAt, project: { name: project.name, region: project.region } };
}

/**
 * Whether the link `id` names can still be opened, and when it stopped being openable. Reads
 * only: no proof is asked for, none is counted, and nothing is handed out. An unknown id is
 * refused exactly as `openShare` refuses it, so this tells a guesser nothing the open does not.
 */
export function shareState(room: RoomContext, id: string): ShareState {
  const share = room.shares.byId(id);
  if (!share) throw new RoomError("not_found", "This link does not exist. Check that you copied all of it.");
  const status = publicShare(share, Date.now()).status;
  const at = { pending: undefined, viewed: share.viewedAt, revoked: share.revokedAt, burned: share.burnedAt, expired: share.expiresAt }[status];
  return at === undefined ? { status } : { status, at };
}

/** Links that ended (opened, revoked, expired, burned) are listed this long, then forgotten: the room's storage stays bounded. */
const FINISHED_SHARE_KEPT_MS = 90 * DAY_MS;

/** Drops the ciphertext of links that expired unopened, and forgets links that ended long ago (run by the room's alarm). */
export function sweepExpiredShares(room: RoomContext, now: number): void {
  for (const share of room.shares.list()) {
    const status = publicShare(share, now).status;
    const endedAt = Date.parse(share.viewedAt ?? share.revokedAt ?? share.burnedAt ?? share.expiresAt);
    if (status !== "pending" && now - endedAt > FINISHED_SHARE_KEPT_MS) room.shares.remove(share.handle);
    else if (share.ciphertext !== null && status === "expired") room.shares.put({ ...share, ciphertext: null });
  }
}
