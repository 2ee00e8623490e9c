import { describe, expect, it } from "vitest";
import type { Lock, QueuedEdit } from "$contract";
import { operationDetail, queuedSummary, userChanges } from "./spec-words";

const lock = (action: Lock["action"]): Lock => ({ operationId: "op", by: "alice@example.com", since: "2026-12-01T00:00:00.000Z", action });
const user = { description: null, permissions: [], expiresAt: null };
const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE0hlBvCp8mG1oDFY4wYwwzRBgQ4JeaK0A4tZ3mB8b7Q a@b";

describe("spec words", () => {
  it("says what an SFTP server update changes, and its settings when nothing differs", () => {
    const before = { securityPolicy: "TransferSecurityPolicy-2024-01", logRetentionDays: 30 };
    expect(operationDetail("sftp", lock("update"), { ...before, logRetentionDays: 90 }, before)).toEqual({ changes: true, text: "logs kept 30 days → 90 days" });
    expect(operationDetail("sftp", lock("create"), before, undefined)).toEqual({ changes: false, text: "security policy TransferSecurityPolicy-2024-01, logs kept 30 days" });
    expect(operationDetail("sftp", lock("delete"), before, undefined)).toBeNull();
  });

  it("names SFTP access in a user's changes", () => {
    expect(userChanges(user, { ...user, sftp: { sshPublicKeys: [key] } })).toEqual(["SFTP with 1 key"]);
    expect(userChanges({ ...user, sftp: { sshPublicKeys: [key] } }, { ...user, sftp: null })).toEqual(["SFTP access removed"]);
    expect(userChanges({ ...user, sftp: { sshPublicKeys: [key] } }, { ...user, sftp: { sshPublicKeys: [key] } })).toEqual([]);
  });

  const edit = (summary: string): QueuedEdit => ({ operationId: "op", by: "bob@example.com", since: "2026-12-01T00:00:00.000Z", action: "update", summary });

  it("rewords a queued SFTP change of a user", () => {
    expect(queuedSummary("user", edit(`update sftp → ${JSON.stringify({ sshPublicKeys: [key, key] })}`))).toBe("SFTP with 2 keys");
    expect(queuedSummary("user", edit("update sftp → null"))).toBe("SFTP access removed");
  });

  it("rewords a queued edit's fields from its own kind's row, and keeps anything else as it came", () => {
    expect(queuedSummary("bucket", edit("update versioning → false, expireAfterDays → 30"))).toBe("Versioning off, objects expire after 30 days");
    expect(queuedSummary("bucket", edit("update encryption → \"kms\", expireAfterDays → null"))).toBe("Encryption SSE-KMS, no expiry");
    expect(queuedSummary("user", edit(`update description → "ops", permissions → []`))).toBe("Description “ops”, remove all bucket access");
    // Another kind's field, a field no kind has, a value the field does not take: as they came.
    expect(queuedSummary("bucket", edit("update description → null"))).toBe("Update description → null");
    expect(queuedSummary("user", edit("update toString → 1, expiresAt → null"))).toBe("ToString → 1, never expires");
    expect(queuedSummary("bucket", edit("update versioning → 3"))).toBe("Versioning → 3");
    // The SFTP server's queued edits are sentences already.
    expect(queuedSummary("sftp", edit("turn SFTP off"))).toBe("Turn SFTP off");
    expect(queuedSummary("bucket", edit("delete bucket"))).toBe("Delete bucket");
  });
});
