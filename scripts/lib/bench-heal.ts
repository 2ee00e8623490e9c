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
import { bucketStackTags, bucketTemplate } from "../../core/bucket-template";
import { mapBounded } from "../../core/bounded";
import type { BucketSpec, ProjectRecord } from "../../core/contract";
import { physicalBucketName, stackName } from "../../core/naming";

const HealAnswer = z.object({
  changed: z.number(),
  calls: z.object({ describeStacksPages: z.number(), getTemplate: z.number(), reused: z.number() }),
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
  first: HealAnswer & { ms: number };
  unchanged: HealAnswer & { ms: number };
  afterChanges: HealAnswer & { ms: number };
  changes: number;
}

/** One heal of the project through the ops resync, timed. */
async function heal(target: HealTarget): Promise<HealAnswer & { ms: number }> {
  const t0 = performance.now();
  const res = await fetch(`${target.apiUrl}/api/ops/projects/${target.project.id}/resync`, { method: "POST", headers: { authorization: `Bearer ${target.opsToken}`, "content-type": "application/json" }, body: "{}" });
  if (res.status !== 200) throw new Error(`resync failed: ${res.status} ${await res.text()}`);
  const answer = HealAnswer.parse(await res.json());
  return { ...answer, ms: performance.now() - t0 };
}

/** The bucket stack as Stackroom writes it (template and tags), for CreateStack or UpdateStack. */
function bucketStackInput(project: ProjectRecord, name: string, spec: BucketSpec) {
  const physicalName = physicalBucketName(project.id, project.accountId, project.region, name);
  return {
    stackName: stackName(project.id, "bucket", name),
    templateBody: bucketTemplate({ projectId: project.id, name, physicalName, spec, eventsTopicArn: project.topicArn }),
    tags: Object.fromEntries(bucketStackTags({ projectId: project.id, name, spec }).map((t) => [t.Key, t.Value])),
  };
}

export async function measureHeal(target: HealTarget, count: number, changes = 10): Promise<HealResults> {
  const { project, cloudformation } = target;
  const spec: BucketSpec = { versioning: true, encryption: "s3", expireAfterDays: 30 };
  const names = Array.from({ length: count }, (_, i) => `heal-${String(i).padStart(4, "0")}`);
  const t0 = performance.now();
  await mapBounded(names, 8, (name) => cloudformation.createStack(bucketStackInput(project, name, spec)));
  const seedSeconds = (performance.now() - t0) / 1000;
  console.log(`seeded ${count} bucket stacks in moto in ${seedSeconds.toFixed(1)} s`);
  const first = await heal(target);
  const unchanged = await heal(target);
  const changed: BucketSpec = { ...spec, expireAfterDays: 7 };
  for (const name of names.slice(0, changes)) await cloudformation.updateStack(bucketStackInput(project, name, changed));
  const afterChanges = await heal(target);
  return { stacks: count, seedSeconds, first, unchanged, afterChanges, changes };
}

/** The report's lines, each goal with met / NOT met. */
export function healReport(r: HealResults, verdict: (met: boolean) => string, note = ""): string {
  const line = (h: HealAnswer & { ms: number }) => `${h.calls.describeStacksPages} DescribeStacks ${h.calls.describeStacksPages === 1 ? "page" : "pages"}, ${h.calls.getTemplate} GetTemplate (${h.calls.reused} specs reused), ${h.changed} changed, ${(h.ms / 1000).toFixed(2)} s`;
  const unchangedMet = r.unchanged.calls.getTemplate === 0;
  const changedMet = r.afterChanges.calls.getTemplate === r.changes;
  return `Healing — ${r.stacks} bucket stacks made in CloudFormation (moto) outside Stackroom (seeded in ${r.seedSeconds.toFixed(0)} s)${note}, healed through the ops resync
first heal (every stack new):   ${line(r.first)}
unchanged heal:                 ${line(r.unchanged)} — goal: the list pages only — ${verdict(unchangedMet)}
after ${r.changes} stacks updated:       ${line(r.afterChanges)} — goal: ${r.changes} GetTemplate — ${verdict(changedMet)}`;
}
