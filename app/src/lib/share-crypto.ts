import * as z from "zod";
import { Access } from "$contract";

/**
 * What a share link carries, sealed in the manager's browser and opened in the recipient's.
 * The server only ever stores the ciphertext; the key travels in the link's #fragment, which
 * browsers never send in a request (RFC 3986 §3.5; not in Referer either).
 */
export const SharePayload = z.object({
  accessKeyId: z.string().min(1),
  secretAccessKey: z.string().min(1),
  region: z.string().min(1),
  user: z.string().min(1),
  /** `bucket` is the physical S3 name, the one the recipient types into their tools. */
  grants: z.array(z.object({ bucket: z.string().min(1), access: Access, prefix: z.string().optional() })),
  projectName: z.string(),
});
export type SharePayload = z.infer<typeof SharePayload>;

export interface SealedShare {
  ciphertext: string;
  iv: string;
  /** base64url of the raw 256-bit AES key: goes into the link's fragment, never to the server. */
  key: string;
}

const KEY_BYTES = 32;
const IV_BYTES = 12;

export function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** null for anything that is not base64url. */
export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Encrypts the payload with a fresh AES-256-GCM key and IV. */
export async function sealShare(payload: SharePayload): Promise<SealedShare> {
  const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt"]);
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const plaintext = new TextEncoder().encode(JSON.stringify(payload));
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, plaintext));
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", key));
  return { ciphertext: toBase64Url(ciphertext), iv: toBase64Url(iv), key: toBase64Url(raw) };
}

/** `https://<origin>/share/<id>#<key>`. */
export function shareLink(origin: string, shareId: string, key: string): string {
  return `${origin}/share/${encodeURIComponent(shareId)}#${key}`;
}

/** The key from a location hash (`#<43 base64url chars>`), or null when it is missing or damaged. */
export function keyFromFragment(hash: string): Uint8Array<ArrayBuffer> | null {
  const bytes = fromBase64Url(hash.replace(/^#/, ""));
  return bytes && bytes.length === KEY_BYTES ? bytes : null;
}

export class ShareDecryptError extends Error {
  override readonly name = "ShareDecryptError";
}

/** Decrypts and validates; throws `ShareDecryptError` when the key does not fit or the content is not a payload. */
export async function openSealedShare(sealed: { ciphertext: string; iv: string }, rawKey: Uint8Array<ArrayBuffer>): Promise<SharePayload> {
  const iv = fromBase64Url(sealed.iv);
  const ciphertext = fromBase64Url(sealed.ciphertext);
  if (!iv || !ciphertext) throw new ShareDecryptError("The stored credentials are damaged.");
  let plaintext: ArrayBuffer;
  try {
    const key = await crypto.subtle.importKey("raw", rawKey, { name: "AES-GCM" }, false, ["decrypt"]);
    plaintext = await crypto.subtle.decrypt({ name: "AES-GCM", iv }, key, ciphertext);
  } catch {
    // GCM authenticates: a wrong key or altered ciphertext fails here rather than yielding garbage.
    throw new ShareDecryptError("The key in this link does not open these credentials.");
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(plaintext));
  } catch {
    throw new ShareDecryptError("The decrypted credentials are not readable.");
  }
  const payload = SharePayload.safeParse(json);
  if (!payload.success) throw new ShareDecryptError("The decrypted credentials are incomplete.");
  return payload.data;
}
