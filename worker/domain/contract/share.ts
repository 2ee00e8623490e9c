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
});
export type CreateShareBody = z.infer<typeof CreateShareBody>;

/** `<project>.<22 base64url chars>` — the project part routes the request to its room. */
export const ShareId = z.string().regex(/^[a-z][a-z0-9]{1,19}\.[A-Za-z0-9_-]{22}$/);

export const ShareStatus = z.enum(["pending", "viewed", "revoked", "expired"]);

/** A share as managers see it (never the ciphertext). */
export const Share = z.object({
  id: ShareId,
  user: z.string(),
  accessKeyId: z.string(),
  createdBy: z.string(),
  createdAt: IsoTime,
  expiresAt: IsoTime,
  status: ShareStatus,
  viewedAt: IsoTime.optional(),
});
export type Share = z.infer<typeof Share>;

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
