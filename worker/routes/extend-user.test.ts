// Proves "Extend" (app/src/lib/users/extend.ts) as the app sends it: a PATCH of expiresAt by the project's default from the later of now and the current expiry, through the queue and lock like every user change, landing in the user's stack in moto; an expired user extended gets its date back but not its keys or grants.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { CreatedKey, ProjectView, UserAccepted } from "../../core/contract";
import { stackName } from "../../core/naming";
import { DAY_MS, extendedExpiry, extensionDays } from "../../core/user-expiry";
import { accountClient, api, deliver, eventually, iamCall, login, readyBucket, readyUser, registerProject, stackEvent } from "../../test/workers/harness";

async function describeStack(accountId: string, region: string, name: string): Promise<string> {
  const cfn = await accountClient(accountId, "cloudformation", region);
  const body = new URLSearchParams({ Action: "DescribeStacks", Version: "2010-05-15", StackName: name }).toString();
  return (await cfn.fetch(env.AWS_ENDPOINT, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded" } })).text();
}

const userOf = async (cookie: string, id: string, name: string) => (await (await api(cookie, `/api/projects/${id}`)).json<ProjectView>()).users.find((u) => u.name === name);

describe("extending a user's access", () => {
  it("moves the expiry by the project's default through the normal update, into the stack", async () => {
    const project = await registerProject();
    const cookie = await login("owner@example.com");
    expect((await api(cookie, `/api/projects/${project.id}/settings`, { method: "PUT", body: JSON.stringify({ defaultUserExpiryDays: 30 }) })).status).toBe(200);
    const stack = stackName(project.id, "user", "partner");
    const current = new Date(Date.now() + 10 * DAY_MS).toISOString();
    await readyUser(cookie, project, { name: "partner", expiresAt: current }, stack);

    const expiresAt = extendedExpiry(current, extensionDays(30), Date.now());
    expect(Date.parse(expiresAt) - Date.parse(current)).toBe(30 * DAY_MS);
    const res = await api(cookie, `/api/projects/${project.id}/users/partner`, { method: "PATCH", body: JSON.stringify({ expiresAt }) });
    expect(res.status).toBe(202);
    const accepted = await res.json<UserAccepted>();
    expect(accepted.user.lock).toMatchObject({ action: "update", by: "owner@example.com" });
    expect(await describeStack(project.accountId, project.region, stack)).toContain(`expiresAt=${expiresAt}`);
    await deliver([stackEvent(project, stack, "UPDATE_COMPLETE", { clientRequestToken: accepted.operationId })]);
    const user = await eventually(() => userOf(cookie, project.id, "partner"), (u) => u?.status === "ready" && u.spec.expiresAt === expiresAt);
    expect(user?.spec.expiresAt).toBe(expiresAt);
  });

  it("gives an expired user a new date from today, but not its keys or its grants", async () => {
    const project = await registerProject();
    const cookie = await login("owner@example.com");
    await readyBucket(cookie, project, "drop");
    const stack = stackName(project.id, "user", "temp");
    await readyUser(cookie, project, { name: "temp", permissions: [{ bucket: "drop", access: "read" }] }, stack);
    const key = await (await api(cookie, `/api/projects/${project.id}/users/temp/keys`, { method: "POST", body: "{}" })).json<CreatedKey>();
    const soon = new Date(Date.now() + 2_000).toISOString();
    const patched = await (await api(cookie, `/api/projects/${project.id}/users/temp`, { method: "PATCH", body: JSON.stringify({ expiresAt: soon }) })).json<UserAccepted>();
    await deliver([stackEvent(project, stack, "UPDATE_COMPLETE", { clientRequestToken: patched.operationId })]);
    // The expiry's own update (grants removed) runs, and completes.
    const stopped = await eventually(() => userOf(cookie, project.id, "temp"), (u) => u?.lock?.by === "Stackroom (expiry)", 15_000);
    expect(stopped?.keys[0]).toMatchObject({ accessKeyId: key.accessKeyId, status: "Inactive" });
    await deliver([stackEvent(project, stack, "UPDATE_COMPLETE", { clientRequestToken: stopped?.lock?.operationId })]);
    const expired = await eventually(() => userOf(cookie, project.id, "temp"), (u) => u?.status === "ready" && !u.lock);

    const now = Date.now();
    const expiresAt = extendedExpiry(expired?.spec.expiresAt ?? null, extensionDays(null), now);
    expect(Date.parse(expiresAt)).toBeGreaterThanOrEqual(now + 90 * DAY_MS);
    const res = await api(cookie, `/api/projects/${project.id}/users/temp`, { method: "PATCH", body: JSON.stringify({ expiresAt }) });
    expect(res.status).toBe(202);
    expect(await describeStack(project.accountId, project.region, stack)).toContain(`expiresAt=${expiresAt}`);
    const extended = (await res.json<UserAccepted>()).user;
    expect(extended.spec).toMatchObject({ expiresAt, permissions: [] });
    expect(await iamCall(project.accountId, { Action: "ListAccessKeys", UserName: "temp" })).toMatch(new RegExp(`${key.accessKeyId}</AccessKeyId>\\s*<Status>Inactive`));
  });
});
