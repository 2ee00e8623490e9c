/**
 * The file-activity part of `npm run bench`: a 10,000-event burst of S3 object events into one
 * bucket, in batches of 500 signed like the bridge's (a fifth of each batch repeats the previous
 * one's events: dedupe is part of it), timed; then how many activity lines the burst made.
 */
import { performance } from "node:perf_hooks";
import { randomUUID } from "node:crypto";
import * as z from "zod";
import { ActivityPage, type ObjectEvent } from "../../core/contract";
import { physicalBucketName } from "../../core/naming";
import { sendSigned, type LiveTarget } from "./bench-live";

const Ingested = z.object({ accepted: z.number(), duplicates: z.number(), ignored: z.number() });

export interface FileBurstResults {
  eventsPerSecond: number;
  accepted: number;
  duplicates: number;
  batches: number;
  lines: number;
}

/** `events` new object events (plus repeats) into `bucket`, then the bucket's upload lines in the activity. */
export async function measureFileBurst(target: Pick<LiveTarget, "apiUrl" | "cookie" | "project" | "webhookRoot">, bucket: string, events = 10_000, batchSize = 500): Promise<FileBurstResults> {
  const { project } = target;
  const physical = physicalBucketName(project.id, project.accountId, project.region, bucket);
  // Times in the recent past, 20 ms apart: one burst by one (outside) writer.
  const start = Date.now() - events * 20 - 60_000;
  const fresh = Math.round(batchSize * 0.8);
  let made = 0;
  const event = (): ObjectEvent => {
    const n = made++;
    return { eventId: randomUUID(), bucket: physical, key: `incoming/${n}.bin`, event: "created", size: 100_000, principalId: "", at: new Date(start + n * 20).toISOString(), account: project.accountId };
  };
  let previous: ObjectEvent[] = [];
  let accepted = 0;
  let duplicates = 0;
  let batches = 0;
  const t0 = performance.now();
  while (made < events) {
    const next = Array.from({ length: Math.min(fresh, events - made) }, event);
    const answer = await sendSigned(target, "objects", { objectEvents: [...next, ...previous.slice(0, batchSize - next.length)] });
    if (answer.status !== 202) throw new Error(`object batch answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    const counts = Ingested.parse(answer.body);
    accepted += counts.accepted;
    duplicates += counts.duplicates;
    previous = next;
    batches++;
  }
  const seconds = (performance.now() - t0) / 1000;
  const page = ActivityPage.parse(await (await fetch(`${target.apiUrl}/api/projects/${project.id}/activity?resource=bucket:${bucket}&limit=200`, { headers: { cookie: target.cookie } })).json());
  const lines = page.entries.filter((e) => e.message.includes(" uploaded ")).length;
  return { eventsPerSecond: (accepted + duplicates) / seconds, accepted, duplicates, batches, lines };
}

/**
 * The same writer's events one per POST, `concurrency` at a time: what the Worker sees when each S3
 * event reaches the bridge as its own SNS message and each Lambda invocation forwards one (the
 * bridge batches only what one invocation holds). Answers events per second.
 */
export async function measureSingleEventPosts(target: Pick<LiveTarget, "apiUrl" | "project" | "webhookRoot">, bucket: string, events = 1_000, concurrency = 16): Promise<number> {
  const { project } = target;
  const physical = physicalBucketName(project.id, project.accountId, project.region, bucket);
  const start = Date.now() - events * 20 - 60_000;
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < events) {
      const n = next++;
      const event: ObjectEvent = { eventId: randomUUID(), bucket: physical, key: `single/${n}.bin`, event: "created", size: 1_000, principalId: "", at: new Date(start + n * 20).toISOString(), account: project.accountId };
      const answer = await sendSigned(target, "objects", { objectEvents: [event] });
      if (answer.status !== 202) throw new Error(`single object event answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return events / ((performance.now() - t0) / 1000);
}

