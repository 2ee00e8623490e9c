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
 *
 * Beyond the format it refuses keys anyone can sign for, which ssh2 and OpenSSL verify against
 * without complaint (RSA e = 1, small-order Ed25519 points, ECDSA points off their curve), and
 * lines holding invisible characters that make them display as another line.
 */

/** What Transfer Family accepts for service-managed users: ED25519, ECDSA (NIST P-256/384/521) and RSA. */
export const SSH_KEY_TYPES = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa"] as const;
type SshKeyType = (typeof SSH_KEY_TYPES)[number];

/** Transfer Family's SshPublicKeyBody: at most 2048 characters (ImportSshPublicKey, AWS::Transfer::User). */
export const SSH_KEY_LINE_MAX = 2048;

/** NIST SP 800-57 puts RSA-2048 below 128-bit security; 3072 bits is the floor we accept. */
const RSA_MIN_BITS = 3072;

/** The largest RSA key whose line still fits SSH_KEY_LINE_MAX is just over 10,000 bits. */
const RSA_MAX_BITS = 16384;

/**
 * The NIST curves Transfer Family takes, y² = x³ − 3x + b over GF(p) (SP 800-186 §3.2.1): `size`
 * bytes per coordinate of the uncompressed point 0x04 ‖ X ‖ Y (SEC 1 §2.3.3).
 */
const NIST_CURVES: Record<string, { size: number; bits: number; p: bigint; b: bigint }> = {
  nistp256: {
    size: 32,
    bits: 256,
    p: 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
  },
  nistp384: {
    size: 48,
    bits: 384,
    p: 2n ** 384n - 2n ** 128n - 2n ** 96n + 2n ** 32n - 1n,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
  },
  nistp521: {
    size: 66,
    bits: 521,
    p: 2n ** 521n - 1n,
    b: 0x51953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00n,
  },
};

/** The smallest RSA public exponent we take: what ssh-keygen and OpenSSL use, and FIPS 186-4 App. B.3.1's floor (e > 2^16). */
const RSA_MIN_EXPONENT = 65537n;

interface SshPublicKey {
  type: SshKeyType;
  /** Key size in bits (RSA modulus; 256/384/521 for ECDSA; 256 for ED25519). */
  bits: number;
  /** The key blob, base64 in canonical form (as `ssh-keygen` writes it). */
  data: string;
  comment: string | null;
  /** `type data [comment]`, single spaces: what templates and Transfer Family receive. */
  line: string;
}

type SshKeyResult = { ok: true; key: SshPublicKey } | { ok: false; reason: string };

const ACCEPTED = "Use an ssh-ed25519, ECDSA or RSA (3072 bits or more) public key.";
const DAMAGED = "The key data is damaged (cut short, or with bytes that do not belong to the key).";
const REGENERATE = "Generate a new key with ssh-keygen -t ed25519.";

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

const bigEndian = (bytes: Uint8Array) => bytes.reduce((n, byte) => (n << 8n) | BigInt(byte), 0n);
const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;

function powMod(base: bigint, exponent: bigint, m: bigint): bigint {
  let result = 1n;
  for (base = mod(base, m); exponent > 0n; exponent >>= 1n, base = (base * base) % m) {
    if (exponent & 1n) result = (result * base) % m;
  }
  return result;
}

/**
 * Why an RSA public key is one anyone can sign for, or null. With e = 1 the "signature" is the
 * padded hash itself; exponents below 65537 are what Bleichenbacher-style padding forgeries (e = 3)
 * need; an even e or one not below n is no RSA key at all (RFC 8017 §3.1); an even n has the
 * factor 2, so its private key is one division away.
 */
function rsaProblem(exponent: Uint8Array, modulus: Uint8Array): string | null {
  const [e, n] = [bigEndian(exponent), bigEndian(modulus)];
  if (e === 1n) return `This RSA key's public exponent is 1; such a key accepts any signature. ${REGENERATE}`;
  if (e % 2n === 0n) return `This RSA key's public exponent is even, which no working RSA key has; it was altered or made up. ${REGENERATE}`;
  if (e < RSA_MIN_EXPONENT) return `This RSA key's public exponent is ${e}, below ${RSA_MIN_EXPONENT}; keys like this are open to signature forgery. ${REGENERATE}`;
  if (e >= n) return `This RSA key's public exponent is not smaller than its modulus, which no working RSA key has; it was altered or made up. ${REGENERATE}`;
  if (n % 2n === 0n) return `This RSA key's modulus is even, so anyone can work out its private key. ${REGENERATE}`;
  return null;
}

/** Ed25519 over GF(2^255 − 19): −x² + y² = 1 + d·x²·y² with d = −121665/121666 (RFC 8032 §5.1). */
const ED_P = 2n ** 255n - 19n;
const ED_D = mod(-121665n * powMod(121666n, ED_P - 2n, ED_P), ED_P);
const ED_SQRT_M1 = powMod(2n, (ED_P - 1n) / 4n, ED_P);

/** An x with (x, y) on the curve (the other one is −x), or null when there is none (RFC 8032 §5.1.3 steps 2-3). */
function ed25519X(y: bigint): bigint | null {
  const y2 = (y * y) % ED_P;
  const u = mod(y2 - 1n, ED_P);
  const v = mod(ED_D * y2 + 1n, ED_P);
  const v3 = (v * v * v) % ED_P;
  const x = (u * v3 * powMod(u * v3 * v3 * v, (ED_P - 5n) / 8n, ED_P)) % ED_P;
  const vx2 = (v * x * x) % ED_P;
  if (vx2 === u) return x;
  return vx2 === mod(-u, ED_P) ? (x * ED_SQRT_M1) % ED_P : null;
}

/**
 * Whether [8]P is the identity, i.e. P lies in the torsion subgroup (orders 1, 2, 4, 8), by three
 * doublings in extended coordinates (RFC 8032 §5.1.4, "point doubling"; T is not needed to double).
 * For such an A, [8][k]A vanishes from the verification equation of RFC 8032 §5.1.7, so one
 * signature (R = small-order point, S = 0) verifies for a fair share of messages, whoever signs.
 */
function ed25519SmallOrder(x: bigint, y: bigint): boolean {
  let [X, Y, Z] = [x, y, 1n];
  for (let i = 0; i < 3; i++) {
    const A = (X * X) % ED_P;
    const B = (Y * Y) % ED_P;
    const C = (2n * Z * Z) % ED_P;
    const H = (A + B) % ED_P;
    const E = mod(H - (X + Y) * (X + Y), ED_P);
    const G = mod(A - B, ED_P);
    const F = (C + G) % ED_P;
    [X, Y, Z] = [(E * F) % ED_P, (G * H) % ED_P, (F * G) % ED_P];
  }
  return X === 0n && Y === Z;
}

/** Why a 32-byte Ed25519 public key cannot be trusted, or null: it must decode (RFC 8032 §5.1.3) and not be of small order. */
function ed25519Problem(encoded: Uint8Array): string | null {
  const sign = encoded[31]! >> 7;
  const y = bigEndian(Uint8Array.from(encoded).reverse()) & (2n ** 255n - 1n);
  const x = y < ED_P ? ed25519X(y) : null;
  // RFC 8032 §5.1.3 refuses y ≥ p (step 1) and x = 0 written as negative (step 4): second spellings
  // of a point that ssh-keygen never writes, and that a fingerprint or blocklist would not match.
  if (y >= ED_P || (x === 0n && sign === 1)) {
    return `This ssh-ed25519 key is not written in the one standard form ssh-keygen writes (RFC 8032); it was altered or made up. ${REGENERATE}`;
  }
  if (x === null) return `This ssh-ed25519 key is not a point on the Ed25519 curve, so it is no key at all (damaged or made up). ${REGENERATE}`;
  // −P has the order of P, so x's sign does not matter here.
  if (ed25519SmallOrder(x, y)) {
    return `This ssh-ed25519 key is one of the eight weak (small-order) points for which signatures can be forged without any private key. ${REGENERATE}`;
  }
  return null;
}

/**
 * Why an ECDSA public point is no key, or null: the checks of SEC 1 §3.2.2.1 (not the point at
 * infinity, coordinates in [0, p − 1], on the curve). Its last check, nQ = O, holds for every
 * point on these curves, whose cofactor is 1.
 */
function ecdsaProblem(curve: string, point: Uint8Array): string | null {
  const { size, p, b } = NIST_CURVES[curve]!;
  const [x, y] = [bigEndian(point.subarray(1, 1 + size)), bigEndian(point.subarray(1 + size))];
  if (x >= p || y >= p) return `This ECDSA key's coordinates are out of range for the ${curve} curve; it was altered or made up. ${REGENERATE}`;
  if (mod(y * y - (x * x * x - 3n * x + b), p) !== 0n) {
    return `This ECDSA key's point is not on the ${curve} curve, so it is no key at all (damaged or made up). ${REGENERATE}`;
  }
  return null;
}

/** The size in bits of the key in `blob`, or why Transfer Family would refuse it. */
function keyBits(type: SshKeyType, blob: Uint8Array): number | string {
  const wire = new WireReader(blob);
  if (text(wire.field()) !== type) return `The key data does not hold an ${type} key.`;
  if (type === "ssh-ed25519") {
    const point = wire.field();
    if (point?.length !== 32 || !wire.done) return DAMAGED;
    return ed25519Problem(point) ?? 256;
  }
  if (type === "ssh-rsa") {
    const exponent = wire.field();
    const modulus = wire.field();
    if (exponent === null || modulus === null || !wire.done) return DAMAGED;
    const [e, n] = [mpintBits(exponent), mpintBits(modulus)];
    if (e === null || n === null || n > RSA_MAX_BITS) return DAMAGED;
    const forgeable = rsaProblem(exponent, modulus);
    if (forgeable !== null) return forgeable;
    return n < RSA_MIN_BITS ? `This RSA key has ${n} bits; use one of at least ${RSA_MIN_BITS} bits (ssh-keygen -t rsa -b 4096) or an ssh-ed25519 key.` : n;
  }
  const curve = type.slice("ecdsa-sha2-".length);
  if (text(wire.field()) !== curve) return `The key data does not hold a ${curve} key.`;
  const point = wire.field();
  const { size, bits } = NIST_CURVES[curve]!;
  if (point === null || !wire.done) return DAMAGED;
  // SEC 1 §2.3.3 writes the point at infinity as the single octet 0x00.
  if (point.length === 1 && point[0] === 0x00) return `This ECDSA key is the point at infinity, which is no key at all. ${REGENERATE}`;
  if (point.length !== 1 + 2 * size || point[0] !== 0x04) return DAMAGED;
  return ecdsaProblem(curve, point) ?? bits;
}

/**
 * Characters that show nothing themselves but change how the line is shown, so a key line can read
 * as another one (CVE-2021-42574, "Trojan Source"): C0 controls but tab (a separator), DEL, C1, and
 * Unicode's bidirectional marks, embeddings, overrides and isolates (UAX #9 §2).
 */
const HIDDEN = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Why a line holding `char` (one of HIDDEN) is refused, naming it as U+XXXX. */
function hiddenCharacter(char: string): string {
  const code = `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
  const what = char <= "\u009f" ? "an invisible control character" : "an invisible text-direction character";
  return `This key line holds ${what} (${code}), which can make the line look different from what it is. Paste the key again from its .pub file and type its comment by hand.`;
}

/** Why a first token that is not an accepted type was refused, in words a manager can act on. */
function unsupportedType(first: string, rest: string[]): string {
  if (SSH_KEY_TYPES.some((t) => rest.includes(t))) return "Remove the options in front of the key type (such as from=… or command=…).";
  if (first === "ssh-dss") return `DSA keys are no longer accepted. ${ACCEPTED}`;
  if (first.startsWith("sk-")) return `Security-key (FIDO) keys are not accepted by AWS Transfer Family. ${ACCEPTED}`;
  if (first.includes("-cert-")) return `Certificates are not accepted; paste the plain public key. ${ACCEPTED}`;
  return `“${first.slice(0, 40)}” is not a key type AWS Transfer Family accepts. ${ACCEPTED}`;
}

/** Reads one public key line; refuses private keys, other formats, weak, forgeable or damaged keys, and disguised lines. */
export function parseSshPublicKey(input: string): SshKeyResult {
  const refuse = (reason: string): SshKeyResult => ({ ok: false, reason });
  const trimmed = input.trim();
  if (trimmed === "") return refuse("Paste a public key.");
  if (/PRIVATE KEY|PuTTY-User-Key-File/.test(trimmed)) {
    return refuse("This is a private key. Paste the public key (the .pub file) instead, and keep the private key to yourself.");
  }
  if (trimmed.startsWith("---- BEGIN SSH2 PUBLIC KEY")) return refuse("Convert this key to OpenSSH format first (ssh-keygen -i -f key.pub).");
  if (/[\r\n\u2028\u2029]/.test(trimmed)) return refuse("Paste one key per entry, on a single line.");
  const hidden = HIDDEN.exec(trimmed);
  if (hidden) return refuse(hiddenCharacter(hidden[0]));
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
