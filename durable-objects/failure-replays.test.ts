// Proves recorded CloudFormation sequences (success, rollback, failures), replayed through the real signed webhook — shuffled and with duplicates — end in the right state, reason and released lock.
import { describe, expect, it } from "vitest";
import { StackEvent, type Bucket, type ProjectRecord, type ProjectView } from "../worker/domain/contract";
import { stackName } from "../worker/domain/naming";
import { api, deliver, eventually, login, registerProject } from "../test/workers/harness";
import createSuccess from "../worker/domain/fixtures/create-success.json";
import updateSuccess from "../worker/domain/fixtures/update-success.json";
import deleteSuccess from "../worker/domain/fixtures/delete-success.json";
import createFailed from "../worker/domain/fixtures/create-failed-bucket-exists.json";
import updateRollback from "../worker/domain/fixtures/update-rollback-complete.json";
import updateRollbackFailed from "../worker/domain/fixtures/update-rollback-failed.json";
import deleteFailed from "../worker/domain/fixtures/delete-failed-not-empty.json";

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
function retarget(event: StackEvent, project: ProjectRecord, stack: string, recordedStack: string, operationId: string): StackEvent {
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

async function replay(recording: unknown, seed: number): Promise<{ bucket: Bucket | undefined; project: ProjectRecord }> {
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
  const view = await eventually(
    async () => (await api(cookie, `/api/projects/${project.id}`)).json<ProjectView>(),
    (v) => !v.buckets.some((b) => b.lock),
  );
  return { bucket: view.buckets.find((b) => b.name === "replayed"), project };
}

describe.each([1, 7, 42])("recorded sequences, shuffle seed %i", (seed) => {
  it("create success → ready", async () => {
    const { bucket } = await replay(createSuccess, seed);
    expect(bucket).toMatchObject({ status: "ready", spec: { versioning: true } });
  });

  it("update success → ready with the new settings", async () => {
    const { bucket } = await replay(updateSuccess, seed);
    expect(bucket).toMatchObject({ status: "ready", spec: { versioning: false } });
  });

  it("delete success → gone", async () => {
    const { bucket } = await replay(deleteSuccess, seed);
    expect(bucket).toBeUndefined();
  });

  it("create failure with rollback → failed, with the S3 reason in a manager's words", async () => {
    const { bucket } = await replay(createFailed, seed);
    expect(bucket?.status).toBe("failed");
    expect(bucket?.statusReason).toMatch(/taken/i);
  });

  it("update rollback → failed, previous settings kept", async () => {
    const { bucket } = await replay(updateRollback, seed);
    expect(bucket?.status).toBe("failed");
    expect(bucket?.spec.versioning).toBe(true);
    expect(bucket?.statusReason).toMatch(/previous settings/i);
  });

  it("UPDATE_ROLLBACK_FAILED → failed, says an operator must continue the rollback", async () => {
    const { bucket } = await replay(updateRollbackFailed, seed);
    expect(bucket?.status).toBe("failed");
    expect(bucket?.statusReason).toMatch(/ContinueUpdateRollback|continue/i);
  });

  it("DELETE_FAILED → failed, says the bucket still holds objects", async () => {
    const { bucket } = await replay(deleteFailed, seed);
    expect(bucket?.status).toBe("failed");
    expect(bucket?.statusReason).toMatch(/objects/i);
  });
});
