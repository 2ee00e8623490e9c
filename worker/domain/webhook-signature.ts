import { SIGNATURE_TOLERANCE_SECONDS } from "./contract/stack-event";

/**
 * Stripe-style webhook signatures: `t=<unix seconds>,v1=<hex>[,v1=<hex>...]`, each v1 the
 * HMAC-SHA256 of `${t}.${body}` under one secret. Several v1 values let a secret rotate without
 * downtime: the sender signs with old and new, the receiver accepts any match.
 * Pure WebCrypto, so the same module runs in Node 20 (the bridge) and workerd (the Worker).
 */

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

const encoder = new TextEncoder();
const HEX_SHA256 = /^[0-9a-f]{64}$/i;
/** Bounds the work an unauthenticated caller can make us do (HMACs = secrets x v1 values). */
const MAX_HEADER_LENGTH = 2048;
const MAX_SIGNATURES = 8;

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

/** The header value for `body`, signed at `nowSeconds` with every non-empty secret. */
export async function signBody(body: string, secrets: readonly string[], nowSeconds: number): Promise<string> {
  const keys = usableSecrets(secrets);
  if (keys.length === 0) throw new Error("No webhook secret is configured.");
  if (!Number.isFinite(nowSeconds) || nowSeconds < 0) throw new Error(`Invalid signing time: ${nowSeconds}`);
  const t = Math.floor(nowSeconds);
  const data = encoder.encode(`${t}.${body}`);
  const signatures = await Promise.all(
    keys.map(async (secret) => toHex(await crypto.subtle.sign("HMAC", await hmacKey(secret, "sign"), data))),
  );
  return [`t=${t}`, ...signatures.map((s) => `v1=${s}`)].join(",");
}

type ParsedHeader = { ok: true; t: number; signatures: string[] } | { ok: false; reason: string };

function parseHeader(header: string): ParsedHeader {
  if (header.length > MAX_HEADER_LENGTH) return { ok: false, reason: "Signature header is too long." };
  let t: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq <= 0) return { ok: false, reason: "Signature header is malformed." };
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t") {
      if (t !== undefined || !/^\d{1,12}$/.test(value)) return { ok: false, reason: "Signature timestamp is malformed." };
      t = Number(value);
    } else if (key === "v1") {
      if (!HEX_SHA256.test(value)) return { ok: false, reason: "Signature is not 64 hex characters." };
      signatures.push(value.toLowerCase());
    }
    // Other schemes (a future v2) are ignored, as Stripe does, so senders can add them first.
  }
  if (t === undefined) return { ok: false, reason: "Signature header has no timestamp." };
  if (signatures.length === 0) return { ok: false, reason: "Signature header has no v1 signature." };
  if (signatures.length > MAX_SIGNATURES) return { ok: false, reason: "Signature header has too many signatures." };
  return { ok: true, t, signatures };
}

/**
 * Checks a signature header against `body`. Accepts when any v1 matches any configured non-empty
 * secret and `t` is within ±`toleranceSeconds` of `nowSeconds`. The comparison is
 * `crypto.subtle.verify`, which is constant-time, never string equality.
 */
export async function verifySignature(
  header: string | null | undefined,
  body: string,
  secrets: readonly string[],
  nowSeconds: number,
  toleranceSeconds: number = SIGNATURE_TOLERANCE_SECONDS,
): Promise<SignatureCheck> {
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
  const data = encoder.encode(`${parsed.t}.${body}`);
  const signatures = parsed.signatures.map(fromHex);
  for (const secret of keys) {
    const key = await hmacKey(secret, "verify");
    for (const signature of signatures) {
      if (await crypto.subtle.verify("HMAC", key, signature, data)) return { ok: true };
    }
  }
  return { ok: false, reason: "Signature does not match." };
}
