import { SIGNATURE_TOLERANCE_SECONDS } from "./contract/stack-event";

/**
 * Stripe-style webhook signatures: `t=<unix seconds>,k=<kid>,v1=<hex>[,k=<kid>,v1=<hex>]`, each
 * v1 the HMAC-SHA256 of `${t}.${body}` under one secret, and the `k` before it naming that secret
 * (its kid: the first 16 hex characters of HMAC-SHA256(secret, "stackroom-webhook-kid"), which
 * tells nothing about the secret). Several signatures let a secret rotate without downtime: the
 * sender signs with old and new, the receiver accepts any match.
 *
 * What an unauthenticated caller can make the receiver do is bounded before any HMAC over the
 * body (up to 1 MB): the header's shape, its timestamp, and the secrets it names are checked
 * first, each with work independent of the body; only a signature whose kid is one of the
 * accepted secrets' is computed, so a refused batch costs at most MAX_SIGNATURES body HMACs and
 * one that names no accepted secret costs none.
 *
 * Pure WebCrypto, so the same module runs in Node 20 (the bridge) and workerd (the Worker).
 */

/** A verified signature names the secret it matched (so the receiver knows which version signed). */
type SignatureCheck = { ok: true; secret: string } | { ok: false; reason: string };

const encoder = new TextEncoder();
const HEX_SHA256 = /^[0-9a-f]{64}$/i;
const KID = /^[0-9a-f]{16}$/;
const MAX_HEADER_LENGTH = 1024;
/** A sender holds at most its new and its old secret (a rotation). */
const MAX_SIGNATURES = 2;

function hmacKey(secret: string, usage: "sign" | "verify"): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [usage]);
}

function toHex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

function usableSecrets(secrets: readonly string[]): string[] {
  return [...new Set(secrets.filter((s) => s.length > 0))];
}

/** A secret's public name in signature headers (see the module comment). */
export async function secretKid(secret: string): Promise<string> {
  return toHex(await crypto.subtle.sign("HMAC", await hmacKey(secret, "sign"), encoder.encode("stackroom-webhook-kid"))).slice(0, 16);
}

/** The header value for `body`, signed at `nowSeconds` with every non-empty secret (at most MAX_SIGNATURES). */
export async function signBody(body: string, secrets: readonly string[], nowSeconds: number): Promise<string> {
  const keys = usableSecrets(secrets);
  if (keys.length === 0) throw new Error("No webhook secret is configured.");
  if (keys.length > MAX_SIGNATURES) throw new Error(`At most ${MAX_SIGNATURES} webhook secrets can sign at once (the new and the old).`);
  if (!Number.isFinite(nowSeconds) || nowSeconds < 0) throw new Error(`Invalid signing time: ${nowSeconds}`);
  const t = Math.floor(nowSeconds);
  const data = encoder.encode(`${t}.${body}`);
  const signatures = await Promise.all(
    keys.map(async (secret) => `k=${await secretKid(secret)},v1=${toHex(await crypto.subtle.sign("HMAC", await hmacKey(secret, "sign"), data))}`),
  );
  return [`t=${t}`, ...signatures].join(",");
}

type Signature = { kid: string; hex: string };
type ParsedHeader = { ok: true; t: number; signatures: Signature[] } | { ok: false; reason: string };

function parseHeader(header: string): ParsedHeader {
  if (header.length > MAX_HEADER_LENGTH) return { ok: false, reason: "Signature header is too long." };
  let t: number | undefined;
  let kid: string | undefined;
  const signatures: Signature[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq <= 0) return { ok: false, reason: "Signature header is malformed." };
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t") {
      if (t !== undefined || !/^\d{1,12}$/.test(value)) return { ok: false, reason: "Signature timestamp is malformed." };
      t = Number(value);
    } else if (key === "k") {
      if (!KID.test(value)) return { ok: false, reason: "Signature key id (k) is not 16 hex characters." };
      kid = value;
    } else if (key === "v1") {
      if (!HEX_SHA256.test(value)) return { ok: false, reason: "Signature is not 64 hex characters." };
      if (kid === undefined) return { ok: false, reason: "Each v1 signature must follow the k= naming its secret." };
      signatures.push({ kid, hex: value.toLowerCase() });
      kid = undefined;
    }
    // Other schemes (a future v2) are ignored, as Stripe does, so senders can add them first.
  }
  if (t === undefined) return { ok: false, reason: "Signature header has no timestamp." };
  if (signatures.length === 0) return { ok: false, reason: "Signature header has no v1 signature." };
  if (signatures.length > MAX_SIGNATURES) return { ok: false, reason: "Signature header has too many signatures." };
  return { ok: true, t, signatures };
}

/** A header that passed the cheap checks: the signatures to compute over the body, each with the secret it names. */
type SignaturePreflight = { ok: true; t: number; candidates: Array<{ secret: string; hex: string }> } | { ok: false; reason: string };

/**
 * The checks that cost nothing per body byte: the header's shape, its timestamp within
 * ±`toleranceSeconds` of `nowSeconds`, and that it names (k) a secret accepted here. A caller can
 * run them before even reading the body.
 */
export async function checkSignatureHeader(
  header: string | null | undefined,
  secrets: readonly string[],
  nowSeconds: number,
  toleranceSeconds: number = SIGNATURE_TOLERANCE_SECONDS,
): Promise<SignaturePreflight> {
  const keys = usableSecrets(secrets);
  if (keys.length === 0) return { ok: false, reason: "No webhook secret is configured." };
  if (header === null || header === undefined || header.trim() === "") {
    return { ok: false, reason: "Missing signature header." };
  }
  const parsed = parseHeader(header);
  if (!parsed.ok) return parsed;
  if (Math.abs(nowSeconds - parsed.t) > toleranceSeconds) {
    return { ok: false, reason: `Signature timestamp is more than ${toleranceSeconds} s away from now.` };
  }
  const named = new Map(await Promise.all(keys.map(async (secret) => [await secretKid(secret), secret] as const)));
  const candidates = parsed.signatures.flatMap((s) => {
    const secret = named.get(s.kid);
    return secret === undefined ? [] : [{ secret, hex: s.hex }];
  });
  if (candidates.length === 0) return { ok: false, reason: "Signature names no secret this project accepts (k)." };
  return { ok: true, t: parsed.t, candidates };
}

/** The HMACs over the body, for the signatures a preflight kept; `crypto.subtle.verify` compares in constant time. */
export async function verifyBody(preflight: Extract<SignaturePreflight, { ok: true }>, body: string): Promise<SignatureCheck> {
  const data = encoder.encode(`${preflight.t}.${body}`);
  for (const { secret, hex } of preflight.candidates) {
    if (await crypto.subtle.verify("HMAC", await hmacKey(secret, "verify"), fromHex(hex), data)) return { ok: true, secret };
  }
  return { ok: false, reason: "Signature does not match." };
}

/** Both steps: accepts when a v1 matches the configured non-empty secret its k names, in time. */
export async function verifySignature(
  header: string | null | undefined,
  body: string,
  secrets: readonly string[],
  nowSeconds: number,
  toleranceSeconds: number = SIGNATURE_TOLERANCE_SECONDS,
): Promise<SignatureCheck> {
  const preflight = await checkSignatureHeader(header, secrets, nowSeconds, toleranceSeconds);
  return preflight.ok ? verifyBody(preflight, body) : preflight;
}
