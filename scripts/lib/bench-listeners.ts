/**
 * The bench's live sockets, spread over child processes (scripts/lib/bench-listener-process.ts).
 *
 * At 10,000 sockets one Node process spends ~100 ms of its only thread reading one frame from
 * every socket, and that delay would be counted as the room's; each child has its own event loop
 * (and descriptor table), reports its loop delay, and stamps arrivals in wall-clock milliseconds
 * (performance.timeOrigin + now) so the parent can compare them with the time it sent a webhook.
 */
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import * as z from "zod";

const Counts = z.record(z.string(), z.number());

/** Parent → child. */
export const ToListener = z.discriminatedUnion("type", [
  z.object({ type: z.literal("open"), id: z.number(), url: z.string(), cookie: z.string(), origin: z.string(), count: z.number(), concurrency: z.number(), deflate: z.boolean() }),
  /** Answers once every open socket heard change `seq` (or `timeoutMs` passed). */
  z.object({ type: z.literal("await"), id: z.number(), seq: z.number(), timeoutMs: z.number() }),
  z.object({ type: z.literal("status"), id: z.number(), resetLoop: z.boolean() }),
  z.object({ type: z.literal("terminate"), id: z.number() }),
]);
export type ToListener = z.infer<typeof ToListener>;

export const LoopDelay = z.object({ p50: z.number(), p99: z.number(), max: z.number() });
export type LoopDelay = z.infer<typeof LoopDelay>;

/** Child → parent: one answer per request, by id. */
export const FromListener = z.discriminatedUnion("type", [
  /** When each socket heard its hello (wall-clock ms), and why the others never did. */
  z.object({ type: z.literal("opened"), id: z.number(), hellos: z.array(z.number()), failed: Counts }),
  z.object({ type: z.literal("arrivals"), id: z.number(), times: z.array(z.number()), missing: z.number() }),
  /** Sockets still open, those the server closed (by "code reason") or that errored after their hello; loop delay (ms) since the last reset. */
  z.object({ type: z.literal("status"), id: z.number(), open: z.number(), seq: z.number(), closed: Counts, errors: Counts, loop: LoopDelay }),
  z.object({ type: z.literal("terminated"), id: z.number() }),
]);
export type FromListener = z.infer<typeof FromListener>;

type Reply<T extends FromListener["type"]> = Extract<FromListener, { type: T }>;
type Request = ToListener extends infer M ? (M extends { id: number } ? Omit<M, "id"> : never) : never;

export class ListenerPool {
  #next = 0;
  readonly #waiting = new Map<number, (reply: FromListener) => void>();

  private constructor(readonly children: ChildProcess[]) {
    for (const child of children) {
      child.on("message", (raw) => {
        const reply = FromListener.parse(raw);
        this.#waiting.get(reply.id)?.(reply);
        this.#waiting.delete(reply.id);
      });
    }
  }

  /** Starts `processes` listener processes (they inherit this process's loader and limits). */
  static start(processes: number): ListenerPool {
    const entry = join(import.meta.dirname, "bench-listener-process.ts");
    return new ListenerPool(Array.from({ length: processes }, () => fork(entry, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] })));
  }

  get pids(): number[] {
    return this.children.flatMap((c) => (c.pid === undefined ? [] : [c.pid]));
  }

  ask<T extends FromListener["type"]>(child: number, request: Request, expect: T): Promise<Reply<T>> {
    const id = this.#next++;
    const target = this.children[child];
    if (!target) throw new Error(`no listener process ${child}`);
    return new Promise((resolve, reject) => {
      const exited = () => reject(new Error(`listener process ${target.pid} exited`));
      target.once("exit", exited);
      this.#waiting.set(id, (reply) => {
        target.off("exit", exited);
        if (reply.type === expect) resolve(reply as Reply<T>);
        else reject(new Error(`listener answered ${reply.type}, expected ${expect}`));
      });
      target.send({ ...request, id } satisfies ToListener);
    });
  }

  /** The same request to every child, in parallel. */
  all<T extends FromListener["type"]>(request: Request | ((child: number) => Request), expect: T): Promise<Array<Reply<T>>> {
    return Promise.all(this.children.map((_, i) => this.ask(i, typeof request === "function" ? request(i) : request, expect)));
  }

  stop(): void {
    for (const child of this.children) child.kill();
  }
}
