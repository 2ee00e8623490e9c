// Proves the room's pure decisions on plain inputs, table by table, without a runtime: folding a stack state into a resource (locks, rollbacks, late events), healing from CloudFormation's description, planning bucket and user changes (every refusal and what a change locks), and merging a run of queued updates.
import { describe, expect, it } from "vitest";
import { demoProject } from "../test/fixtures/demo-project";
import type { Bucket, BucketSpec, QueuedEdit, User, UserSpec } from "../core/contract";
import type { StackState } from "../core/stack-status";
import { RoomError } from "./room-error";
import { applyStackState } from "./apply-stack-state";
import { healResources } from "./heal";
import { roomErrorFromAws } from "./kinds/kit";
import { AwsError } from "../core/aws/errors";
import { bucketKind, planBucketChange, type StoredBucket } from "./kinds/bucket";
import { planUserChange, type StoredUser } from "./kinds/user";
import { nextRun, type QueueEntry } from "./edit-queue";

const NOW = "2026-11-30T12:00:00.000Z";
const project = demoProject;
const spec: BucketSpec = { versioning: true, encryption: "s3", expireAfterDays: null };
const bucket = (over: Partial<Bucket> = {}): Bucket => ({ name: "logs", physicalName: "logs-0000abcd", spec, status: "ready", updatedAt: NOW, ...over });
const stored = (over: Partial<Bucket> = {}, rest: Partial<StoredBucket> = {}): StoredBucket => ({ resource: bucket(over), appliedSpec: spec, ...rest });
const lock = (action: "create" | "update" | "delete", operationId = "op-1") => ({ by: "alice@example.com", since: NOW, operationId, action });
const state = (stackStatus: string, over: Partial<StackState> = {}): StackState => ({
  stackStatus,
  status: stackStatus.endsWith("_IN_PROGRESS") ? "updating" : stackStatus === "UPDATE_COMPLETE" || stackStatus === "CREATE_COMPLETE" ? "ready" : stackStatus === "DELETE_COMPLETE" ? "deleted" : "failed",
  terminal: !stackStatus.endsWith("_IN_PROGRESS"),
  at: "2026-11-30T12:00:05.000Z",
  ...over,
});
const userSpec = (over: Partial<UserSpec> = {}): UserSpec => ({ description: null, permissions: [], expiresAt: null, ...over });
const user = (over: Partial<User> = {}): User => ({ name: "partner", path: "/stackroom/demo/", spec: userSpec(), status: "ready", keys: [], updatedAt: NOW, ...over });
const refusal = (run: () => unknown): { code: string; message: string } => {
  try {
    run();
  } catch (err) {
    if (err instanceof RoomError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error("expected a refusal");
};

describe("applyStackState", () => {
  const cases: Array<{ label: string; before: StoredBucket; state: StackState; expect: Partial<Bucket> | null; lockReleased?: boolean; spec?: BucketSpec }> = [
    { label: "its operation's terminal event releases the lock", before: stored({ status: "updating", lock: lock("update") }), state: state("UPDATE_COMPLETE", { operationToken: "op-1" }), expect: { status: "ready" }, lockReleased: true },
    { label: "an event of another operation (token) changes nothing", before: stored({ status: "updating", lock: lock("update") }), state: state("UPDATE_COMPLETE", { operationToken: "op-0" }), expect: null },
    { label: "without a token, a status of another family changes nothing", before: stored({ status: "deleting", lock: lock("delete") }), state: state("UPDATE_COMPLETE"), expect: null },
    { label: "without a token, an event from before the lock changes nothing", before: stored({ status: "updating", lock: lock("update") }), state: state("UPDATE_COMPLETE", { at: "2026-11-30T11:50:00.000Z" }), expect: null },
    {
      label: "progress (a rollback starting, with its reason) keeps the lock",
      before: stored({ status: "updating", lock: lock("update") }),
      state: state("UPDATE_ROLLBACK_IN_PROGRESS", { operationToken: "op-1", reason: "The update failed: Access Denied." }),
      expect: { status: "updating", statusReason: "The update failed: Access Denied." },
      lockReleased: false,
    },
    { label: "the same status is no change", before: stored(), state: state("UPDATE_COMPLETE"), expect: null },
    {
      label: "a rolled-back update restores the applied spec",
      before: stored({ status: "updating", lock: lock("update"), spec: { ...spec, versioning: false } }),
      state: state("UPDATE_ROLLBACK_COMPLETE", { operationToken: "op-1", reason: "The update failed" }),
      expect: { status: "failed", statusReason: "The update failed" },
      lockReleased: true,
      spec,
    },
  ];
  it.each(cases)("$label", (c) => {
    const applied = applyStackState("bucket", c.before, c.state);
    if (c.expect === null) return expect(applied).toBeNull();
    expect(applied?.next.resource).toMatchObject(c.expect);
    if (c.lockReleased !== undefined) expect(applied?.next.resource.lock === undefined).toBe(c.lockReleased);
    if (c.spec) expect(applied?.next.resource.spec).toEqual(c.spec);
  });

  it("remembers what a rolled-back update tried (offered as retry) and what was applied", () => {
    const wanted = { ...spec, versioning: false };
    const failed = applyStackState("bucket", stored({ status: "updating", lock: lock("update"), spec: wanted }), state("UPDATE_ROLLBACK_COMPLETE", { operationToken: "op-1" }));
    expect(failed?.next).toMatchObject({ failedSpec: wanted, appliedSpec: spec, stackStatus: "UPDATE_ROLLBACK_COMPLETE" });
    const done = applyStackState("bucket", stored({ status: "updating", lock: lock("update"), spec: wanted }), state("UPDATE_COMPLETE", { operationToken: "op-1" }));
    expect(done?.next).toMatchObject({ appliedSpec: wanted });
    expect(done?.next.failedSpec).toBeUndefined();
  });
});

describe("healResources", () => {
  const later = "2026-11-30T12:01:00.000Z";
  it.each([
    { label: "adopts a stack the room never heard of", current: [], stacks: [{ name: "found", spec, stackStatus: "CREATE_COMPLETE", outputs: {} }], steps: [{ name: "found", remove: false, message: /Found bucket found/ }] },
    { label: "releases a lock whose events were lost, ending its operation", current: [stored({ status: "updating", lock: lock("update") })], stacks: [{ name: "logs", spec, stackStatus: "UPDATE_COMPLETE", outputs: {} }], steps: [{ name: "logs", remove: false, message: /^Bucket logs was updated \(found by a refresh from CloudFormation, UPDATE_COMPLETE/, step: "succeeded" }] },
    { label: "ends a rolled-back update as failed", current: [stored({ status: "updating", lock: lock("update") })], stacks: [{ name: "logs", spec, stackStatus: "UPDATE_ROLLBACK_COMPLETE", outputs: {} }], steps: [{ name: "logs", remove: false, message: /found by a refresh/, step: "failed" }] },
    { label: "takes a spec changed outside Stackroom", current: [stored()], stacks: [{ name: "logs", spec: { ...spec, expireAfterDays: 30 }, stackStatus: "UPDATE_COMPLETE", outputs: {} }], steps: [{ name: "logs", remove: false, message: /changed outside Stackroom/ }] },
    { label: "removes a resource whose stack is gone", current: [stored()], stacks: [], steps: [{ name: "logs", remove: true, message: /no longer exists/ }] },
    { label: "ends a delete whose completion was lost as done", current: [stored({ status: "deleting", lock: lock("delete") })], stacks: [], steps: [{ name: "logs", remove: true, message: /no longer exists/, step: "succeeded" }] },
    { label: "ends an update whose stack is gone as failed", current: [stored({ status: "updating", lock: lock("update") })], stacks: [], steps: [{ name: "logs", remove: true, message: /no longer exists/, step: "failed" }] },
    { label: "leaves a create that is still starting", current: [stored({ status: "creating", lock: lock("create") })], stacks: [], steps: [] },
    { label: "leaves what agrees alone", current: [stored()], stacks: [{ name: "logs", spec, stackStatus: "UPDATE_COMPLETE", outputs: {} }], steps: [] },
  ])("$label", ({ current, stacks, steps }) => {
    const got = healResources(bucketKind, project, current, stacks, later);
    expect(got.map((s) => ({ name: s.stored.resource.name, remove: s.remove }))).toEqual(steps.map((s) => ({ name: s.name, remove: s.remove })));
    got.forEach((s, i) => {
      const want = steps[i];
      expect(s.activity.message).toMatch(want?.message ?? /./);
      // The operation the heal ends is told by its id, with who asked for it: the managers' line for it closes.
      expect(s.activity.operation).toEqual(want && "step" in want ? { id: "op-1", action: current[0]?.resource.lock?.action, step: want.step, by: "alice@example.com" } : undefined);
    });
  });
});

describe("planBucketChange", () => {
  const plan = (change: Parameters<typeof planBucketChange>[0]["change"], current: StoredBucket | undefined, users: User[] = []) =>
    planBucketChange({ project, actor: "alice@example.com", change }, current, users, "op-9", NOW);
  const create = { action: "create" as const, body: { name: "logs", versioning: true, encryption: "s3" as const, expireAfterDays: null, queue: true } };

  it.each([
    { label: "a create for a name in use", run: () => plan(create, stored()), code: "conflict", message: /already exists/ },
    { label: "an update of a missing bucket", run: () => plan({ action: "update", name: "logs", body: { versioning: false, queue: true } }, undefined), code: "not_found", message: /No bucket/ },
    { label: "an update that changes nothing", run: () => plan({ action: "update", name: "logs", body: { versioning: true, queue: true } }, stored()), code: "invalid", message: /already has these settings/ },
    { label: "versioning off under a writer", run: () => plan({ action: "update", name: "logs", body: { versioning: false, queue: true } }, stored(), [user({ spec: userSpec({ permissions: [{ bucket: "logs", access: "readwrite" }] }) })]), code: "conflict", message: /partner can write/ },
    { label: "a delete of a granted bucket, unconfirmed", run: () => plan({ action: "delete", name: "logs" }, stored(), [user({ spec: userSpec({ permissions: [{ bucket: "logs", access: "read" }] }) })]), code: "conflict", message: /granted to partner/ },
    { label: "any change while locked", run: () => plan({ action: "delete", name: "logs" }, stored({ lock: lock("update") })), code: "locked", message: /being changed by alice/ },
  ])("refuses $label", ({ run, code, message }) => {
    const r = refusal(run);
    expect(r.code).toBe(code);
    expect(r.message).toMatch(message);
  });

  it("locks what it plans: a create in `creating` with its physical name, an update with the merged spec", () => {
    expect(plan(create, undefined).resource).toMatchObject({ status: "creating", physicalName: expect.stringMatching(/^logs-[0-9a-f]{8}$/), lock: { action: "create", operationId: "op-9" } });
    const updated = plan({ action: "update", name: "logs", body: { expireAfterDays: 7, queue: true } }, stored());
    expect(updated.resource).toMatchObject({ status: "updating", spec: { ...spec, expireAfterDays: 7 }, lock: { action: "update" } });
    expect(updated.appliedSpec).toEqual(spec);
  });
});

describe("planUserChange", () => {
  const buckets = [bucket({ name: "inbox" }), bucket({ name: "scratch", spec: { ...spec, versioning: false } }), bucket({ name: "going", status: "deleting", lock: lock("delete") })];
  const current: StoredUser = { resource: user({ spec: userSpec({ permissions: [{ bucket: "inbox", access: "read" }] }) }), appliedSpec: userSpec({ permissions: [{ bucket: "inbox", access: "read" }] }) };
  const plan = (change: Parameters<typeof planUserChange>[0]["change"], now: StoredUser | undefined = current) => planUserChange({ project, actor: "bob@example.com", change }, now, { buckets, sftp: undefined }, "op-7", NOW);
  const update = (permissions: Array<{ bucket: string; access: "read" | "write" | "readwrite"; prefix?: string }>) => ({ action: "update" as const, name: "partner", body: { permissions, queue: true } });

  it.each([
    { label: "a grant on a missing bucket", run: () => plan(update([{ bucket: "nope", access: "read" }])), code: "conflict", message: /no bucket named “nope”/ },
    { label: "a grant on a bucket being deleted", run: () => plan(update([{ bucket: "going", access: "read" }])), code: "conflict", message: /being deleted/ },
    { label: "a write grant on an unversioned bucket", run: () => plan(update([{ bucket: "scratch", access: "write" }])), code: "invalid", message: /keeps no versions/ },
    { label: "an update that changes nothing", run: () => plan(update([{ bucket: "inbox", access: "read" }])), code: "invalid", message: /already has these settings/ },
    {
      label: "more grants than IAM's inline policy holds",
      run: () => plan(update(Array.from({ length: 20 }, (_, i) => ({ bucket: "inbox", access: "readwrite" as const, prefix: `a-rather-long-folder-name-number-${i}/and/deeper/still/` })))),
      code: "invalid",
      message: /characters of IAM policy/,
    },
  ])("refuses $label", ({ run, code, message }) => {
    const r = refusal(run);
    expect(r.code).toBe(code);
    expect(r.message).toMatch(message);
  });

  it("gives back restored grants onto the spec as it is, skipping what is already there or gone", () => {
    const planned = plan({ action: "update", name: "partner", restore: [{ bucket: "inbox", access: "read" }, { bucket: "scratch", access: "read" }, { bucket: "vanished", access: "read" }] });
    expect(planned.resource.spec.permissions).toEqual([{ bucket: "inbox", access: "read" }, { bucket: "scratch", access: "read" }]);
    expect(planned.resource.lock).toMatchObject({ action: "update", by: "bob@example.com" });
  });
});

describe("nextRun (queue merge)", () => {
  const edit = (operationId: string): QueuedEdit => ({ operationId, by: "bob@example.com", since: NOW, action: "update", summary: "s" });
  const entry = (operationId: string, change: object): QueueEntry => ({ edit: edit(operationId), project, request: { kind: "bucket", change } });
  const upd = (id: string, body: Record<string, unknown>) => entry(id, { action: "update", name: "logs", body: { queue: true, ...body } });

  it.each([
    { label: "nothing queued", rows: [], head: null, merged: [] },
    { label: "a lone delete", rows: [entry("d", { action: "delete", name: "logs" })], head: { action: "delete" }, merged: ["d"] },
    { label: "a run of updates merges, later fields winning", rows: [upd("a", { versioning: false }), upd("b", { expireAfterDays: 9 }), upd("c", { versioning: true })], head: { action: "update", body: { versioning: true, expireAfterDays: 9, queue: true } }, merged: ["a", "b", "c"] },
    { label: "a delete ends the run", rows: [upd("a", { versioning: false }), entry("d", { action: "delete", name: "logs" }), upd("c", { versioning: true })], head: { action: "update", body: { versioning: false } }, merged: ["a"] },
  ])("$label", ({ rows, head, merged }) => {
    const run = nextRun(rows);
    if (head === null) return expect(run).toBeNull();
    expect(run?.head.request.change).toMatchObject(head);
    expect(run?.merged.map((e) => e.edit.operationId)).toEqual(merged);
  });
});

describe("roomErrorFromAws", () => {
  const throttled = () => new AwsError("Throttling", "Rate exceeded", 400);
  it("says nothing changed only when every attempt was refused", () => {
    const refused = roomErrorFromAws(throttled(), "bucket “logs”");
    expect({ code: refused.code, mayHaveRun: refused.mayHaveRun }).toEqual({ code: "rate_limited", mayHaveRun: false });
    expect(refused.message).toMatch(/Nothing was changed/);
  });
  it.each([
    { label: "a 5xx", error: () => new AwsError("InternalFailure", "unknown failure", 500) },
    { label: "a lost answer", error: () => new AwsError("NetworkError", "Could not reach AWS: socket hang up", 0) },
    {
      label: "a throttle after a lost answer",
      error: () => {
        const e = throttled();
        e.mayHaveRun = true; // what withRetry sets when an earlier attempt of the call got no answer
        return e;
      },
    },
  ])("after $label it does not claim nothing changed, and asks for a check", ({ error }) => {
    const unsure = roomErrorFromAws(error(), "bucket “logs”", "delete");
    expect(unsure.mayHaveRun).toBe(true);
    expect(unsure.message).toMatch(/^AWS did not confirm whether it will delete bucket “logs”/);
    expect(unsure.message).not.toMatch(/Nothing was changed/);
  });
});
