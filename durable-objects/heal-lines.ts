import type { ProjectRecord } from "../core/contract";
import { kindFacts } from "../core/kinds";
import { logEvent } from "../core/log";
import type { HealStep, HealWhat } from "./heal";
import type { KindModule, StoredResource } from "./kinds/kind";
import type { RoomContext } from "./room-context";

/** A big heal's lines: one summary per kind for what it found, refreshed or lost, in the words of the single lines it stands for. */

/**
 * Past this many resources of one kind found (or refreshed, or gone) in one heal, the feed gets
 * one line for them instead of one each: a first heal of a big project (600 stacks), or the one
 * after its clean-up, would otherwise drown every other line.
 */
export const HEAL_LINES_PER_KIND = 10;

/** Names a summary line lists before it counts the rest. */
const NAMED_IN_SUMMARY = 3;

/** "a, b, c, … and 597 more" */
function namedFew(names: readonly string[]): string {
  const listed = names.slice(0, NAMED_IN_SUMMARY).join(", ");
  const rest = names.length - NAMED_IN_SUMMARY;
  return rest > 0 ? `${listed}, … and ${rest} more` : listed;
}

/** "CREATE_COMPLETE", or "550 UPDATE_COMPLETE, 50 UPDATE_ROLLBACK_FAILED" by count. */
function statusWords(statuses: ReadonlyMap<string, number>): string {
  const byCount = [...statuses].sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  return byCount.length === 1 ? (byCount[0]?.[0] ?? "") : byCount.map(([s, n]) => `${n} ${s}`).join(", ");
}

/**
 * One heal's summary of a kind, in the words of the single lines it stands for:
 * "Found 600 buckets in CloudFormation (CREATE_COMPLETE): a, b, c, … and 597 more",
 * "Refreshed 40 users from CloudFormation (UPDATE_COMPLETE; 40 with settings changed outside Stackroom): …",
 * "600 buckets no longer exist in CloudFormation: a, b, c, … and 597 more".
 */
function healSummaryWords(what: HealWhat, plural: string, names: readonly string[], statuses: ReadonlyMap<string, number>, drifted = 0): string {
  if (what === "found") return `Found ${names.length} ${plural} in CloudFormation (${statusWords(statuses)}): ${namedFew(names)}`;
  if (what === "gone") return `${names.length} ${plural} no longer exist in CloudFormation: ${namedFew(names)}`;
  const drift = drifted > 0 ? `; ${drifted} with settings changed outside Stackroom` : "";
  return `Refreshed ${names.length} ${plural} from CloudFormation (${statusWords(statuses)}${drift}): ${namedFew(names)}`;
}

/** Folds one told step into its kind's summary line, with the resource as `record` is to store it. */
type FoldedLine = (stored: StoredResource, step: HealStep) => void;

/**
 * The summary lines of one kind for a heal: one for each of found, refreshed and gone that has
 * more than HEAL_LINES_PER_KIND steps (the rest keep a line per resource). Each resource still
 * goes through `record` (stored or forgotten with what the room keeps of it, its kind state
 * settled) and out in a frame of its own, in order: a page, and a client catching up with
 * `since`, gets every one. The frame's line is the summary so far, about the kind (its name is
 * empty), and `replaces` the one before it: live pages drop the older version from their feed,
 * and activity pages leave it out (activity-log.ts), so the feed ends with one true line.
 */
export function foldedLines(room: RoomContext, project: ProjectRecord, module: KindModule, steps: readonly HealStep[]): Map<HealWhat, FoldedLine> {
  const counts = new Map<HealWhat, number>();
  for (const step of steps) if (step.told) counts.set(step.told.what, (counts.get(step.told.what) ?? 0) + 1);
  const plural = kindFacts(module.kind)?.plural ?? `${module.noun}s`;
  const folds = new Map<HealWhat, FoldedLine>();
  for (const [what, count] of counts) {
    if (count <= HEAL_LINES_PER_KIND) continue;
    logEvent("info", "heal_lines_folded", { project: project.id, kind: module.kind, what, count });
    const names: string[] = [];
    const statuses = new Map<string, number>();
    let drifted = 0;
    let failed = false;
    let previous: number | undefined;
    folds.set(what, (stored, step) => {
      names.push(stored.resource.name);
      const stackStatus = step.told?.stackStatus ?? "";
      statuses.set(stackStatus, (statuses.get(stackStatus) ?? 0) + 1);
      if (step.told?.drift) drifted++;
      failed ||= step.activity.tone === "error";
      const line = { actor: "Stackroom", message: healSummaryWords(what, plural, names, statuses, drifted), tone: failed ? ("error" as const) : ("info" as const) };
      previous = room.record(module.kind, stored, line, step.remove, previous === undefined ? {} : { replaces: previous });
    });
  }
  return folds;
}
