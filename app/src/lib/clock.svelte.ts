import { createSubscriber } from "svelte/reactivity";

/**
 * `clock.now` is Date.now() that re-renders its readers every few seconds, so relative times
 * ("2 min ago") stay true; the interval runs only while something on screen reads it.
 */
class Clock {
  readonly #subscribe = createSubscriber((update) => {
    const timer = setInterval(update, 5_000);
    return () => clearInterval(timer);
  });

  get now(): number {
    this.#subscribe();
    return Date.now();
  }
}

export const clock = new Clock();
