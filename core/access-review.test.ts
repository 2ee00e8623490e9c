// Proves the access review's flags at their edges (90 days unused, 7 days never used, 90 days old, 14 days to expiry, inactive keys never flagged) and SFTP keys named by the fingerprint ssh-keygen -l prints, from plain inputs.
import { describe, expect, it } from "vitest";
import type { User } from "./contract";
import { buildAccessReview, keyFlags, userFlags } from "./access-review";

const DAY = 86_400_000;
const now = Date.parse("2026-12-07T12:00:00Z");
const ago = (days: number, ms = 0) => new Date(now - days * DAY - ms).toISOString();
const use = (days: number) => ({ at: ago(days), service: "s3", region: "eu-west-1" });

describe("key flags", () => {
  it("flags a key unused from 90 days after its last use, and a never-used one after 7 days", () => {
    expect(keyFlags({ status: "Active", createdAt: ago(30) }, use(89), now)).toEqual([]);
    expect(keyFlags({ status: "Active", createdAt: ago(30) }, use(90), now)).toEqual(["unused"]);
    expect(keyFlags({ status: "Active", createdAt: ago(7) }, null, now)).toEqual([]);
    expect(keyFlags({ status: "Active", createdAt: ago(7, 1) }, null, now)).toEqual(["unused"]);
    // Not read from IAM yet: not known to be unused.
    expect(keyFlags({ status: "Active", createdAt: ago(30) }, undefined, now)).toEqual([]);
  });

  it("flags rotation past 90 days of age, and never an inactive key", () => {
    expect(keyFlags({ status: "Active", createdAt: ago(90) }, use(1), now)).toEqual([]);
    expect(keyFlags({ status: "Active", createdAt: ago(90, 1) }, use(1), now)).toEqual(["rotation-due"]);
    expect(keyFlags({ status: "Inactive", createdAt: ago(400) }, null, now)).toEqual([]);
  });
});

describe("user flags", () => {
  const spec = (expiresAt: string | null, grants = 1) => ({ description: null, expiresAt, permissions: Array.from({ length: grants }, () => ({ bucket: "drop", access: "read" as const })) });
  it("flags access ending within 14 days (not already ended) and users with no grants", () => {
    expect(userFlags({ spec: spec(new Date(now + 14 * DAY).toISOString()) }, now)).toEqual(["expiring"]);
    expect(userFlags({ spec: spec(new Date(now + 14 * DAY + 1).toISOString()) }, now)).toEqual([]);
    expect(userFlags({ spec: spec(ago(1)) }, now)).toEqual([]);
    expect(userFlags({ spec: spec(null, 0) }, now)).toEqual(["no-grants"]);
  });
});

describe("the review", () => {
  it("names SFTP keys by fingerprint, counts flags and leaves deleted users out", () => {
    const line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOertBCrjDzaWp2HgtqI7ftVRYP2jwtIivw5vCWZjLvC partner@acme";
    const user = (name: string, extra: Partial<User> = {}): User => ({
      name, path: "/stackroom/demo/", status: "ready", updatedAt: ago(0), keys: [],
      spec: { description: null, expiresAt: null, permissions: [], sftp: { sshPublicKeys: [line] } }, ...extra,
    });
    const review = buildAccessReview(
      [user("acme", { keys: [{ accessKeyId: "AKIAOLD", status: "Active", createdAt: ago(100) }] }), user("gone", { status: "deleted" })],
      new Map([["acme", { checkedAt: ago(0), lastUse: new Map([["AKIAOLD", null]]) }]]),
      new Map(),
      null,
      now,
    );
    expect(review.users.map((u) => u.name)).toEqual(["acme"]);
    expect(review.users[0]?.sftpKeys).toEqual([{ fingerprint: "SHA256:+XdmKlPPo5FWAU3wOxxyMJ+LR5Oay8xx5qzxJ5p8NqY", type: "ssh-ed25519", comment: "partner@acme" }]);
    expect(review.users[0]?.keys[0]).toMatchObject({ ageDays: 100, lastUse: null, flags: ["unused", "rotation-due"] });
    expect(review.totals).toEqual({ unused: 1, "rotation-due": 1, expiring: 0, "no-grants": 1, flaggedUsers: 1 });
    expect(review.checkedAt).toBe(ago(0));
  });
});
