// Proves deleting a user is all-or-nothing toward AWS: its active keys are deactivated before DeleteStack (access stops at once) and activated again when CloudFormation refuses the delete, so a refused delete leaves the user exactly as it was. The gateway here is a recording fake of AWS, the code under test the real one.
import { describe, expect, it } from "vitest";
import { demoProject } from "../../test/fixtures/demo-project";
import { AwsError } from "../../core/aws/errors";
import { cloudFormationClient } from "../../core/aws";
import { runUser, type StoredUser } from "./user";
import type { StackGateway } from "../stack-gateway";

const project = demoProject;
const user: StoredUser = {
  resource: { name: "partner", path: "/stackroom/demo/", spec: { description: null, permissions: [], expiresAt: null }, status: "deleting", keys: [], updatedAt: "2026-11-30T12:00:00.000Z" },
  appliedSpec: { description: null, permissions: [], expiresAt: null },
};

/** AWS as the gateway sees it: two keys (one already inactive); DeleteStack answers as told. */
function fakeAws(deleteStack: () => Promise<void>) {
  const calls: string[] = [];
  const status = new Map<string, "Active" | "Inactive">([["AKIAONE", "Active"], ["AKIATWO", "Inactive"]]);
  const unused = async () => {
    throw new Error("not used by a delete");
  };
  const gateway: StackGateway = {
    createStack: unused,
    updateStack: unused,
    deleteStack: async ({ stackName }) => {
      calls.push(`DeleteStack ${stackName}`);
      await deleteStack();
    },
    // A real client that must never be called by a delete.
    cloudformation: cloudFormationClient({ region: "eu-west-1", credentials: { accessKeyId: "AKIAUNUSED", secretAccessKey: "x" }, fetch: unused }),
    keys: {
      create: unused,
      list: async () => [...status].map(([accessKeyId, s]) => ({ accessKeyId, status: s, createdAt: "2026-11-01T00:00:00.000Z" })),
      lastUse: unused,
      setStatus: async (_user, key, s) => {
        calls.push(`UpdateAccessKey ${key} ${s}`);
        status.set(key, s);
      },
      remove: unused,
      removeAll: unused,
    },
  };
  return { gateway, calls, status };
}

describe("deleting a user", () => {
  it("deactivates the active keys, then deletes the stack", async () => {
    const aws = fakeAws(async () => undefined);
    const outcome = await runUser(aws.gateway, { project, actor: "alice@example.com", change: { action: "delete", name: "partner" } }, user, "op-1");
    expect(outcome).toEqual({ kind: "started" });
    expect(aws.calls).toEqual(["UpdateAccessKey AKIAONE Inactive", "DeleteStack stackroom-demo-user-partner"]);
    expect(aws.status.get("AKIAONE")).toBe("Inactive");
  });

  it("activates the keys again when CloudFormation refuses the delete: nothing changed", async () => {
    const aws = fakeAws(async () => {
      throw new AwsError("ValidationError", "Stack [stackroom-demo-user-partner] cannot be deleted while in status UPDATE_IN_PROGRESS", 400);
    });
    const outcome = await runUser(aws.gateway, { project, actor: "alice@example.com", change: { action: "delete", name: "partner" } }, user, "op-1");
    expect(outcome.kind).toBe("refused");
    expect(aws.calls).toEqual(["UpdateAccessKey AKIAONE Inactive", "DeleteStack stackroom-demo-user-partner", "UpdateAccessKey AKIAONE Active"]);
    expect([...aws.status]).toEqual([["AKIAONE", "Active"], ["AKIATWO", "Inactive"]]);
  });
});
