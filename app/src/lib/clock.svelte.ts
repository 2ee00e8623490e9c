import { createSubscriber } from "svelte/reactivity";

/**
 * `now` is Date.now() that re-renders its readers every `intervalMs`, so relative times ("2 min
 * ago") stay true; the interval runs only while something on screen reads it.
 */
class Clock {
  readonly #subscribe;

  constructor(intervalMs: number) {
    this.#subscribe = createSubscriber((update) => {
      const timer = setInterval(update, intervalMs);
      return () => clearInterval(timer);
    });
  }

  get now(): number {
    this.#subscribe();
    return Date.now();
  }
}

/** Relative times: every few seconds is enough. */
export const clock = new Clock(5_000);
/** A running change's elapsed time, counted in seconds while it is on screen. */
export const secondClock = new Clock(1_000);
