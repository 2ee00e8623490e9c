// Proves the access review against moto: key ages and last use as IAM reports them, flags judged on the room's clock (moved here without waiting), user flags, and who may refresh it how often.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { AccessReview, ActivityPage, CreatedKey, ErrorEnvelope, ReviewUser } from "../core/contract";
import { stackName } from "../core/naming";
import { api, login, readyBucket, readyUser, registerProject } from "../test/workers/harness";
import { alarmUntil, moveClock, useKey } from "../test/workers/room-clock";

const DAY_MS = 86_400_000;

const userOf = (review: AccessReview, name: string): ReviewUser => {
  const user = review.users.find((u) => u.name === name);
  if (!user) throw new Error(`no ${name} in the review`);
  return user;
};

describe("access review", () => {
  it("flags keys unused for 90 days, never used after 7, older than 90, and users expiring or without grants", async () => {
    const project = await registerProject();
    const editor = await login("editor@example.com");
    await readyBucket(editor, project, "drop");
    await readyUser(editor, project, { name: "partner", permissions: [{ bucket: "drop", access: "write" }] }, stackName(project.id, "user", "partner"));
    const expiresAt = new Date(Date.now() + 10 * DAY_MS).toISOString();
    await readyUser(editor, project, { name: "idle", expiresAt }, stackName(project.id, "user", "idle"));
    const keyOf = async (user: string) => (await api(editor, `/api/projects/${project.id}/users/${user}/keys`, { method: "POST", body: "{}" })).json<CreatedKey>();
    const used = await keyOf("partner");
    const unused = await keyOf("idle");
    await useKey(used);

    const path = `/api/projects/${project.id}/access-review`;
    const refreshed = await api(editor, `${path}/refresh`, { method: "POST", body: "{}" });
    expect(refreshed.status).toBe(200);
    const now = await refreshed.json<AccessReview>();
    expect(now.checkedAt).not.toBeNull();
    expect(now.stale).toBeNull();
    expect(userOf(now, "partner")).toMatchObject({ flags: [], grants: 1, keys: [{ accessKeyId: used.accessKeyId, status: "Active", ageDays: 0, flags: [], lastUse: { service: "sts" } }] });
    expect(Date.parse(userOf(now, "partner").keys[0]?.lastUse?.at ?? "")).toBeGreaterThan(Date.now() - 60_000);
    expect(userOf(now, "idle")).toMatchObject({ flags: ["expiring", "no-grants"], expiresAt, keys: [{ accessKeyId: unused.accessKeyId, lastUse: null, flags: [] }] });
    expect(now.totals).toEqual({ unused: 0, "rotation-due": 0, expiring: 1, "no-grants": 1, flaggedUsers: 1 });
    expect(JSON.stringify(now)).not.toContain(used.secretAccessKey);
    // The room's copy of the keys already matched IAM's: the read changed nothing, so it said nothing.
    const activity = await (await api(editor, `/api/projects/${project.id}/activity`)).json<ActivityPage>();
    expect(activity.entries.map((e) => e.message)).not.toContainEqual(expect.stringMatching(/refreshed from IAM/));

    // Eight days on: the key never used is unused; the used one is not (used 8 days ago).
    await moveClock(project.id, 8 * DAY_MS);
    const week = await (await api(await login("viewer@example.com"), path)).json<AccessReview>();
    expect(userOf(week, "idle").keys[0]).toMatchObject({ ageDays: 8, flags: ["unused"] });
    expect(userOf(week, "partner").keys[0]?.flags).toEqual([]);
    expect(week.totals).toMatchObject({ unused: 1, "rotation-due": 0, expiring: 1, flaggedUsers: 1 });

    // 91 days on: both keys are unused and due for rotation; idle's access has ended, so it no longer "expires soon".
    await moveClock(project.id, 91 * DAY_MS);
    const quarter = await (await api(editor, path)).json<AccessReview>();
    expect(userOf(quarter, "partner")).toMatchObject({ flags: [], keys: [{ ageDays: 91, flags: ["unused", "rotation-due"] }] });
    expect(userOf(quarter, "idle")).toMatchObject({ flags: ["no-grants"], keys: [{ flags: ["unused", "rotation-due"] }] });
    expect(quarter.totals).toEqual({ unused: 2, "rotation-due": 2, expiring: 0, "no-grants": 1, flaggedUsers: 2 });
  });

  it("reads IAM on the room's alarm once the review was first looked at", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    await readyUser(owner, project, { name: "nobody" }, stackName(project.id, "user", "nobody"));
    const read = async () => (await api(owner, `/api/projects/${project.id}/access-review`)).json<AccessReview>();
    const first = await read();
    // Never read from IAM yet: the review says so rather than showing an old time.
    expect(first.checkedAt).toBeNull();
    expect(userOf(first, "nobody")).toMatchObject({ flags: ["no-grants"], keys: [], sftpKeys: [], rotation: null, checkedAt: null });
    const scheduled = await alarmUntil(project.id, read, (r) => r.checkedAt !== null);
    expect(Date.parse(scheduled.checkedAt ?? "")).toBeGreaterThan(Date.now() - 60_000);
  });

  it("shows a failed read from IAM as stale data, never a 500, and clears it on the next good read", async () => {
    const project = await registerProject();
    const editor = await login("editor@example.com");
    await readyUser(editor, project, { name: "denied" }, stackName(project.id, "user", "denied"));
    const refuse = (on: boolean) => fetch(`${env.AWS_ENDPOINT}/__recorded/iam-refusal`, { method: "POST", body: JSON.stringify({ action: "ListAccessKeys", userName: "denied", refuse: on }) });
    const refresh = () => api(editor, `/api/projects/${project.id}/access-review/refresh`, { method: "POST", body: "{}" });
    expect((await refuse(true)).status).toBe(204);
    try {
      const res = await refresh();
      expect(res.status).toBe(200);
      const review = await res.json<AccessReview>();
      expect(review.stale?.message).toMatch(/AccessDenied/);
      expect(userOf(review, "denied").checkedAt).toBeNull();
    } finally {
      await refuse(false);
    }
    const again = await (await refresh()).json<AccessReview>();
    expect(again.stale).toBeNull();
    expect(userOf(again, "denied").checkedAt).not.toBeNull();
  });

  it("lets members read it and editors refresh it, at most 30 times a minute per person", async () => {
    const project = await registerProject();
    const path = `/api/projects/${project.id}/access-review`;
    const viewer = await login("viewer@example.com");
    expect((await api(viewer, path)).status).toBe(200);
    const refused = await api(viewer, `${path}/refresh`, { method: "POST", body: "{}" });
    expect(refused.status).toBe(403);
    expect((await refused.json<ErrorEnvelope>()).error.code).toBe("forbidden");
    expect((await api(await login("stranger@example.com"), path)).status).toBe(404);

    const editor = await login("editor@example.com");
    for (let i = 1; i <= 30; i++) expect((await api(editor, `${path}/refresh`, { method: "POST", body: "{}" })).status, `refresh ${i}`).toBe(200);
    const limited = await api(editor, `${path}/refresh`, { method: "POST", body: "{}" });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("Retry-After")).toBe("60");
    expect((await api(await login("owner@example.com"), `${path}/refresh`, { method: "POST", body: "{}" })).status).toBe(200);
  });
});
