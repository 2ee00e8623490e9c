/**
 * The healing part of `npm run bench`: `count` bucket stacks made straight in CloudFormation (moto)
 * with the real bucket template, then heals through the ops resync, which answers the room's own
 * count of its CloudFormation calls: the first heal (every stack new), a heal with nothing
 * changed (goal: the DescribeStacks pages only), and one after `changes` stacks were updated
 * outside Stackroom (goal: exactly that many GetTemplate).
 */
import { performance } from "node:perf_hooks";
import * as z from "zod";
import type { CloudFormationClient } from "../../core/aws";
import { bucketStackInput } from "../../core/bucket-template";
import { mapBounded } from "../../core/bounded";
import type { BucketSpec, ProjectRecord } from "../../core/contract";
import { clientStackInput } from "../../core/stack-input";
import { TEMPLATE_READS_PER_HEAL } from "../../durable-objects/heal";

const HealAnswer = z.object({
  changed: z.number(),
  calls: z.object({ describeStacksPages: z.number(), getTemplate: z.number(), reused: z.number(), deferred: z.number().optional() }),
});
export type HealAnswer = z.infer<typeof HealAnswer>;

export interface HealTarget {
  apiUrl: string;
  opsToken: string;
  project: ProjectRecord;
  cloudformation: CloudFormationClient;
}

export interface HealResults {
  stacks: number;
  seedSeconds: number;
  first: HealAnswer & { ms: number; passes: number; largestPass: number };
  unchanged: HealAnswer & { ms: number };
  afterChanges: HealAnswer & { ms: number };
  changes: number;
}

const resync = (apiUrl: string, opsToken: string, projectId: string) =>
  fetch(`${apiUrl}/api/ops/projects/${projectId}/resync`, { method: "POST", headers: { authorization: `Bearer ${opsToken}`, "content-type": "application/json" }, body: "{}" });

/** One heal of the project through the ops resync, timed. */
export async function healOnce(apiUrl: string, opsToken: string, projectId: string): Promise<HealAnswer & { ms: number }> {
  let t0 = performance.now();
  let res = await resync(apiUrl, opsToken, projectId);
  // wrangler dev restarts the Worker when a source file changes (others work in the same tree):
  // a heal is safe to run again, and the time then counts from the restart.
  for (let restarts = 0; res.status === 503 && restarts < 3; restarts++) {
    const text = await res.text();
    if (!text.includes("restarted mid-request")) throw new Error(`resync failed: 503 ${text}`);
    console.log("the Worker restarted during the heal (a source file changed); healing again");
    t0 = performance.now();
    res = await resync(apiUrl, opsToken, projectId);
  }
  if (res.status !== 200) throw new Error(`resync failed: ${res.status} ${await res.text()}`);
  const answer = HealAnswer.parse(await res.json());
  return { ...answer, ms: performance.now() - t0 };
}

/** A first heal of many new stacks, in as many heals as its template budget takes (until none is left): summed, with the count of heals. */
export async function healUntilDone(apiUrl: string, opsToken: string, projectId: string): Promise<HealAnswer & { ms: number; passes: number; largestPass: number }> {
  const total = { changed: 0, calls: { describeStacksPages: 0, getTemplate: 0, reused: 0 }, ms: 0, passes: 0, largestPass: 0 };
  for (;;) {
    const pass = await healOnce(apiUrl, opsToken, projectId);
    total.passes++;
    total.changed += pass.changed;
    total.ms += pass.ms;
    total.calls.describeStacksPages += pass.calls.describeStacksPages;
    total.calls.getTemplate += pass.calls.getTemplate;
    total.largestPass = Math.max(total.largestPass, pass.calls.describeStacksPages + pass.calls.getTemplate);
    console.log(`heal ${total.passes}: ${pass.calls.getTemplate} GetTemplate, ${pass.calls.deferred ?? 0} left, ${pass.changed} changed, ${(pass.ms / 1000).toFixed(1)} s`);
    // Reused by a later pass are the ones an earlier pass read: the first pass's count is the true one.
    if (total.passes === 1) total.calls.reused = pass.calls.reused;
    if (!pass.calls.deferred) return total;
    if (total.passes >= 20) throw new Error(`after 20 heals ${pass.calls.deferred} stacks are still left to the next`);
  }
}

export async function measureHeal(target: HealTarget, count: number, changes = 10): Promise<HealResults> {
  const { project, cloudformation } = target;
  const spec: BucketSpec = { versioning: true, encryption: "s3", expireAfterDays: 30 };
  const names = Array.from({ length: count }, (_, i) => `heal-${String(i).padStart(4, "0")}`);
  const t0 = performance.now();
  await mapBounded(names, 8, (name) => cloudformation.createStack(clientStackInput(bucketStackInput(project, name, spec))));
  const seedSeconds = (performance.now() - t0) / 1000;
  console.log(`seeded ${count} bucket stacks in moto in ${seedSeconds.toFixed(1)} s`);
  const heal = () => healOnce(target.apiUrl, target.opsToken, project.id);
  const first = await healUntilDone(target.apiUrl, target.opsToken, project.id);
  const unchanged = await heal();
  const changed: BucketSpec = { ...spec, expireAfterDays: 7 };
  for (const name of names.slice(0, changes)) await cloudformation.updateStack(clientStackInput(bucketStackInput(project, name, changed)));
  const afterChanges = await heal();
  return { stacks: count, seedSeconds, first, unchanged, afterChanges, changes };
}

/** The report's lines, each goal with met / NOT met. */
export function healReport(r: HealResults, verdict: (met: boolean) => string, note = ""): string {
  const line = (h: HealAnswer & { ms: number }) => `${h.calls.describeStacksPages} DescribeStacks ${h.calls.describeStacksPages === 1 ? "page" : "pages"}, ${h.calls.getTemplate} GetTemplate (${h.calls.reused} specs reused${h.calls.deferred ? `, ${h.calls.deferred} left to the next heal` : ""}), ${h.changed} changed, ${(h.ms / 1000).toFixed(2)} s`;
  const unchangedMet = r.unchanged.calls.getTemplate === 0;
  const changedMet = r.afterChanges.calls.getTemplate === r.changes;
  return `Healing — ${r.stacks} bucket stacks made in CloudFormation (moto) outside Stackroom (seeded in ${r.seedSeconds.toFixed(0)} s)${note}, healed through the ops resync
first heal (every stack new):   ${line(r.first)}${r.first.passes > 1 ? ` in ${r.first.passes} heals (at most ${TEMPLATE_READS_PER_HEAL} GetTemplate each)` : ""}
unchanged heal:                 ${line(r.unchanged)} — goal: the list pages only — ${verdict(unchangedMet)}
after ${r.changes} stacks updated:       ${line(r.afterChanges)} — goal: ${r.changes} GetTemplate — ${verdict(changedMet)}`;
}
