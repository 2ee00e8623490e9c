// Proves the previews shown before an edit or deletion: settings before → after, access gained/lost per user, and what is destroyed (versioning off, expiry, a deleted bucket's grantees, a deleted user's keys).
import { describe, expect, it } from "vitest";
import type { Bucket, BucketSpec, User, UserSpec } from "$contract";
import { accessChanges, bucketDeletePreview, bucketEditPreview, isEmpty, permissionsPreview, userDeletePreview, userEditPreview } from "./change-preview";

const spec: BucketSpec = { versioning: true, encryption: "s3", expireAfterDays: null };
const now = Date.parse("2026-06-01T12:00:00Z");

function user(name: string, permissions: UserSpec["permissions"], extra: Partial<User> = {}): User {
  return {
    name,
    path: "/stackroom/demo/",
    spec: { description: null, permissions, expiresAt: null },
    status: "ready",
    updatedAt: "2026-06-01T10:00:00Z",
    keys: [],
    ...extra,
  } as User;
}

describe("bucketEditPreview", () => {
  it("is empty when nothing changes", () => {
    expect(isEmpty(bucketEditPreview(spec, spec))).toBe(true);
  });

  it("lists each setting before → after", () => {
    const preview = bucketEditPreview(spec, { ...spec, encryption: "kms" });
    expect(preview.settings).toEqual([{ setting: "Encryption", before: "SSE-S3", after: "SSE-KMS" }]);
    expect(preview.destroys).toEqual([]);
  });

  it("warns when versioning turns off or expiry starts deleting objects", () => {
    const preview = bucketEditPreview(spec, { ...spec, versioning: false, expireAfterDays: 30 });
    expect(preview.settings.map((s) => `${s.setting}: ${s.before} → ${s.after}`)).toEqual(["Versioning: on → off", "Objects: kept until deleted → deleted after 30 days"]);
    expect(preview.destroys).toHaveLength(2);
    expect(preview.destroys[0]).toMatch(/cannot be recovered/);
    expect(preview.destroys[1]).toMatch(/older than 30 days will be deleted/);
  });

  it("warns when expiry gets shorter, not when it gets longer or goes", () => {
    expect(bucketEditPreview({ ...spec, expireAfterDays: 30 }, { ...spec, expireAfterDays: 7 }).destroys).toHaveLength(1);
    expect(bucketEditPreview({ ...spec, expireAfterDays: 7 }, { ...spec, expireAfterDays: 30 }).destroys).toEqual([]);
    expect(bucketEditPreview({ ...spec, expireAfterDays: 7 }, spec).destroys).toEqual([]);
  });
});

describe("access changes", () => {
  it("tell added, removed and changed grants apart, prefix by prefix", () => {
    const changes = accessChanges(
      "acme",
      [{ bucket: "a", access: "read" }, { bucket: "b", access: "readwrite", prefix: "in/" }, { bucket: "c", access: "write" }],
      [{ bucket: "a", access: "read" }, { bucket: "b", access: "read", prefix: "in/" }, { bucket: "d", access: "write" }],
    );
    expect(changes).toEqual([
      { user: "acme", bucket: "b", prefix: "in/", before: "readwrite", after: "read" },
      { user: "acme", bucket: "c", prefix: undefined, before: "write", after: null },
      { user: "acme", bucket: "d", prefix: undefined, before: null, after: "write" },
    ]);
  });

  it("name what the matrix save takes away", () => {
    const preview = permissionsPreview([
      { user: "acme", before: [{ bucket: "b", access: "readwrite", prefix: "in/" }], after: [{ bucket: "b", access: "read", prefix: "in/" }] },
      { user: "audit", before: [{ bucket: "c", access: "read" }], after: [] },
      { user: "new", before: [], after: [{ bucket: "c", access: "read" }] },
    ]);
    expect(preview.access).toHaveLength(3);
    expect(preview.destroys).toEqual(["acme can no longer upload or delete in b/in/.", "audit loses read access to c."]);
  });
});

describe("userEditPreview", () => {
  it("shows description and expiry, and says when access ends", () => {
    const before = user("acme", []).spec;
    const soon = userEditPreview("acme", before, { ...before, description: "Uploads", expiresAt: "2026-07-01T12:00:00Z" }, now);
    expect(soon.settings.map((s) => s.setting)).toEqual(["Description", "Access"]);
    expect(soon.destroys[0]).toMatch(/keys are deactivated/);
    const past = userEditPreview("acme", before, { ...before, expiresAt: "2026-05-01T12:00:00Z" }, now);
    expect(past.destroys[0]).toMatch(/loses all access at once/);
    expect(userEditPreview("acme", { ...before, expiresAt: "2026-07-01T12:00:00Z" }, before, now).destroys).toEqual([]);
  });

  it("shows SFTP access, and names a key that stops working by the fingerprint ssh-keygen prints", () => {
    // Generated with `ssh-keygen -t ed25519`; fingerprints from `ssh-keygen -lf`.
    const a = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJuD4od7VnWVls3MQUTamlqQSgdqp19krSvhNRi3VuxH a@x";
    const b = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC9CGYBrqpETJEbcvXOPgtgo4sRx0ho7hhAYtPzTeZEt b@x";
    const before = user("acme", []).spec;
    const on = userEditPreview("acme", before, { ...before, sftp: { sshPublicKeys: [a] } }, now);
    expect(on.settings).toEqual([{ setting: "SFTP", before: "no SFTP", after: "SFTP, 1 key" }]);
    expect(on.destroys).toEqual([]);
    const swapped = userEditPreview("acme", { ...before, sftp: { sshPublicKeys: [a] } }, { ...before, sftp: { sshPublicKeys: [b] } }, now);
    expect(swapped.destroys).toEqual(["SFTP key SHA256:UPyelvrieWDtXZbQapggETgwSp24aiOYaZKplrW9RRI stops working."]);
    const off = userEditPreview("acme", { ...before, sftp: { sshPublicKeys: [a, b] } }, { ...before, sftp: null }, now);
    expect(off.settings).toEqual([{ setting: "SFTP", before: "SFTP, 2 keys", after: "no SFTP" }]);
    expect(off.destroys).toEqual(["acme can no longer sign in over SFTP; the S3 keys keep working."]);
  });
});

describe("deletions", () => {
  const bucket = { name: "uploads", physicalName: "uploads-1a2b3c4d", spec, status: "ready", updatedAt: "2026-06-01T10:00:00Z" } as Bucket;

  it("name every user who loses access when a bucket goes", () => {
    const preview = bucketDeletePreview(bucket, [
      user("acme", [{ bucket: "uploads", access: "write", prefix: "in/" }, { bucket: "other", access: "read" }]),
      user("audit", [{ bucket: "uploads", access: "read" }]),
      user("gone", [{ bucket: "uploads", access: "read" }], { status: "deleted" }),
      user("none", [{ bucket: "other", access: "read" }]),
    ]);
    expect(preview.access.map((c) => c.user)).toEqual(["acme", "audit"]);
    expect(preview.destroys).toContain("acme loses write access to uploads/in/.");
    expect(preview.destroys).toContain("audit loses read access to uploads.");
    expect(preview.destroys[0]).toMatch(/uploads-1a2b3c4d/);
  });

  it("say a deleted user's keys stop working", () => {
    const preview = userDeletePreview(user("acme", [{ bucket: "a", access: "read" }], { keys: [{ accessKeyId: "AKIA1", status: "Active", createdAt: "2026-06-01T10:00:00Z" }] } as Partial<User>));
    expect(preview.destroys[0]).toMatch(/its access key: anyone using it loses access/);
    expect(preview.destroys[1]).toBe("acme loses read access to a.");
  });
});
