import type { ProjectRecord, ResourceKind } from "../core/contract";
import type { OffboardAnswer } from "../core/ops-answers";
import type { RoomResult } from "./room-error";
import type { RoomContext } from "./room-context";
import { kindList } from "./kinds";

/**
 * Offboarding a project's resources, in the order their stacks depend on each other: users first
 * (they hold grants on buckets and SFTP access on the server), then buckets, then the SFTP server,
 * then any kind registered at run time. Each call starts the deletes of the first stage that still
 * has resources standing, through the normal stack path (locks, queue, CloudFormation's own
 * refusals such as a non-empty bucket), and answers what stands; ops call again until nothing does.
 */
const STAGES: readonly (readonly ResourceKind[])[] = [["user"], ["bucket"], ["sftp"]];

function stages(): Array<readonly ResourceKind[]> {
  const others = kindList().map((k) => k.kind).filter((kind) => !STAGES.some((stage) => stage.includes(kind)));
  return others.length ? [...STAGES, others] : [...STAGES];
}

type Standing = { kind: ResourceKind; name: string; status: Extract<OffboardAnswer, { state: "deleting" }>["remaining"][number]["status"]; deleting: boolean };

/** Every resource that still has (or may have) a stack. */
export function standingResources(room: RoomContext): Standing[] {
  return kindList().flatMap(({ kind }) =>
    room.store
      .list(kind)
      .filter((s) => s.resource.status !== "deleted")
      .map((s) => ({ kind, name: s.resource.name, status: s.resource.status, deleting: s.resource.lock?.action === "delete" || room.queue.edits(kind, s.resource.name).some((e) => e.action === "delete") })),
  );
}

export async function deleteNextStage(
  room: RoomContext,
  project: ProjectRecord,
  remove: (kind: ResourceKind, name: string) => Promise<RoomResult<object>>,
): Promise<Extract<OffboardAnswer, { state: "deleting" }>> {
  const remaining = standingResources(room);
  const stage = stages().find((kinds) => remaining.some((r) => kinds.includes(r.kind))) ?? [];
  const started: Array<{ kind: ResourceKind; name: string }> = [];
  const refused: Array<{ kind: ResourceKind; name: string; reason: string }> = [];
  for (const resource of remaining.filter((r) => stage.includes(r.kind) && !r.deleting)) {
    const result = await remove(resource.kind, resource.name);
    if (result.ok) started.push({ kind: resource.kind, name: resource.name });
    else refused.push({ kind: resource.kind, name: resource.name, reason: result.error.message });
  }
  return { state: "deleting", project: project.id, remaining: standingResources(room).map(({ kind, name, status }) => ({ kind, name, status })), started, refused };
}
