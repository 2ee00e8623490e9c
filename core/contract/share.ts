import * as z from "zod";
import { IsoTime } from "./resource";
import { AccessKeyId, UserName } from "./user";

const Base64Url = z.string().regex(/^[A-Za-z0-9_-]+$/, "Expected base64url text.");

/**
 * A one-time link's stored payload. The browser encrypts the credentials (AES-GCM, a fresh
 * 256-bit key) and sends only the ciphertext; the key lives only in the link's #fragment,
 * which browsers never send to a server.
 */
export const CreateShareBody = z.strictObject({
  user: UserName,
  accessKeyId: AccessKeyId,
  ciphertext: Base64Url.max(16_384, "The shared payload is too large."),
  iv: Base64Url.length(16, "The IV must be 12 bytes (16 base64url characters)."),
  expiresInDays: z.number().int().min(1, "Links last at least 1 day.").max(30, "Links last at most 30 days.").default(7),
  /**
   * What the recipient's browser will derive from the link's key (and the passphrase) to open it:
   * 32 bytes, base64url. The room keeps only its SHA-256 and compares in constant time, so a
   * passphrase is checked by the server, online, a few tries at most, never offline.
   */
  proof: Base64Url.length(43, "The open proof must be 32 bytes (43 base64url characters)."),
  /** Whether the proof mixes in a passphrase (the recipient's page then asks for it). */
  passphrase: z.boolean().default(false),
});
export type CreateShareBody = z.infer<typeof CreateShareBody>;

/** `<project>.<22 base64url chars>` — the project part routes the request to its room. The room keeps only its hash. */
export const ShareId = z.string().regex(/^[a-z][a-z0-9]{1,19}\.[A-Za-z0-9_-]{22}$/);

/** How managers name a link (list, revoke): random, and it opens nothing. */
export const ShareHandle = z.string().regex(/^[A-Za-z0-9_-]{16}$/);

/** `burned`: too many wrong open proofs (a wrong passphrase, or a link without its key). */
const ShareStatus = z.enum(["pending", "viewed", "revoked", "expired", "burned"]);
type ShareStatus = z.infer<typeof ShareStatus>;

/** Wrong open proofs a link takes; the next wrong one burns it. */
export const SHARE_PROOF_ATTEMPTS = 5;
/** Links waiting to be opened per project; a 201st is refused (409) until one ends. */
export const PENDING_SHARES_MAX = 200;
/** The header the recipient's browser sends its open proof in (base64url). */
export const SHARE_PROOF_HEADER = "Stackroom-Share-Proof";

/** A share as managers see it: never its id (which opens it), ciphertext or proof. */
export const Share = z.object({
  handle: ShareHandle,
  user: z.string(),
  accessKeyId: z.string(),
  createdBy: z.string(),
  createdAt: IsoTime,
  expiresAt: IsoTime,
  status: ShareStatus,
  viewedAt: IsoTime.optional(),
  revokedBy: z.string().optional(),
  revokedAt: IsoTime.optional(),
  /** When the link was burned, and why in words. */
  burnedAt: IsoTime.optional(),
  burnedBecause: z.string().optional(),
  /** The recipient needs a passphrase sent another way. */
  passphrase: z.boolean().default(false),
  /** Wrong open proofs so far. */
  failedProofs: z.number().int().nonnegative().default(0),
});
export type Share = z.infer<typeof Share>;

/** `POST /api/projects/:p/shares` (201): the link's id, this once, to build the link with; never again. */
export const CreatedShare = z.object({ share: Share, id: ShareId });
export type CreatedShare = z.infer<typeof CreatedShare>;

export const ShareList = z.object({ shares: z.array(Share) });
export type ShareList = z.infer<typeof ShareList>;

/** `GET /api/shares/:id` — once; afterwards 410 `gone`. */
export const OpenedShare = z.object({
  ciphertext: Base64Url,
  iv: Base64Url,
  expiresAt: IsoTime,
  project: z.object({ name: z.string(), region: z.string() }),
});
export type OpenedShare = z.infer<typeof OpenedShare>;

/**
 * `GET /api/shares/:id/status` — whether a link can still be opened, and when it stopped being
 * openable (`at`: opened, revoked, expired or burned). It uses nothing up and needs no proof: the
 * recipient's page asks it first, so a reload after Reveal (the key is gone from the address bar
 * by then) says "already opened" rather than "incomplete". Nothing else about the link is said.
 */
export const ShareState = z.object({ status: ShareStatus, at: IsoTime.optional() });
export type ShareState = z.infer<typeof ShareState>;
