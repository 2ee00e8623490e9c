import { sha256 } from "@noble/hashes/sha2.js";

/**
 * OpenSSH public key lines (`type base64 [comment]`), read the way AWS Transfer Family will read
 * them, so a wrong key is refused with a reason when the manager pastes it instead of failing
 * later inside CloudFormation.
 *
 * A small parser of the SSH wire format (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4) rather than
 * `sshpk`: sshpk needs Node's crypto, stream and Buffer, which the browser (the app validates
 * forms with this contract) does not have, and it would add ~61 KiB gzip to a Worker that has
 * ~39 KiB left of its 150 KiB budget. sshpk and `ssh-keygen` remain the reference: ssh-key.test.ts
 * checks this parser against both on generated keys.
 */

/** What Transfer Family accepts for service-managed users: ED25519, ECDSA (NIST P-256/384/521) and RSA. */
export const SSH_KEY_TYPES = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa"] as const;
export type SshKeyType = (typeof SSH_KEY_TYPES)[number];

/** Transfer Family's SshPublicKeyBody: at most 2048 characters (ImportSshPublicKey, AWS::Transfer::User). */
export const SSH_KEY_LINE_MAX = 2048;

/** NIST SP 800-57 puts RSA-2048 below 128-bit security; 3072 bits is the floor we accept. */
export const RSA_MIN_BITS = 3072;

/** The largest RSA key whose line still fits SSH_KEY_LINE_MAX is just over 10,000 bits. */
const RSA_MAX_BITS = 16384;

/** Bytes of one coordinate of the curve's uncompressed point (0x04 ‖ X ‖ Y). */
const ECDSA_COORDINATE: Record<string, number> = { nistp256: 32, nistp384: 48, nistp521: 66 };

export interface SshPublicKey {
  type: SshKeyType;
  /** Key size in bits (RSA modulus; 256/384/521 for ECDSA; 256 for ED25519). */
  bits: number;
  /** The key blob, base64 in canonical form (as `ssh-keygen` writes it). */
  data: string;
  comment: string | null;
  /** `type data [comment]`, single spaces: what templates and Transfer Family receive. */
  line: string;
}

export type SshKeyResult = { ok: true; key: SshPublicKey } | { ok: false; reason: string };

const ACCEPTED = "Use an ssh-ed25519, ECDSA or RSA (3072 bits or more) public key.";
const DAMAGED = "The key data is damaged (cut short, or with bytes that do not belong to the key).";

/** Reads length-prefixed fields of an SSH wire-format blob; null once the data runs out. */
class WireReader {
  #offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  field(): Uint8Array | null {
    if (this.#offset + 4 > this.bytes.length) return null;
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.#offset, 4);
    const length = view.getUint32(0);
    const start = this.#offset + 4;
    if (start + length > this.bytes.length) return null;
    this.#offset = start + length;
    return this.bytes.subarray(start, start + length);
  }

  get done(): boolean {
    return this.#offset === this.bytes.length;
  }
}

const text = (bytes: Uint8Array | null) => (bytes === null ? null : new TextDecoder().decode(bytes));

/** Strict base64 (padding included); null for anything `ssh-keygen` would not have written. */
function decodeBase64(data: string): Uint8Array | null {
  if (data.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(data)) return null;
  let binary: string;
  try {
    binary = atob(data);
  } catch {
    return null;
  }
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return encodeBase64(bytes) === data ? bytes : null;
}

function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Bits of a positive mpint (RFC 4251 §5); null when negative or not minimally encoded. */
function mpintBits(value: Uint8Array): number | null {
  if (value.length === 0 || (value[0]! & 0x80) !== 0) return null;
  const start = value[0] === 0 ? 1 : 0;
  if (start === 1 && (value.length === 1 || (value[1]! & 0x80) === 0)) return null;
  const first = value[start] ?? 0;
  return (value.length - start - 1) * 8 + (32 - Math.clz32(first));
}

/** The size in bits of the key in `blob`, or why Transfer Family would refuse it. */
function keyBits(type: SshKeyType, blob: Uint8Array): number | string {
  const wire = new WireReader(blob);
  if (text(wire.field()) !== type) return `The key data does not hold an ${type} key.`;
  if (type === "ssh-ed25519") {
    const point = wire.field();
    return point?.length === 32 && wire.done ? 256 : DAMAGED;
  }
  if (type === "ssh-rsa") {
    const exponent = wire.field();
    const modulus = wire.field();
    if (exponent === null || modulus === null || !wire.done) return DAMAGED;
    const [e, n] = [mpintBits(exponent), mpintBits(modulus)];
    if (e === null || n === null || (exponent.at(-1)! & 1) === 0) return DAMAGED;
    if (n < RSA_MIN_BITS) return `This RSA key has ${n} bits; use one of at least ${RSA_MIN_BITS} bits (ssh-keygen -t rsa -b 4096) or an ssh-ed25519 key.`;
    return n > RSA_MAX_BITS ? DAMAGED : n;
  }
  const curve = type.slice("ecdsa-sha2-".length);
  if (text(wire.field()) !== curve) return `The key data does not hold a ${curve} key.`;
  const point = wire.field();
  const size = ECDSA_COORDINATE[curve] ?? 0;
  if (point === null || !wire.done || point.length !== 1 + 2 * size || point[0] !== 0x04) return DAMAGED;
  return curve === "nistp521" ? 521 : size * 8;
}

/** Why a first token that is not an accepted type was refused, in words a manager can act on. */
function unsupportedType(first: string, rest: string[]): string {
  if (SSH_KEY_TYPES.some((t) => rest.includes(t))) return "Remove the options in front of the key type (such as from=… or command=…).";
  if (first === "ssh-dss") return `DSA keys are no longer accepted. ${ACCEPTED}`;
  if (first.startsWith("sk-")) return `Security-key (FIDO) keys are not accepted by AWS Transfer Family. ${ACCEPTED}`;
  if (first.includes("-cert-")) return `Certificates are not accepted; paste the plain public key. ${ACCEPTED}`;
  return `“${first.slice(0, 40)}” is not a key type AWS Transfer Family accepts. ${ACCEPTED}`;
}

/** Reads one public key line; refuses private keys, other formats, weak or damaged keys. */
export function parseSshPublicKey(input: string): SshKeyResult {
  const refuse = (reason: string): SshKeyResult => ({ ok: false, reason });
  const trimmed = input.trim();
  if (trimmed === "") return refuse("Paste a public key.");
  if (/PRIVATE KEY|PuTTY-User-Key-File/.test(trimmed)) {
    return refuse("This is a private key. Paste the public key (the .pub file) instead, and keep the private key to yourself.");
  }
  if (trimmed.startsWith("---- BEGIN SSH2 PUBLIC KEY")) return refuse("Convert this key to OpenSSH format first (ssh-keygen -i -f key.pub).");
  if (/[\r\n]/.test(trimmed)) return refuse("Paste one key per entry, on a single line.");
  if (trimmed.length > SSH_KEY_LINE_MAX) return refuse(`Use a key line of at most ${SSH_KEY_LINE_MAX} characters.`);
  const [first = "", data = "", ...rest] = trimmed.split(/[ \t]+/);
  const type = SSH_KEY_TYPES.find((t) => t === first);
  if (type === undefined) return refuse(unsupportedType(first, [data, ...rest]));
  if (data === "") return refuse("The key data is missing after the key type.");
  const blob = decodeBase64(data);
  if (blob === null) return refuse("The key data is not valid base64.");
  const bits = keyBits(type, blob);
  if (typeof bits === "string") return refuse(bits);
  const comment = rest.length > 0 ? rest.join(" ") : null;
  return { ok: true, key: { type, bits, data, comment, line: comment === null ? `${type} ${data}` : `${type} ${data} ${comment}` } };
}

/** Thrown by keyFingerprint for a line parseSshPublicKey refuses. */
export class SshKeyError extends Error {
  override name = "SshKeyError";
}

/**
 * The key's SHA256 fingerprint exactly as `ssh-keygen -lf` prints it: `SHA256:` and the unpadded
 * base64 of the SHA-256 of the key blob. Throws SshKeyError for a key parseSshPublicKey refuses.
 */
export function keyFingerprint(line: string): string {
  const parsed = parseSshPublicKey(line);
  if (!parsed.ok) throw new SshKeyError(parsed.reason);
  const blob = decodeBase64(parsed.key.data) ?? new Uint8Array();
  return `SHA256:${encodeBase64(sha256(blob)).replace(/=+$/, "")}`;
}
