// Proves rotation in one step against moto: the second key is made at once, the old one is deactivated in IAM when the new one is first used (as the alarm sees it) or when the grace period ends (clock moved, alarm run), each step in the activity; two keys stay the maximum and a deleted key ends a rotation.
import { describe, expect, it } from "vitest";
import type { AccessReview, ActivityPage, CreatedKey, ErrorEnvelope, ProjectRecord, RotatedKey } from "../core/contract";
import { stackName } from "../core/naming";
import { api, iamCall, login, readyUser, registerProject } from "../test/workers/harness";
import { alarmUntil, moveClock, useKey } from "../test/workers/room-clock";

const DAY_MS = 86_400_000;

/** A ready user with one access key. */
async function userWithKey(project: ProjectRecord, cookie: string, name: string): Promise<CreatedKey> {
  await readyUser(cookie, project, { name }, stackName(project.id, "user", name));
  const res = await api(cookie, `/api/projects/${project.id}/users/${name}/keys`, { method: "POST", body: "{}" });
  expect(res.status).toBe(201);
  return res.json<CreatedKey>();
}

const rotate = (cookie: string, project: ProjectRecord, name: string, body: unknown) =>
  api(cookie, `/api/projects/${project.id}/users/${name}/keys/rotate`, { method: "POST", body: JSON.stringify(body) });

/** The key's status in IAM (moto), read with ListAccessKeys. */
async function statusInIam(project: ProjectRecord, user: string, keyId: string): Promise<string | undefined> {
  const xml = await iamCall(project.accountId, { Action: "ListAccessKeys", UserName: user });
  return new RegExp(`${keyId}</AccessKeyId>\\s*<Status>(\\w+)`).exec(xml)?.[1];
}

const messages = async (cookie: string, project: ProjectRecord) => (await (await api(cookie, `/api/projects/${project.id}/activity`)).json<ActivityPage>()).entries.map((e) => e.message);

describe("key rotation", () => {
  it("makes the second key and deactivates the old one when the new one is first used; refuses a third key", async () => {
    const project = await registerProject();
    const editor = await login("editor@example.com");
    const old = await userWithKey(project, editor, "partner-acme");

    expect((await rotate(editor, project, "partner-acme", { graceDays: 31 })).status).toBe(400);
    expect((await rotate(editor, project, "partner-acme", { graceDays: 0 })).status).toBe(400);
    expect((await rotate(await login("viewer@example.com"), project, "partner-acme", {})).status).toBe(403);

    const res = await rotate(editor, project, "partner-acme", { graceDays: 7 });
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const fresh = await res.json<RotatedKey>();
    expect(fresh).toMatchObject({ user: "partner-acme", region: project.region, rotation: { oldKeyId: old.accessKeyId, newKeyId: fresh.accessKeyId, startedBy: "editor@example.com", checkedAt: null } });
    expect(fresh.secretAccessKey.length).toBeGreaterThan(20);
    expect(Date.parse(fresh.rotation.graceEndsAt) - Date.parse(fresh.rotation.startedAt)).toBe(7 * DAY_MS);
    expect(await statusInIam(project, "partner-acme", old.accessKeyId)).toBe("Active");
    expect(await statusInIam(project, "partner-acme", fresh.accessKeyId)).toBe("Active");

    const again = await rotate(editor, project, "partner-acme", {});
    expect(again.status).toBe(409);
    expect((await again.json<ErrorEnvelope>()).error.message).toMatch(/already under way/);
    const review = await (await api(editor, `/api/projects/${project.id}/access-review`)).json<AccessReview>();
    expect(review.users[0]?.rotation).toMatchObject({ oldKeyId: old.accessKeyId, newKeyId: fresh.accessKeyId });

    // Nothing used yet: the first check (15 minutes on) leaves the old key active.
    const reviewOf = async () => (await api(editor, `/api/projects/${project.id}/access-review`)).json<AccessReview>();
    await moveClock(project.id, 16 * 60_000);
    const checked = await alarmUntil(project.id, reviewOf, (r) => r.users[0]?.rotation?.checkedAt != null);
    expect(checked.users[0]?.rotation?.checkedAt).toBeTruthy();
    expect(await statusInIam(project, "partner-acme", old.accessKeyId)).toBe("Active");

    // The partner signs a request with the new key; the next check, 15 minutes later, sees it.
    await useKey(fresh);
    await moveClock(project.id, 32 * 60_000);
    expect(await alarmUntil(project.id, () => statusInIam(project, "partner-acme", old.accessKeyId), (s) => s === "Inactive")).toBe("Inactive");
    expect(await statusInIam(project, "partner-acme", fresh.accessKeyId)).toBe("Active");

    const lines = await messages(editor, project);
    const short = (id: string) => `${id.slice(0, 4)}…${id.slice(-4)}`;
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^editor@example\\.com started rotating partner-acme's key: new key ${short(fresh.accessKeyId)}, the old one stops on \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC or when the new one is first used$`)));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^Rotation of partner-acme's key: old key ${short(old.accessKeyId)} deactivated: the new key was used on \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC$`)));
    const after = await reviewOf();
    expect(after.users[0]?.rotation).toBeNull();
    expect(after.users[0]?.keys.find((k) => k.accessKeyId === old.accessKeyId)?.status).toBe("Inactive");

    // Two keys stay the maximum: the old key must be deleted before the next rotation.
    const third = await rotate(editor, project, "partner-acme", {});
    expect(third.status).toBe(409);
    expect((await third.json<ErrorEnvelope>()).error.message).toMatch(/already has 2 access keys/);
  });

  it("deactivates the old key at the end of the grace period when the new one was never used", async () => {
    const project = await registerProject();
    const editor = await login("editor@example.com");
    const old = await userWithKey(project, editor, "slow");
    const fresh = await (await rotate(editor, project, "slow", { graceDays: 1 })).json<RotatedKey>();

    await moveClock(project.id, DAY_MS + 60_000);
    expect(await alarmUntil(project.id, () => statusInIam(project, "slow", old.accessKeyId), (s) => s === "Inactive")).toBe("Inactive");
    expect(await statusInIam(project, "slow", fresh.accessKeyId)).toBe("Active");
    expect(await messages(editor, project)).toContainEqual(`Rotation of slow's key: old key ${old.accessKeyId.slice(0, 4)}…${old.accessKeyId.slice(-4)} deactivated at the end of the grace period`);
  });

  it("ends when a manager deactivates the new key, leaving the old one active", async () => {
    const project = await registerProject();
    const editor = await login("editor@example.com");
    const old = await userWithKey(project, editor, "paused");
    const fresh = await (await rotate(editor, project, "paused", {})).json<RotatedKey>();
    expect((await api(editor, `/api/projects/${project.id}/users/paused/keys/${fresh.accessKeyId}`, { method: "PATCH", body: JSON.stringify({ status: "Inactive" }) })).status).toBe(200);

    await moveClock(project.id, 8 * DAY_MS);
    const review = await alarmUntil(project.id, async () => (await api(editor, `/api/projects/${project.id}/access-review`)).json<AccessReview>(), (r) => r.users[0]?.rotation === null);
    expect(review.users[0]?.rotation).toBeNull();
    expect(await statusInIam(project, "paused", old.accessKeyId)).toBe("Active");
    expect(await messages(editor, project)).toContainEqual(`Rotation of paused's key ended: the new key ${fresh.accessKeyId.slice(0, 4)}…${fresh.accessKeyId.slice(-4)} was deactivated, so the old one stays active`);
  });

  it("ends cleanly when either key is deleted mid-rotation, and refuses a user without an active key", async () => {
    const project = await registerProject();
    const editor = await login("editor@example.com");
    const old = await userWithKey(project, editor, "changer");
    const fresh = await (await rotate(editor, project, "changer", {})).json<RotatedKey>();
    expect(Date.parse(fresh.rotation.graceEndsAt) - Date.parse(fresh.rotation.startedAt)).toBe(7 * DAY_MS);

    expect((await api(editor, `/api/projects/${project.id}/users/changer/keys/${fresh.accessKeyId}`, { method: "DELETE" })).status).toBe(204);
    expect(await messages(editor, project)).toContainEqual(`editor@example.com deleted access key ${fresh.accessKeyId} of user changer; the rotation of its key ended`);
    const review = await (await api(editor, `/api/projects/${project.id}/access-review`)).json<AccessReview>();
    expect(review.users[0]?.rotation).toBeNull();
    // Past the old grace end, the alarm leaves the remaining key alone.
    await moveClock(project.id, 8 * DAY_MS);
    await alarmUntil(project.id, async () => null, () => true);
    expect(await statusInIam(project, "changer", old.accessKeyId)).toBe("Active");

    expect((await api(editor, `/api/projects/${project.id}/users/changer/keys/${old.accessKeyId}`, { method: "DELETE" })).status).toBe(204);
    const none = await rotate(editor, project, "changer", {});
    expect(none.status).toBe(409);
    expect((await none.json<ErrorEnvelope>()).error.message).toMatch(/no active access key to rotate/);
  });
});
