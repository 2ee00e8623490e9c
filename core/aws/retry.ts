import { backoffDelay } from "../backoff";
import { AwsError } from "./errors";

/**
 * How retryable AWS failures (throttling, 5xx, network) are retried. Every attempt is one Worker
 * subrequest, so the bound matters as much as the backoff.
 */
export interface RetryOptions {
  /** Attempts in total, the first included. */
  maxAttempts: number;
  /** Backoff ceiling of the first retry, in ms; doubles per retry. */
  baseMs: number;
  /** Largest backoff ceiling, in ms. */
  capMs: number;
  /** Waits `ms`; tests pass one that records instead of waiting. */
  sleep: (ms: number) => Promise<void>;
  /** A number in [0, 1); the jitter source. */
  random: () => number;
}

export const defaultRetry: RetryOptions = {
  maxAttempts: 4,
  baseMs: 200,
  capMs: 3_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/**
 * Runs `attempt` until it succeeds, fails with an error `shouldRetry` refuses (by default: any
 * non-retryable one), or `maxAttempts` is spent; the last error is rethrown as is. Between
 * attempts it waits `backoffDelay` (full jitter, core/backoff.ts).
 */
export async function withRetry<T>(
  attempt: () => Promise<T>,
  options: RetryOptions = defaultRetry,
  shouldRetry: (error: AwsError) => boolean = (error) => error.retryable,
): Promise<T> {
  // Whether an attempt may have run (no answer, a 5xx): then the final error says so too, even a throttle.
  let mayHaveRun = false;
  for (let tried = 1; ; tried++) {
    try {
      return await attempt();
    } catch (error) {
      if (error instanceof AwsError) {
        mayHaveRun ||= error.mayHaveRun;
        error.mayHaveRun = mayHaveRun;
      }
      const retryable = error instanceof AwsError && error.retryable && shouldRetry(error);
      if (!retryable || tried >= options.maxAttempts) throw error;
      await options.sleep(backoffDelay(tried - 1, options));
    }
  }
}
