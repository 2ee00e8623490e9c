import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from "jose";
import * as z from "zod";
import { errorText, logEvent } from "../../core/log";

/**
 * Cloudflare Access's application token (RS256 today), verified against the team's published
 * keys. Only asymmetric algorithms: an HS256 token could be forged with the public key as secret,
 * and `none` is no signature at all.
 */
const ASYMMETRIC = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];
/** Access and the edge disagree by a few seconds at most. */
const CLOCK_SKEW_SECONDS = 30;
/**
 * After a token names an unknown `kid`, the key set is fetched again at most this often (jose's
 * default is 30 s). Access publishes a new key before it signs with it, so a short cooldown only
 * matters right after a rotation; an attacker making up kids gets one fetch per 5 s per isolate.
 */
const JWKS_COOLDOWN_MS = 5_000;

/** One key set per team domain per isolate; jose caches it (10 min) and refetches on an unknown kid. */
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function keySet(teamDomain: string): ReturnType<typeof createRemoteJWKSet> {
  let set = keySets.get(teamDomain);
  if (!set) {
    set = createRemoteJWKSet(new URL("/cdn-cgi/access/certs", teamDomain), { cooldownDuration: JWKS_COOLDOWN_MS, timeoutDuration: 5_000 });
    keySets.set(teamDomain, set);
  }
  return set;
}

const AccessClaims = z.object({
  email: z.email().optional(),
  /** Service tokens carry their client id here and no email. */
  common_name: z.string().optional(),
  sub: z.string().optional(),
  iat: z.number().optional(),
  exp: z.number(),
});

type AccessVerdict =
  | { ok: true; email: string; sessionId: string; expiresAt: number }
  /** `unavailable`: the team's keys could not be fetched — our problem, not the caller's. */
  | { ok: false; kind: "unauthenticated" | "unavailable"; reason: string };

async function sessionIdOf(payload: z.infer<typeof AccessClaims>, token: string): Promise<string> {
  // One Access sign-in = one (sub, iat); every tab of that browser sends the same token.
  const basis = payload.sub && payload.iat ? `access:${payload.sub}:${payload.iat}` : `access:${token}`;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(basis));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function refusal(err: unknown): AccessVerdict {
  const no = (reason: string): AccessVerdict => ({ ok: false, kind: "unauthenticated", reason });
  if (err instanceof errors.JWTExpired) return no("Your Cloudflare Access sign-in has expired. Sign in again.");
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === "nbf" || err.claim === "iat") return no("The Cloudflare Access token is not valid yet (check the clocks).");
    if (err.claim === "aud") return no("The Cloudflare Access token is for another application (wrong audience).");
    if (err.claim === "iss") return no("The Cloudflare Access token comes from another team (wrong issuer).");
    return no(`The Cloudflare Access token's “${err.claim}” claim is invalid.`);
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return no("The Cloudflare Access token is not signed with an allowed algorithm.");
  if (err instanceof errors.JWKSNoMatchingKey) return no("The Cloudflare Access token is signed by a key this team does not publish.");
  if (err instanceof errors.JWSSignatureVerificationFailed) return no("The Cloudflare Access token's signature is invalid.");
  const keysUnreachable = err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || (err instanceof errors.JOSEError && /JSON Web Key Set/.test(err.message));
  if (err instanceof errors.JOSEError && !keysUnreachable) return no("The Cloudflare Access token is malformed.");
  // Anything else came from fetching the team's keys (network errors are plain Errors in workerd).
  // jose names its errors after their class, which minification renames: its stable code says which.
  logEvent("error", "access_keys_unreachable", { error: err instanceof errors.JOSEError ? `${err.code}: ${err.message}`.slice(0, 500) : errorText(err) });
  return { ok: false, kind: "unavailable", reason: "Stackroom could not fetch Cloudflare Access's signing keys. Try again in a moment." };
}

/**
 * Verifies an Access application token: signature by a key of `teamDomain`'s JWKS, issuer =
 * team domain, audience contains `audience`, not expired / not yet valid (small skew), and a
 * person's email (service tokens have none and are refused).
 */
export async function verifyAccessToken(token: string, teamDomain: string, audience: string): Promise<AccessVerdict> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keySet(teamDomain), {
      issuer: teamDomain,
      audience,
      algorithms: ASYMMETRIC,
      clockTolerance: CLOCK_SKEW_SECONDS,
      requiredClaims: ["exp"],
    }));
  } catch (err) {
    return refusal(err);
  }
  const claims = AccessClaims.safeParse(payload);
  if (!claims.success) return { ok: false, kind: "unauthenticated", reason: "The Cloudflare Access token has unexpected claims." };
  if (!claims.data.email) {
    const who = claims.data.common_name ? "a service token" : "a token without an email";
    return { ok: false, kind: "unauthenticated", reason: `Stackroom's manager pages need a person's sign-in; this is ${who}.` };
  }
  // The sign-in ends when this Worker stops accepting the token: its exp plus the skew allowed.
  return { ok: true, email: claims.data.email.toLowerCase(), sessionId: await sessionIdOf(claims.data, token), expiresAt: claims.data.exp + CLOCK_SKEW_SECONDS };
}
