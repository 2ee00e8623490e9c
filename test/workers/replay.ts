import { expect } from "vitest";
import { StackEvent, type Bucket, type ProjectRecord, type ProjectView } from "../../core/contract";
import { stackName } from "../../core/naming";
import { api, deliver, eventually, login, registerProject } from "./harness";

function shuffledWithDuplicates<T>(items: T[], seed: number): T[] {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const out = [...items, ...items.filter(() => random() < 0.4)];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Rewrites a recorded event onto this test's project, stack and operation id. */
export function retarget(event: StackEvent, project: ProjectRecord, stack: string, recordedStack: string, operationId: string): StackEvent {
  const swap = (s: string) => s.split(recordedStack).join(stack).replace(/:\d{12}:/g, `:${project.accountId}:`);
  return {
    ...event,
    stackId: swap(event.stackId),
    stackName: stack,
    logicalResourceId: event.logicalResourceId === recordedStack ? stack : event.logicalResourceId,
    physicalResourceId: event.physicalResourceId ? swap(event.physicalResourceId) : undefined,
    clientRequestToken: operationId,
    namespace: project.accountId,
    eventId: `${stack}-${event.eventId}`,
  };
}

/** Replays a recorded sequence through the API and the signed webhook; each operation in the recording is started by the matching API call. */
export async function replay(recording: unknown, seed: number): Promise<{ bucket: Bucket | undefined; project: ProjectRecord; cookie: string }> {
  const events = StackEvent.array().parse(recording);
  const recordedStack = events[0]?.stackName ?? "";
  const project = await registerProject();
  const cookie = await login("owner@example.com");
  const stack = stackName(project.id, "bucket", "replayed");
  const tokens = [...new Set(events.map((e) => e.clientRequestToken))];
  for (const token of tokens) {
    const group = events.filter((e) => e.clientRequestToken === token);
    const first = group.find((e) => e.logicalResourceId === recordedStack)?.resourceStatus ?? "";
    const path = `/api/projects/${project.id}/buckets`;
    const res = first.startsWith("CREATE")
      ? await api(cookie, path, { method: "POST", body: JSON.stringify({ name: "replayed" }) })
      : first.startsWith("UPDATE")
        ? await api(cookie, `${path}/replayed`, { method: "PATCH", body: JSON.stringify({ versioning: false }) })
        : await api(cookie, `${path}/replayed`, { method: "DELETE" });
    expect(res.status).toBe(202);
    const { operationId } = await res.json<{ operationId: string }>();
    const batch = shuffledWithDuplicates(group.map((e) => retarget(e, project, stack, recordedStack, operationId)), seed);
    expect((await deliver(batch)).status).toBe(202);
  }
  // The KV snapshot trails the room by up to a second: wait for the room's latest seq to reach it.
  const latest = (await (await api(cookie, `/api/projects/${project.id}/activity?limit=1`)).json<{ entries: Array<{ seq: number }> }>()).entries[0]?.seq ?? 0;
  const view = await eventually(
    async () => (await api(cookie, `/api/projects/${project.id}`)).json<ProjectView>(),
    (v) => v.seq >= latest && !v.buckets.some((b) => b.lock),
  );
  return { bucket: view.buckets.find((b) => b.name === "replayed"), project, cookie };
}

