import type { Identity } from "./identity";

/** Tokens remembered per isolate; the oldest goes first when full. */
const CAPACITY = 2_000;
/** A remembered verification is used at most this long (seconds), whatever the token's own expiry. */
const REMEMBER_SECONDS = 5 * 60;

/**
 * Sign-in tokens this isolate has already verified, with who they named. Every request of a
 * browser carries the same token (the Access JWT, or the dev session cookie) until it is renewed,
 * and verifying it (decode, claims, a signature check) cost about a tenth of the Worker's CPU per
 * request, most of it on the live socket's joins (issue 20: 10,000 sockets). A remembered token
 * answers until the earlier of its own end (`expiresAt`, checked on every use) and a few minutes
 * after it was verified, so a key Access stops publishing is honoured no longer than jose's own
 * key-set cache would. Only successes are kept, keyed by the exact token string and what it
 * was verified against (mode, team, audience or secret), so no token is ever taken for another.
 * A sign-out is still checked on every request (revocation.ts), outside this cache.
 */
export class VerifiedTokens {
  readonly #entries = new Map<string, { identity: Identity; until: number }>();

  constructor(private readonly capacity = CAPACITY) {}

  /** Who the token names, if it was verified here and has not ended by `nowSeconds`. */
  get(key: string, nowSeconds: number): Identity | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (nowSeconds >= entry.until) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.identity;
  }

  /** Remembers a token just verified, until its end or REMEMBER_SECONDS from `nowSeconds`. */
  set(key: string, identity: Identity, nowSeconds: number): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.capacity) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { identity, until: Math.min(identity.expiresAt, nowSeconds + REMEMBER_SECONDS) });
  }

  get size(): number {
    return this.#entries.size;
  }
}
