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
  /**
   * SFTP sign-in, when the user has SFTP access and the project's server stands: where to connect,
   * the fingerprints of the SSH keys that may sign in (the recipient holds the private halves), and
   * the folders the user sees (`/<bucket>` or `/<bucket>/<prefix>`).
   */
  sftp: z
    .object({
      host: z.string().min(1),
      port: z.number().int().min(1).max(65535),
      user: z.string().min(1),
      keyFingerprints: z.array(z.string()),
      folders: z.array(z.object({ path: z.string().min(1), access: Access })),
    })
    .optional(),
});
export type SharePayload = z.infer<typeof SharePayload>;

export interface SealedShare {
  ciphertext: string;
  iv: string;
  /** What goes after `#` in the link (see `LinkFragment`): never sent to the server. */
  fragment: string;
}

const KEY_BYTES = 32;
const IV_BYTES = 12;
const VERIFIER_BYTES = 4;
/** OWASP's 2023 figure for PBKDF2-HMAC-SHA256; about half a second in a browser. */
export const PASSPHRASE_ITERATIONS = 600_000;
const INFO_KEY = "stackroom share v1: aes-256-gcm key";
const INFO_VERIFIER = "stackroom share v1: passphrase verifier";

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

/**
 * The link's `#fragment`: `<key>` (43 base64url characters, a random 256-bit key), or
 * `<key>.<verifier>` when the manager chose a passphrase.
 *
 * With a passphrase P, the fragment key F alone opens nothing. The browser derives
 *   S   = PBKDF2-HMAC-SHA256(P, salt = F, 600 000 iterations, 256 bits)
 *   K   = HKDF-SHA256(ikm = F ‖ S, salt = none, info = "…aes-256-gcm key")      the AES-GCM key
 *   V   = first 4 bytes of HKDF-SHA256(ikm = F ‖ S, info = "…passphrase verifier")
 * and the fragment carries V. The server hands the ciphertext out once, so the recipient's page
 * checks a typed passphrase against V locally and only then asks the server: a wrong passphrase
 * never uses the link up. V is deliberately short: a typo still fails with odds of 1 in 2^32,
 * while someone who intercepted the link and guesses passphrases offline against V is left with
 * many candidates that match V and only one online try. Neither F, P nor K reaches the server.
 */
export interface LinkFragment {
  key: Uint8Array<ArrayBuffer>;
  /** Present when the link needs a passphrase. */
  verifier: Uint8Array<ArrayBuffer> | null;
}

/** Parses a location hash (`#…`); null when it is missing or damaged. */
export function parseFragment(hash: string): LinkFragment | null {
  const [keyPart = "", verifierPart, ...rest] = hash.replace(/^#/, "").split(".");
  if (rest.length) return null;
  const key = fromBase64Url(keyPart);
  if (!key || key.length !== KEY_BYTES) return null;
  if (verifierPart === undefined) return { key, verifier: null };
  const verifier = fromBase64Url(verifierPart);
  return verifier && verifier.length === VERIFIER_BYTES ? { key, verifier } : null;
}

export function formatFragment(fragment: LinkFragment): string {
  return fragment.verifier ? `${toBase64Url(fragment.key)}.${toBase64Url(fragment.verifier)}` : toBase64Url(fragment.key);
}

async function hkdf(ikm: Uint8Array<ArrayBuffer>, info: string, bytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const base = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: new TextEncoder().encode(info) }, base, bytes * 8);
  return new Uint8Array(bits);
}

/** The AES key and the verifier for a fragment key and a passphrase (see `LinkFragment`). */
export async function derivePassphraseKey(
  fragmentKey: Uint8Array<ArrayBuffer>,
  passphrase: string,
  iterations = PASSPHRASE_ITERATIONS,
): Promise<{ key: Uint8Array<ArrayBuffer>; verifier: Uint8Array<ArrayBuffer> }> {
  const secret = await crypto.subtle.importKey("raw", new TextEncoder().encode(passphrase.normalize("NFC")), "PBKDF2", false, ["deriveBits"]);
  const stretched = new Uint8Array(await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: fragmentKey, iterations }, secret, 256));
  const ikm = new Uint8Array(KEY_BYTES * 2);
  ikm.set(fragmentKey, 0);
  ikm.set(stretched, KEY_BYTES);
  return { key: await hkdf(ikm, INFO_KEY, KEY_BYTES), verifier: await hkdf(ikm, INFO_VERIFIER, VERIFIER_BYTES) };
}

/** Constant-time enough for 4 bytes; what matters is that it runs before any request. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

export class WrongPassphraseError extends Error {
  override readonly name = "WrongPassphraseError";
}

/**
 * The AES key that opens the share: the fragment key itself, or (with a passphrase) the derived
 * key once the passphrase matched the fragment's verifier. Throws `WrongPassphraseError` without
 * any network: the caller asks the server only after this resolved.
 */
export async function unlockKey(fragment: LinkFragment, passphrase: string | null, iterations = PASSPHRASE_ITERATIONS): Promise<Uint8Array<ArrayBuffer>> {
  if (!fragment.verifier) return fragment.key;
  if (!passphrase) throw new WrongPassphraseError("Enter the passphrase the sender gave you.");
  const derived = await derivePassphraseKey(fragment.key, passphrase, iterations);
  if (!sameBytes(derived.verifier, fragment.verifier)) throw new WrongPassphraseError("That passphrase does not match this link. Check it with the sender; the link is still unused.");
  return derived.key;
}

/**
 * Encrypts the payload with AES-256-GCM under a fresh key and IV. With a passphrase the
 * encryption key is derived from the fragment key and the passphrase (see `LinkFragment`).
 */
export async function sealShare(payload: SharePayload, passphrase: string | null = null, iterations = PASSPHRASE_ITERATIONS): Promise<SealedShare> {
  const fragmentKey = crypto.getRandomValues(new Uint8Array(KEY_BYTES));
  let aesKey = fragmentKey;
  let verifier: Uint8Array<ArrayBuffer> | null = null;
  if (passphrase) {
    const derived = await derivePassphraseKey(fragmentKey, passphrase, iterations);
    aesKey = derived.key;
    verifier = derived.verifier;
  }
  const key = await crypto.subtle.importKey("raw", aesKey, { name: "AES-GCM" }, false, ["encrypt"]);
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const plaintext = new TextEncoder().encode(JSON.stringify(payload));
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, plaintext));
  return { ciphertext: toBase64Url(ciphertext), iv: toBase64Url(iv), fragment: formatFragment({ key: fragmentKey, verifier }) };
}

/** `https://<origin>/share/<id>#<fragment>`. */
export function shareLink(origin: string, shareId: string, fragment: string): string {
  return `${origin}/share/${encodeURIComponent(shareId)}#${fragment}`;
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
