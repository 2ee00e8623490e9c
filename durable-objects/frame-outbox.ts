import { broadcast } from "./live-sockets";

/** Frames wait for running edits at most this long, so a steady stream of edits cannot starve the sockets. */
const MAX_HOLD_MS = 1_000;
/**
 * Sends (socket × frame) per slice of a batch; between slices the room yields, so a request that
 * arrived meanwhile (an edit, a webhook) runs before the rest of the batch. ~500 sends are a few
 * milliseconds of the room's thread; 10,000 sockets are 20 slices, not one 200 ms block.
 */
const SENDS_PER_SLICE = 500;

/**
 * Change frames leave the request path: the room logs a frame (SQLite, same turn as the change it
 * tells) and answers the edit; the frames go to every socket afterwards, once no edit is waiting on
 * CloudFormation and the answer has left, in one pass per batch. Sending to 1,000 sockets costs
 * the room ~150 ms of its only thread, and a manager's click should not wait for other people's
 * screens (issue 20).
 *
 * Order and exactly-once: frames are queued in seq order (appendFrame numbers them as they are
 * pushed) and sent in that order; a socket that joins calls `flush()` first, so everything up to
 * the seq its `hello` names has gone to the others and the joiner gets the rest from the log
 * (`since`) — never the same frame twice, never a gap. Closing sockets flushes too, so a socket
 * hears the lines that preceded its close (a removed member sees the removal).
 *
 * A batch goes out in slices of sockets (SENDS_PER_SLICE), yielding between them, so with 10,000
 * sockets an edit or a webhook that arrives during a send waits for one slice, not for all
 * (issue 20). Per socket the order is kept: a batch reaches every socket before the next batch
 * starts, and `flush()` (a join, a close) first finishes the batch in progress at once, then sends
 * what is queued, so the joiner's `since` still meets everything the others were sent.
 *
 * Eviction before the send runs loses nothing: the pending send is `waitUntil` work, so the room
 * does not hibernate with frames queued; and if it is reset or evicted anyway (a crash, a deploy,
 * `abort()`), every queued frame is already in the SQLite log (committed with the change) and the
 * object's sockets are dropped with it; each client reconnects with `?since=<last seq it saw>` and
 * the room sends it exactly the frames it missed (or a snapshot when the gap is older than the
 * kept log). The KV snapshot is unaffected: `snapshotSoon` is still called in the same turn.
 */
export class FrameOutbox {
  #pending: string[] = [];
  /** When the oldest queued frame was queued. */
  #since = 0;
  #scheduled = false;
  /** Edits still on their request path (their CloudFormation call may yet come back). */
  #holds = 0;
  #idle: { promise: Promise<void>; resolve: () => void } | null = null;
  /** The batch being sent in slices: its frames, the sockets it goes to, and the next socket's index. */
  #sending: { frames: string[]; sockets: WebSocket[]; next: number } | null = null;

  constructor(
    private readonly sockets: () => WebSocket[],
    private readonly storage: DurableObjectStorage,
    private readonly waitUntil: (work: Promise<unknown>) => void,
    private readonly sendsPerSlice = SENDS_PER_SLICE,
  ) {}

  /** Queues one logged frame; it is sent once no edit is on its request path and the answer has gone out. */
  push(json: string): void {
    if (this.#pending.length === 0) this.#since = Date.now();
    this.#pending.push(json);
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.waitUntil(this.#sendLater());
  }

  /**
   * Runs an edit's request path with the sends held back: a send in the middle of it (while its
   * CloudFormation call is out) would take the room's only thread when the call comes back, and
   * the edit's answer would wait for every socket.
   */
  async hold<T>(work: () => Promise<T>): Promise<T> {
    this.#holds++;
    try {
      return await work();
    } finally {
      if (--this.#holds === 0) {
        this.#idle?.resolve();
        this.#idle = null;
      }
    }
  }

  async #sendLater(): Promise<void> {
    try {
      for (;;) {
        // The output gate holds an answer until the turn's writes are durable (`sync()`); waiting for
        // that point plus one timer tick lets the answer leave before the send loop takes the thread.
        await this.storage.sync().catch(() => undefined);
        await scheduler.wait(0);
        const left = MAX_HOLD_MS - (Date.now() - this.#since);
        if (this.#holds === 0 || left <= 0) break;
        await Promise.race([this.#whenIdle(), scheduler.wait(left)]);
      }
      // Batch after batch, each in slices, until nothing is queued (frames pushed meanwhile join the next batch).
      while (this.#pending.length > 0) {
        this.#sending = { frames: this.#pending, sockets: this.sockets(), next: 0 };
        this.#pending = [];
        while (this.#sendSlice(this.sendsPerSlice)) await scheduler.wait(0);
      }
    } finally {
      this.#scheduled = false;
      this.flush();
    }
  }

  /** Sends the batch in progress to its next sockets, about `sends` sends; answers whether sockets are left. */
  #sendSlice(sends: number): boolean {
    const batch = this.#sending;
    if (!batch) return false;
    const count = Math.max(1, Math.floor(sends / batch.frames.length));
    const slice = batch.sockets.slice(batch.next, batch.next + count);
    batch.next += slice.length;
    for (const json of batch.frames) broadcast(slice, json);
    if (batch.next < batch.sockets.length) return true;
    this.#sending = null;
    return false;
  }

  #whenIdle(): Promise<void> {
    if (!this.#idle) {
      let resolve = () => {};
      const promise = new Promise<void>((r) => (resolve = r));
      this.#idle = { promise, resolve };
    }
    return this.#idle.promise;
  }

  /** Sends every queued frame now, in seq order: first the rest of a batch in progress, then what is queued. */
  flush(): void {
    this.#sendSlice(Infinity);
    if (this.#pending.length === 0) return;
    const frames = this.#pending;
    this.#pending = [];
    const sockets = this.sockets();
    for (const json of frames) broadcast(sockets, json);
  }
}
