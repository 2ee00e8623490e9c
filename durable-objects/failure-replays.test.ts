// Proves recorded CloudFormation sequences (success, rollback, failures), replayed through the real signed webhook — shuffled and with duplicates — end in the right state, reason and released lock.
import { describe, expect, it } from "vitest";
import { replay } from "../test/workers/replay";
import createSuccess from "../test/fixtures/cloudformation/create-success.json";
import updateSuccess from "../test/fixtures/cloudformation/update-success.json";
import deleteSuccess from "../test/fixtures/cloudformation/delete-success.json";
import createFailed from "../test/fixtures/cloudformation/create-failed-bucket-exists.json";
import updateRollback from "../test/fixtures/cloudformation/update-rollback-complete.json";
import updateRollbackFailed from "../test/fixtures/cloudformation/update-rollback-failed.json";
import deleteFailed from "../test/fixtures/cloudformation/delete-failed-not-empty.json";

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

  it("UPDATE_ROLLBACK_FAILED → failed, says the rollback must be continued, and how", async () => {
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
