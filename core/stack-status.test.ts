// Proves recorded CloudFormation event sequences converge to the right resource state and reason, whatever the order and duplication of delivery.
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { StackEvent } from "./contract/stack-event";
import type { ResourceStatus } from "./contract/resource";
import { deriveStackState, explainFailure, forgettableEvents, isTerminalStackStatus, resourceStatusOf } from "./stack-status";
import createFailed from "../test/fixtures/cloudformation/create-failed-bucket-exists.json";
import createSuccess from "../test/fixtures/cloudformation/create-success.json";
import deleteFailed from "../test/fixtures/cloudformation/delete-failed-not-empty.json";
import deleteSuccess from "../test/fixtures/cloudformation/delete-success.json";
import motoCreate from "../test/fixtures/cloudformation/moto-create.json";
import updateRollbackComplete from "../test/fixtures/cloudformation/update-rollback-complete.json";
import updateRollbackFailed from "../test/fixtures/cloudformation/update-rollback-failed.json";
import updateSuccess from "../test/fixtures/cloudformation/update-success.json";

const load = (raw: unknown) => z.array(StackEvent).parse(raw);

/** The mapping of DESIGN.md "Statuses a manager sees", written out independently of the code. */
const EXPECTED_STATUS: Record<string, ResourceStatus> = {
  REVIEW_IN_PROGRESS: "creating", CREATE_IN_PROGRESS: "creating", ROLLBACK_IN_PROGRESS: "creating",
  CREATE_COMPLETE: "ready", CREATE_FAILED: "failed", ROLLBACK_COMPLETE: "failed", ROLLBACK_FAILED: "failed",
  UPDATE_IN_PROGRESS: "updating", UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: "updating", UPDATE_ROLLBACK_IN_PROGRESS: "updating",
  UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: "updating", UPDATE_COMPLETE: "ready", UPDATE_ROLLBACK_COMPLETE: "failed",
  UPDATE_ROLLBACK_FAILED: "failed", DELETE_IN_PROGRESS: "deleting", DELETE_COMPLETE: "deleted", DELETE_FAILED: "failed",
  IMPORT_IN_PROGRESS: "updating", IMPORT_ROLLBACK_IN_PROGRESS: "updating", IMPORT_COMPLETE: "ready",
  IMPORT_ROLLBACK_COMPLETE: "failed", IMPORT_ROLLBACK_FAILED: "failed",
};

interface Recorded { events: StackEvent[]; stackStatus: string; status: ResourceStatus; reason?: string[] }
const recorded: Record<string, Recorded> = {
  "create success": { events: load(createSuccess), stackStatus: "CREATE_COMPLETE", status: "ready" },
  "update success with cleanup": { events: load(updateSuccess), stackStatus: "UPDATE_COMPLETE", status: "ready" },
  "delete success": { events: load(deleteSuccess), stackStatus: "DELETE_COMPLETE", status: "deleted" },
  "moto create (stack-level only, no token)": { events: load(motoCreate), stackStatus: "CREATE_COMPLETE", status: "ready" },
  "create failure, rolled back (bucket name taken)": {
    events: load(createFailed), stackStatus: "ROLLBACK_COMPLETE", status: "failed",
    reason: ["Creating the bucket failed: That bucket name is taken in S3 worldwide", "CloudFormation rolled back, so the bucket was never made: remove it, then create it again.", "uploads-442ed694 already exists"],
  },
  "update rolled back (access denied)": {
    events: load(updateRollbackComplete), stackStatus: "UPDATE_ROLLBACK_COMPLETE", status: "failed",
    reason: ["The update failed: AWS denied the request", "The bucket keeps its previous settings.", "Access Denied (Service: S3, Status Code: 403"],
  },
  "update rollback failed": {
    events: load(updateRollbackFailed), stackStatus: "UPDATE_ROLLBACK_FAILED", status: "failed",
    reason: ["The update failed: AWS denied the request", "Restoring the previous settings failed too: AWS throttled the requests", "Please reduce your request rate", "Continue rollback asks CloudFormation to finish it"],
  },
  "delete failed (bucket not empty)": {
    events: load(deleteFailed), stackStatus: "DELETE_FAILED", status: "failed",
    reason: ["Deleting the bucket failed: The bucket still contains objects (including old versions). Empty it first", "The bucket you tried to delete is not empty"],
  },
};

/** mulberry32: a tiny seeded PRNG so every shuffle is reproducible. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: readonly T[], seed: number): T[] {
  const next = random(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function withDuplicates(items: readonly StackEvent[], seed: number): StackEvent[] {
  const next = random(seed);
  const out = [...items];
  for (let n = 0; n < items.length; n++) out.splice(Math.floor(next() * out.length), 0, structuredClone(items[Math.floor(next() * items.length)]!));
  return out;
}

// Fixture timestamps share one ISO format, so string order is time order (keeps moto's microseconds).
const byTime = (a: StackEvent, b: StackEvent) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0);
const isStackLevel = (e: StackEvent) => e.resourceType === "AWS::CloudFormation::Stack" && e.logicalResourceId === e.stackName;
const SEEDS = [1, 2, 3, 5, 8, 13, 21, 34];

describe.each(Object.entries(recorded))("%s", (_, fixture) => {
  const final = deriveStackState(fixture.events);
  const stackEvents = fixture.events.filter(isStackLevel);
  const last = [...stackEvents].sort(byTime).at(-1)!;

  it("ends in the expected state and reason", () => {
    expect(final).toMatchObject({ stackStatus: fixture.stackStatus, status: fixture.status, terminal: true, at: last.timestamp });
    const token = last.clientRequestToken === "null" ? undefined : last.clientRequestToken;
    expect(final?.operationToken).toBe(token);
    if (fixture.reason) for (const part of fixture.reason) expect(final?.reason).toContain(part);
    else expect(final?.reason).toBeUndefined();
  });

  it.each(SEEDS)("converges when shuffled (seed %i) and with duplicates", (seed) => {
    expect(deriveStackState(shuffle(fixture.events, seed))).toEqual(final);
    expect(deriveStackState(withDuplicates(fixture.events, seed))).toEqual(final);
    expect(deriveStackState(shuffle(withDuplicates(fixture.events, seed), seed + 100))).toEqual(final);
  });

  it("gives the expected intermediate status for every prefix, in any order", () => {
    const chronological = [...fixture.events].sort(byTime);
    for (let k = 1; k <= chronological.length; k++) {
      const prefix = chronological.slice(0, k);
      const lastStack = prefix.filter(isStackLevel).at(-1);
      const state = deriveStackState(prefix);
      expect(deriveStackState(shuffle(prefix, k))).toEqual(state);
      if (!lastStack) {
        expect(state).toBeNull();
        continue;
      }
      expect(state).toMatchObject({
        stackStatus: lastStack.resourceStatus,
        status: EXPECTED_STATUS[lastStack.resourceStatus],
        terminal: !lastStack.resourceStatus.endsWith("_IN_PROGRESS"),
      });
      const explained = state?.status === "failed" || lastStack.resourceStatus.includes("ROLLBACK");
      expect(state?.reason === undefined).toBe(!explained);
    }
  });
});

describe("mid-operation states", () => {
  const upTo = (events: StackEvent[], predicate: (e: StackEvent) => boolean) => {
    const sorted = [...events].sort(byTime);
    return sorted.slice(0, sorted.findIndex(predicate) + 1);
  };

  it("a failed resource before the stack reacts is still creating, without a reason", () => {
    const state = deriveStackState(upTo(load(createFailed), (e) => e.resourceStatus === "CREATE_FAILED"));
    expect(state).toMatchObject({ status: "creating", terminal: false, stackStatus: "CREATE_IN_PROGRESS" });
    expect(state?.reason).toBeUndefined();
  });

  it("rolling back a create is still creating, and already names the cause", () => {
    const state = deriveStackState(upTo(load(createFailed), (e) => e.resourceStatus === "ROLLBACK_IN_PROGRESS"));
    expect(state).toMatchObject({ status: "creating", terminal: false });
    expect(state?.reason).toContain("That bucket name is taken in S3 worldwide");
    expect(state?.reason).toContain("CloudFormation is rolling back.");
  });

  it("rolling back an update is still updating until UPDATE_ROLLBACK_COMPLETE", () => {
    const state = deriveStackState(upTo(load(updateRollbackComplete), (e) => e.resourceStatus === "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"));
    expect(state).toMatchObject({ status: "updating", terminal: false });
    expect(state?.reason).toContain("CloudFormation is restoring the previous settings.");
  });

  it("a failed bucket deletion is still deleting until the stack says DELETE_FAILED", () => {
    const state = deriveStackState(upTo(load(deleteFailed), (e) => e.resourceStatus === "DELETE_FAILED"));
    expect(state).toMatchObject({ status: "deleting", terminal: false });
  });
});

describe("ordering and scoping rules", () => {
  const base = load(createSuccess)[0]!;
  const stackEvent = (status: string, timestamp: string, extra: Partial<StackEvent> = {}): StackEvent => ({
    ...base, eventId: `${status}-${timestamp}`, resourceStatus: status, timestamp, resourceStatusReason: undefined, ...extra,
  });
  const failure = (reason: string, timestamp: string, extra: Partial<StackEvent> = {}): StackEvent => ({
    ...stackEvent("UPDATE_FAILED", timestamp, extra), logicalResourceId: "Bucket", resourceType: "AWS::S3::Bucket", resourceStatusReason: reason, eventId: `Bucket-${timestamp}`,
  });

  it("answers null without stack-level events, and ignores nested stacks", () => {
    expect(deriveStackState([])).toBeNull();
    const nested = stackEvent("DELETE_COMPLETE", "2026-03-02T10:00:00.000Z", { logicalResourceId: "Nested" });
    expect(deriveStackState([nested])).toBeNull();
    expect(deriveStackState([stackEvent("CREATE_COMPLETE", "2026-03-02T09:00:00.000Z"), nested])?.status).toBe("ready");
  });

  it("breaks timestamp ties by phase, then event id", () => {
    const t = "2026-03-02T10:00:00.000Z";
    const events = [stackEvent("UPDATE_COMPLETE", t), stackEvent("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", t), stackEvent("UPDATE_IN_PROGRESS", t)];
    for (const seed of SEEDS) expect(deriveStackState(shuffle(events, seed))?.stackStatus).toBe("UPDATE_COMPLETE");
  });

  it("orders moto's microsecond timestamps within one millisecond", () => {
    const events = [stackEvent("CREATE_COMPLETE", "2026-03-02T10:00:00.877098Z"), stackEvent("DELETE_IN_PROGRESS", "2026-03-02T10:00:00.877500Z")];
    expect(deriveStackState(events)?.status).toBe("deleting");
  });

  it("takes the cause from the current operation only, by token or (without tokens) by time", () => {
    const old = [stackEvent("UPDATE_IN_PROGRESS", "2026-03-02T10:00:00.000Z"), failure("Access Denied", "2026-03-02T10:00:01.000Z"), stackEvent("UPDATE_ROLLBACK_COMPLETE", "2026-03-02T10:00:05.000Z")];
    const next = [stackEvent("UPDATE_IN_PROGRESS", "2026-03-02T11:00:00.000Z"), failure("Something else broke", "2026-03-02T11:00:01.000Z"), stackEvent("UPDATE_ROLLBACK_COMPLETE", "2026-03-02T11:00:05.000Z")];
    const tokenless = deriveStackState([...old, ...next].map((e) => ({ ...e, clientRequestToken: undefined })));
    expect(tokenless?.reason).toContain("Something else broke");
    expect(tokenless?.reason).not.toContain("Access Denied");
    // With tokens, a late resource event of the new operation counts even if it arrives before its start event.
    const tagged = [...old.map((e) => ({ ...e, clientRequestToken: "op-1" })), ...next.slice(1).map((e) => ({ ...e, clientRequestToken: "op-2" }))];
    expect(deriveStackState(tagged)).toMatchObject({ operationToken: "op-2", status: "failed" });
    expect(deriveStackState(tagged)?.reason).toContain("Something else broke");
  });

  it("skips cancelled siblings when looking for the root cause", () => {
    const events = [
      stackEvent("UPDATE_IN_PROGRESS", "2026-03-02T10:00:00.000Z"),
      failure("Resource update cancelled", "2026-03-02T10:00:01.000Z"),
      failure("Invalid lifecycle rule", "2026-03-02T10:00:02.000Z"),
      stackEvent("UPDATE_ROLLBACK_COMPLETE", "2026-03-02T10:00:05.000Z"),
    ];
    expect(deriveStackState(events)?.reason).toContain("The update failed: Invalid lifecycle rule.");
  });
});

describe("resourceStatusOf / isTerminalStackStatus", () => {
  it.each(Object.entries(EXPECTED_STATUS))("%s -> %s", (stackStatus, status) => {
    expect(resourceStatusOf(stackStatus)).toBe(status);
    expect(isTerminalStackStatus(stackStatus)).toBe(!stackStatus.endsWith("_IN_PROGRESS"));
  });
});

describe("explainFailure", () => {
  it.each([
    ["BucketAlreadyExists", "Bucket already exists (Service: Amazon S3; Status Code: 409; Error Code: BucketAlreadyExists)", "taken in S3 worldwide"],
    ["BucketAlreadyOwnedByYou", "Error Code: BucketAlreadyOwnedByYou", "already exists in the project's AWS account"],
    ["InvalidBucketName", "The specified bucket is not valid. (Error Code: InvalidBucketName)", "S3 refused the bucket name as invalid"],
    ["AccessDenied", "User: arn:aws:sts::111111111111:assumed-role/x is not authorized to perform: s3:PutBucketPolicy", "AWS denied the request"],
  ])("explains %s and keeps CloudFormation's text", (_, cause, friendly) => {
    const text = explainFailure({ stackStatus: "ROLLBACK_COMPLETE", kind: "bucket", cause });
    expect(text).toMatch(/^Creating the bucket failed: [A-Z]/);
    expect(text).toContain(friendly);
    expect(text).toMatch(/CloudFormation rolled back, so the \w+ was never made: remove it, then create it again\. CloudFormation said: /);
    expect(text.endsWith(cause)).toBe(true);
  });

  it("passes unknown causes through and copes with none", () => {
    expect(explainFailure({ stackStatus: "DELETE_FAILED", kind: "user", cause: "Cannot delete entity." })).toBe("Deleting the user failed: Cannot delete entity.");
    expect(explainFailure({ stackStatus: "UPDATE_ROLLBACK_COMPLETE" })).toBe(
      "The update failed: CloudFormation gave no reason. The resource keeps its previous settings.",
    );
  });
});

describe("forgettableEvents", () => {
  // A recorded create followed by a recorded update of the same stack: the create can go.
  const create = load(createSuccess);
  const update = load(updateRollbackFailed).filter((e) => e.resourceStatus.startsWith("UPDATE"));
  const stack = create[0]?.stackName ?? "";
  const history = [...create, ...update.map((e) => ({ ...e, stackName: stack, eventId: `u-${e.eventId}` }))];

  it("forgets what came before the latest operation, keeping the newest few for late duplicates", () => {
    const forgotten = forgettableEvents(history, 2);
    expect(forgotten.length).toBe(create.length - 2);
    const kept = history.filter((e) => !forgotten.includes(e));
    // The state is the same from what is kept as from everything.
    expect(deriveStackState(kept)).toEqual(deriveStackState(history));
  });

  it("forgets nothing while no operation has started, and nothing of the current one", () => {
    expect(forgettableEvents([], 0)).toEqual([]);
    // A lone create is its own latest operation: all of it still counts.
    expect(forgettableEvents(create, 0)).toEqual([]);
    const current = forgettableEvents(history, 0);
    expect(current.some((e) => e.eventId.startsWith("u-"))).toBe(false);
  });
});
