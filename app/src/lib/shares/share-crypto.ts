import * as z from "zod";
import { Access, SftpHostKey } from "$contract";

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
   * the fingerprints of the SSH keys that may sign in (the recipient holds the private halves), the
   * folders the user sees (`/<bucket>` or `/<bucket>/<prefix>`), and the server's host key.
   */
  sftp: z
    .object({
      host: z.string().min(1),
      port: z.number().int().min(1).max(65535),
      user: z.string().min(1),
      keyFingerprints: z.array(z.string()),
      folders: z.array(z.object({ path: z.string().min(1), access: Access })),
      /** The server's host key, so the first connection can be checked (absent in links made before it was known). */
      hostKey: SftpHostKey.optional(),
    })
    .optional(),
});
export type SharePayload = z.infer<typeof SharePayload>;

interface SealedShare {
  ciphertext: string;
  iv: string;
  /** What goes after `#` in the link (see `LinkFragment`): never sent to the server. */
  fragment: string;
  /** The open proof's value (see `LinkFragment`): sent once, at creation; the server keeps its hash. */
  proof: string;
  passphrase: boolean;
}

const KEY_BYTES = 32;
const IV_BYTES = 12;
const PROOF_BYTES = 32;
/** OWASP's 2023 figure for PBKDF2-HMAC-SHA256; about half a second in a browser. */
const PASSPHRASE_ITERATIONS = 600_000;
const INFO_KEY = "stackroom share v1: aes-256-gcm key";
const INFO_PROOF = "stackroom share v2: open proof";

export function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** null for anything that is not base64url. */
function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * The link's `#fragment`: `<key>` (43 base64url characters, a random 256-bit key F), or
 * `<key>.p` when the manager chose a passphrase P. Browsers never send the fragment to a server.
 *
 * The browser derives, with IKM = F (no passphrase) or F ‖ S where
 *   S     = PBKDF2-HMAC-SHA256(P, salt = F, 600 000 iterations, 256 bits):
 *   K     = F, or HKDF-SHA256(IKM, info = "…aes-256-gcm key") with a passphrase   the AES-GCM key
 *   proof = HKDF-SHA256(IKM, info = "…open proof", 256 bits)
 * The server stores SHA-256(proof) when the link is made and hands the ciphertext out once, only
 * to a request that carries the proof; after 5 wrong proofs the link is burned. So whoever
 * intercepts the link cannot test passphrases offline (nothing in the fragment checks one), and
 * gets 5 online guesses before the link is gone, and its creator sees why. The proof reveals
 * nothing about K (independent HKDF outputs); neither F, P nor K reaches the server.
 *
 * Links made before proofs existed carried a short verifier after the dot; they are read as
 * needing a passphrase, and the server opens them without a proof as it always did.
 */
export interface LinkFragment {
  key: Uint8Array<ArrayBuffer>;
  passphrase: boolean;
}

/** Parses a location hash (`#…`); null when it is missing or damaged. */
export function parseFragment(hash: string): LinkFragment | null {
  const [keyPart = "", marker, ...rest] = hash.replace(/^#/, "").split(".");
  if (rest.length || marker === "") return null;
  const key = fromBase64Url(keyPart);
  if (!key || key.length !== KEY_BYTES) return null;
  return { key, passphrase: marker !== undefined };
}

function formatFragment(fragment: LinkFragment): string {
  return fragment.passphrase ? `${toBase64Url(fragment.key)}.p` : toBase64Url(fragment.key);
}

async function hkdf(ikm: Uint8Array<ArrayBuffer>, info: string, bytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const base = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: new TextEncoder().encode(info) }, base, bytes * 8);
  return new Uint8Array(bits);
}

export class WrongPassphraseError extends Error {
  override readonly name = "WrongPassphraseError";
}

/**
 * The AES key and the open proof for a link (see `LinkFragment`). Throws `WrongPassphraseError`
 * when the link needs a passphrase and none was given; whether a given one is right only the
 * server can tell.
 */
export async function linkSecrets(fragment: LinkFragment, passphrase: string | null, iterations = PASSPHRASE_ITERATIONS): Promise<{ key: Uint8Array<ArrayBuffer>; proof: string }> {
  if (!fragment.passphrase) return { key: fragment.key, proof: toBase64Url(await hkdf(fragment.key, INFO_PROOF, PROOF_BYTES)) };
  if (!passphrase) throw new WrongPassphraseError("Enter the passphrase the sender gave you.");
  const secret = await crypto.subtle.importKey("raw", new TextEncoder().encode(passphrase.normalize("NFC")), "PBKDF2", false, ["deriveBits"]);
  const stretched = new Uint8Array(await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: fragment.key, iterations }, secret, 256));
  const ikm = new Uint8Array(KEY_BYTES * 2);
  ikm.set(fragment.key, 0);
  ikm.set(stretched, KEY_BYTES);
  return { key: await hkdf(ikm, INFO_KEY, KEY_BYTES), proof: toBase64Url(await hkdf(ikm, INFO_PROOF, PROOF_BYTES)) };
}

/**
 * Encrypts the payload with AES-256-GCM under a fresh key and IV. With a passphrase the
 * encryption key is derived from the fragment key and the passphrase (see `LinkFragment`).
 */
export async function sealShare(payload: SharePayload, passphrase: string | null = null, iterations = PASSPHRASE_ITERATIONS): Promise<SealedShare> {
  const fragment: LinkFragment = { key: crypto.getRandomValues(new Uint8Array(KEY_BYTES)), passphrase: Boolean(passphrase) };
  const secrets = await linkSecrets(fragment, passphrase, iterations);
  const key = await crypto.subtle.importKey("raw", secrets.key, { name: "AES-GCM" }, false, ["encrypt"]);
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const plaintext = new TextEncoder().encode(JSON.stringify(payload));
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, plaintext));
  return { ciphertext: toBase64Url(ciphertext), iv: toBase64Url(iv), fragment: formatFragment(fragment), proof: secrets.proof, passphrase: fragment.passphrase };
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
