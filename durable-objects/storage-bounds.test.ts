// Proves the room's storage stays flat under a long stream of events: 10,000 CloudFormation events over 50 buckets leave as many SQLite rows (events, log, meta) and as large a database after the second 5,000 as after the first, and a deleted resource leaves nothing behind.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ProjectRecord, StackEvent } from "../core/contract";
import { stackName } from "../core/naming";
import { LOG_KEEP } from "./room-store";
import { api, deliver, login, readyBucket, registerProject, stackEvent } from "../test/workers/harness";

const BUCKETS = 50;
/** One event per bucket per batch: every event changes its bucket's state, so each writes a log frame too. */
const BATCH = BUCKETS;

interface Footprint {
  events: number;
  log: number;
  meta: number;
  bytes: number;
}

async function footprint(projectId: string): Promise<Footprint> {
  const stub = env.PROJECT_ROOM.get(env.PROJECT_ROOM.idFromName(projectId));
  return runInDurableObject(stub, (_room, state) => {
    const count = (table: string) => Number(state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).one().n);
    return { events: count("stack_events"), log: count("log"), meta: count("meta"), bytes: state.storage.sql.databaseSize };
  });
}

/** `count` stack-level events cycling UPDATE_IN_PROGRESS / UPDATE_COMPLETE over the buckets, in time order. */
function stream(project: ProjectRecord, from: number, count: number, t0: number): StackEvent[] {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    const bucket = `soak-${String(i % BUCKETS).padStart(2, "0")}`;
    const round = Math.floor(i / BUCKETS);
    return stackEvent(project, stackName(project.id, "bucket", bucket), round % 2 === 0 ? "UPDATE_IN_PROGRESS" : "UPDATE_COMPLETE", {
      timestamp: new Date(t0 + i).toISOString(),
    });
  });
}

describe("bounded storage", () => {
  it("stays flat over 10,000 events on 50 buckets", async () => {
    const project = await registerProject();
    const cookie = await login("owner@example.com");
    for (let b = 0; b < BUCKETS; b++) await readyBucket(cookie, project, `soak-${String(b).padStart(2, "0")}`);
    const stub = env.PROJECT_ROOM.get(env.PROJECT_ROOM.idFromName(project.id));
    // After the buckets' own CREATE_COMPLETE events, 1 ms apart.
    const t0 = Date.now() + 1_000;
    const sent = async (from: number, to: number) => {
      for (let i = from; i < to; i += BATCH) {
        const result = await stub.applyEvents(project, stream(project, i, BATCH, t0));
        expect(result.accepted).toBe(BATCH);
      }
    };
    await sent(0, 5_000);
    const half = await footprint(project.id);
    await sent(5_000, 10_000);
    const full = await footprint(project.id);

    // Per bucket: the running operation's events plus the few kept for late duplicates.
    expect(half.events).toBeLessThanOrEqual(BUCKETS * 15);
    expect(full.events).toBe(half.events);
    expect(full.log).toBe(LOG_KEEP);
    expect(half.log).toBe(LOG_KEEP);
    expect(full.meta).toBe(half.meta);
    // SQLite reuses the pages of deleted rows: the file does not keep growing.
    expect(full.bytes).toBeLessThanOrEqual(half.bytes * 1.05);
  }, 180_000);

  it("forgets a deleted resource's events and meta", async () => {
    const project = await registerProject();
    const cookie = await login("owner@example.com");
    await readyBucket(cookie, project, "passing");
    const before = await footprint(project.id);
    const del = await (await api(cookie, `/api/projects/${project.id}/buckets/passing`, { method: "DELETE" })).json<{ operationId: string }>();
    await deliver([stackEvent(project, stackName(project.id, "bucket", "passing"), "DELETE_COMPLETE", { clientRequestToken: del.operationId })]);
    const after = await footprint(project.id);
    expect(before.events).toBeGreaterThan(0);
    expect(after.events).toBe(0);
    expect(after.meta).toBeLessThan(before.meta + 1);
  });
});
