/** Where an exponential backoff starts and stops. */
interface Backoff {
  /** Ceiling of the first retry's wait, in ms; doubles per retry. */
  baseMs: number;
  /** Largest ceiling, in ms. */
  capMs: number;
  /** A number in [0, 1); the jitter source (tests pass a fixed one). */
  random?: () => number;
}

/**
 * Full-jitter exponential backoff (AWS Architecture Blog, "Exponential Backoff and Jitter"): a
 * uniform wait in [0, min(cap, base * 2^retry)), `retry` counting from 0. The whole range is
 * random so that many clients failing together (bridges after a Worker outage, browsers after a
 * deploy) do not retry together. Pure: shared by the Worker's AWS client, the bridge's webhook
 * delivery and the app's live socket.
 */
export function backoffDelay(retry: number, { baseMs, capMs, random = Math.random }: Backoff): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}
