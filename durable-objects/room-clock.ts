import type { RoomStore } from "./room-store";

/**
 * Meta key: milliseconds added to the wall clock by what judges keys by their age (the access
 * review, key rotations). Only tests write it (through `runInDurableObject`) to make keys old
 * without waiting; no route or RPC sets it, so in production it is absent and the clock is the
 * wall clock.
 */
export const CLOCK_OFFSET_KEY = "clockOffsetMs";

/** The room's offset from the wall clock in ms (0 unless a test moved it). */
export function clockOffset(store: Pick<RoomStore, "getMeta">): number {
  const offset = Number(store.getMeta(CLOCK_OFFSET_KEY) ?? 0);
  return Number.isFinite(offset) ? offset : 0;
}

/** The room's time for key ages and grace periods, in ms since the epoch. */
export function roomNow(store: Pick<RoomStore, "getMeta">): number {
  return Date.now() + clockOffset(store);
}
