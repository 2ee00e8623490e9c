// Proves reminders before a user's access ends, in the room: its alarm notes a new date at once, says "ends in 14 days" and "ends in 3 days" exactly once each in the activity and to the project's notifications (a real receiver gets the access-expiring message), time moved by running the user kind's alarm work at a later moment (a test-only clock), and starts afresh when the date changes, with only the reminders still ahead.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import type { ActivityPage, UserAccepted } from "../core/contract";
import { stackName } from "../core/naming";
import { DAY_MS } from "../core/user-expiry";
import { api, deliver, eventually, login, randomId, readyUser, registerProject, stackEvent } from "../test/workers/harness";
import { StoredUser, userKind } from "./kinds/user";

const room = (id: string) => env.PROJECT_ROOM.get(env.PROJECT_ROOM.idFromName(id));

const { TEST_NOTIFICATION_RECEIVER: receiver } = z.object({ TEST_NOTIFICATION_RECEIVER: z.string() }).parse(env);
const Received = z.object({ requests: z.array(z.object({ body: z.string() })) });

/** The user's reminder record, after letting the room's alarm run (it is due at once for a new date). */
const remindersOf = (id: string, name: string) => async () => {
  await runDurableObjectAlarm(room(id));
  return runInDurableObject(room(id), (r) => r.store.getAs("user", name, StoredUser)?.expiryReminders);
};

/** Runs the user kind's timed work as the alarm does, at `now`: the clock a test may move. */
const alarmAt = (id: string, now: number) =>
  runInDurableObject(room(id), async (r) => {
    const project = r.store.project();
    if (!project || !userKind.alarm) throw new Error("no project or no user alarm");
    await userKind.alarm.run(r, project, now);
  });

const dueAt = (id: string, now: number) => runInDurableObject(room(id), (r) => userKind.alarm?.due(r, now) ?? null);

const reminders = async (cookie: string, id: string) =>
  (await (await api(cookie, `/api/projects/${id}/activity?resource=user:partner-acme`)).json<ActivityPage>()).entries.map((e) => e.message).filter((m) => m.includes("access ends in"));

describe("expiry reminders", () => {
  it("reminds 14 and 3 days before, once each, and afresh for a new date", async () => {
    const project = await registerProject();
    const cookie = await login("owner@example.com");
    const hook = randomId("hook");
    const notifications = { webhookUrl: `${receiver}/hooks/${hook}`, format: "json", events: ["access-expiring"], digestMinutes: 0 };
    expect((await api(cookie, `/api/projects/${project.id}/notifications`, { method: "PUT", body: JSON.stringify(notifications) })).status).toBe(200);
    const received = async () => Received.parse(await (await fetch(`${receiver}/__received/${hook}`)).json()).requests.map((r) => r.body);
    const expiresAt = new Date(Date.now() + 20 * DAY_MS).toISOString();
    await readyUser(cookie, project, { name: "partner-acme", expiresAt }, stackName(project.id, "user", "partner-acme"));
    const at = Date.parse(expiresAt);

    expect(await eventually(remindersOf(project.id, "partner-acme"), (r) => r?.expiresAt === expiresAt, 10_000)).toEqual({ expiresAt, sent: [], skipped: [] });
    // The room's alarm is next wanted for the 14-day reminder (the expiry itself is later).
    expect(await dueAt(project.id, Date.now())).toBe(at - 14 * DAY_MS);
    expect(await reminders(cookie, project.id)).toEqual([]);

    await alarmAt(project.id, at - 14 * DAY_MS - 60_000);
    expect(await reminders(cookie, project.id)).toEqual([]);
    await alarmAt(project.id, at - 14 * DAY_MS + 60_000);
    await alarmAt(project.id, at - 14 * DAY_MS + 120_000);
    await alarmAt(project.id, at - 10 * DAY_MS);
    const fourteen = await reminders(cookie, project.id);
    expect(fourteen).toHaveLength(1);
    expect(fourteen[0]).toMatch(/^partner-acme's access ends in 14 days, on \d{1,2} \w{3} \d{4} at \d\d:\d\d UTC\. Extend it on the user's page\.$/);
    expect(await dueAt(project.id, at - 10 * DAY_MS)).toBe(at - 3 * DAY_MS);
    // The project's notifications hear it too, once (the alarm sends what is due).
    const told = await eventually(async () => (await runDurableObjectAlarm(room(project.id)), received()), (r) => r.length > 0, 10_000);
    expect(told).toHaveLength(1);
    expect(told[0]).toContain('"access-expiring"');
    expect(told[0]).toContain("partner-acme");
    expect(told[0]).toContain(expiresAt);

    await alarmAt(project.id, at - 3 * DAY_MS + 60_000);
    await alarmAt(project.id, at - 2 * DAY_MS);
    const both = await reminders(cookie, project.id);
    expect(both).toHaveLength(2);
    expect(both[0]).toMatch(/^partner-acme's access ends in 3 days/);
    expect(await runInDurableObject(room(project.id), (r) => r.store.getAs("user", "partner-acme", StoredUser)?.expiryReminders)).toEqual({ expiresAt, sent: [14, 3], skipped: [] });

    // A new date, 10 days away: its 14-day reminder is already behind, its 3-day one ahead.
    const later = new Date(Date.now() + 10 * DAY_MS).toISOString();
    const patched = await api(cookie, `/api/projects/${project.id}/users/partner-acme`, { method: "PATCH", body: JSON.stringify({ expiresAt: later }) });
    expect(patched.status).toBe(202);
    const { operationId } = await patched.json<UserAccepted>();
    await deliver([stackEvent(project, stackName(project.id, "user", "partner-acme"), "UPDATE_COMPLETE", { clientRequestToken: operationId })]);
    expect(await eventually(remindersOf(project.id, "partner-acme"), (r) => r?.expiresAt === later, 10_000)).toEqual({ expiresAt: later, sent: [], skipped: [14] });
    const laterAt = Date.parse(later);
    await alarmAt(project.id, laterAt - 5 * DAY_MS);
    expect(await reminders(cookie, project.id)).toHaveLength(2);
    await alarmAt(project.id, laterAt - 3 * DAY_MS + 60_000);
    await alarmAt(project.id, laterAt - 3 * DAY_MS + 120_000);
    const afresh = await reminders(cookie, project.id);
    expect(afresh).toHaveLength(3);
    expect(afresh[0]).toMatch(/^partner-acme's access ends in 3 days/);
  });

  it("says nothing for a user without an expiry, or one never created", async () => {
    const project = await registerProject();
    const cookie = await login("owner@example.com");
    await readyUser(cookie, project, { name: "partner-acme", expiresAt: null }, stackName(project.id, "user", "partner-acme"));
    const created = await api(cookie, `/api/projects/${project.id}/users`, { method: "POST", body: JSON.stringify({ name: "pending", expiresAt: new Date(Date.now() + 4 * DAY_MS).toISOString() }) });
    expect(created.status).toBe(202);
    await runDurableObjectAlarm(room(project.id));
    await alarmAt(project.id, Date.now() + 3 * DAY_MS);
    expect(await reminders(cookie, project.id)).toEqual([]);
    expect(await runInDurableObject(room(project.id), (r) => r.store.getAs("user", "pending", StoredUser)?.expiryReminders)).toBeUndefined();
  });
});
