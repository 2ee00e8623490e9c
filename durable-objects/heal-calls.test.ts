// Proves healing costs what changed: a heal over unchanged stacks lists them and reads no template; stacks updated,
// deleted or made outside Stackroom are read again (and only they), with their new spec in the room. A heal reads at
// most its budget of templates and leaves the rest to the next heal, taking none of them as gone.
import { env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { BucketSpec, ProjectRecord, ProjectView, UserSpec } from "../core/contract";
import { bucketStackInput } from "../core/bucket-template";
import { userStackInput } from "../core/user-template";
import { clientStackInput } from "../core/stack-input";
import { api, eventually, login, ORIGIN, projectCloudFormation, registerProject } from "../test/workers/harness";
import { refreshFromCloudFormation, type HealOutcome } from "./heal";
import { StoredUser } from "./kinds/user";

const OPS = { authorization: `Bearer ${env.OPS_TOKEN}`, "content-type": "application/json" };

/** CreateStack, UpdateStack or DeleteStack of one bucket's stack straight in CloudFormation, as Stackroom would write it. */
async function bucketStack(project: ProjectRecord, action: "CreateStack" | "UpdateStack" | "DeleteStack", name: string, spec: BucketSpec): Promise<void> {
  const cfn = await projectCloudFormation(project);
  const input = clientStackInput(bucketStackInput(project, name, spec));
  if (action === "CreateStack") await cfn.createStack(input);
  else if (action === "UpdateStack") expect((await cfn.updateStack(input)).changed).toBe(true);
  else await cfn.deleteStack({ stackName: input.stackName });
}

/** One heal through the ops resync, which answers the room's own count of its CloudFormation calls. */
async function heal(project: ProjectRecord): Promise<Required<HealOutcome>> {
  const res = await SELF.fetch(`${ORIGIN}/api/ops/projects/${project.id}/resync`, { method: "POST", headers: OPS, body: "{}" });
  expect(res.status).toBe(200);
  const outcome = await res.json<HealOutcome>();
  if (!outcome.calls) throw new Error(`no calls in ${JSON.stringify(outcome)}`);
  return { changed: outcome.changed, calls: outcome.calls };
}

describe("healing proportional to change", () => {
  it("lists unchanged stacks without reading their templates, and reads exactly the changed ones", async () => {
    const project = await registerProject();
    const cookie = await login("editor@example.com");
    const spec: BucketSpec = { versioning: true, encryption: "s3", expireAfterDays: 30 };
    const names = ["heal-0", "heal-1", "heal-2", "heal-3", "heal-4", "heal-5"];
    for (const name of names) await bucketStack(project, "CreateStack", name, spec);

    // The first heal sees every stack for the first time: one template each, all adopted.
    const first = await heal(project);
    expect(first.changed).toBe(6);
    expect(first.calls).toMatchObject({ getTemplate: 6, reused: 0 });
    expect(first.calls.describeStacksPages).toBeGreaterThanOrEqual(1);

    // Nothing changed: the list only.
    const second = await heal(project);
    expect(second).toEqual({ changed: 0, calls: { describeStacksPages: first.calls.describeStacksPages, getTemplate: 0, reused: 6 } });

    // Two stacks updated outside Stackroom: their templates, and only theirs, are read again.
    const changed: BucketSpec = { versioning: true, encryption: "s3", expireAfterDays: 7 };
    await bucketStack(project, "UpdateStack", "heal-1", changed);
    await bucketStack(project, "UpdateStack", "heal-4", changed);
    const third = await heal(project);
    expect(third).toEqual({ changed: 2, calls: { describeStacksPages: first.calls.describeStacksPages, getTemplate: 2, reused: 4 } });
    const view = await eventually(
      async () => (await api(cookie, `/api/projects/${project.id}`)).json<ProjectView>(),
      (v) => v.buckets.filter((b) => b.spec.expireAfterDays === 7).length === 2,
    );
    expect(view.buckets.filter((b) => b.spec.expireAfterDays === 7).map((b) => b.name).sort()).toEqual(["heal-1", "heal-4"]);

    // A second update of the same stack (same status, UPDATE_COMPLETE) is still seen, by its update time.
    await bucketStack(project, "UpdateStack", "heal-1", { ...changed, expireAfterDays: 3 });
    expect(await heal(project)).toEqual({ changed: 1, calls: { describeStacksPages: first.calls.describeStacksPages, getTemplate: 1, reused: 5 } });

    // A stack gone is forgotten: made again under the same name, its template is read again.
    await bucketStack(project, "DeleteStack", "heal-5", spec);
    const gone = await heal(project);
    expect(gone).toEqual({ changed: 1, calls: { describeStacksPages: first.calls.describeStacksPages, getTemplate: 0, reused: 5 } });
    await bucketStack(project, "CreateStack", "heal-5", { ...spec, expireAfterDays: 90 });
    expect(await heal(project)).toEqual({ changed: 1, calls: { describeStacksPages: first.calls.describeStacksPages, getTemplate: 1, reused: 5 } });
    const after = await eventually(
      async () => (await api(cookie, `/api/projects/${project.id}`)).json<ProjectView>(),
      (v) => v.buckets.find((b) => b.name === "heal-5")?.spec.expireAfterDays === 90,
    );
    expect(after.buckets.find((b) => b.name === "heal-1")?.spec.expireAfterDays).toBe(3);

    // An editor's refresh answers only what changed, as before.
    expect(await (await api(cookie, `/api/projects/${project.id}/refresh`, { method: "POST", body: "{}" })).json()).toEqual({ changed: 0 });
  });

  it("reads at most its budget of templates and leaves the rest to the next heal, none taken as gone", async () => {
    const project = await registerProject();
    const spec: BucketSpec = { versioning: true, encryption: "s3", expireAfterDays: 30 };
    const names = ["budget-0", "budget-1", "budget-2", "budget-3", "budget-4", "budget-5"];
    for (const name of names) await bucketStack(project, "CreateStack", name, spec);
    const stub = env.PROJECT_ROOM.get(env.PROJECT_ROOM.idFromName(project.id));
    const healWith = (budget: number) => runInDurableObject(stub, (room) => refreshFromCloudFormation(room, project, budget));
    const buckets = () => runInDurableObject(stub, (room) => room.store.list("bucket").map((b) => ({ name: b.resource.name, status: b.resource.status, days: (b.resource.spec as BucketSpec).expireAfterDays })));

    // Six new stacks, a budget of four: four adopted, two left for the next heal.
    const first = await healWith(4);
    expect(first.changed).toBe(4);
    expect(first.calls).toMatchObject({ getTemplate: 4, reused: 0, deferred: 2 });
    expect(await buckets()).toHaveLength(4);
    const second = await healWith(4);
    expect(second.changed).toBe(2);
    expect(second.calls).toMatchObject({ getTemplate: 2, reused: 4 });
    expect(second.calls?.deferred).toBeUndefined();
    expect((await buckets()).map((b) => b.name).sort()).toEqual(names);

    // Two updated outside Stackroom, a budget of one: one read now, the other kept as it was (not gone), read next.
    const changed: BucketSpec = { ...spec, expireAfterDays: 7 };
    await bucketStack(project, "UpdateStack", "budget-1", changed);
    await bucketStack(project, "UpdateStack", "budget-4", changed);
    const third = await healWith(1);
    expect(third.calls).toMatchObject({ getTemplate: 1, reused: 4, deferred: 1 });
    const between = await buckets();
    expect(between.map((b) => b.name).sort()).toEqual(names);
    expect(between.every((b) => b.status === "ready")).toBe(true);
    expect(between.filter((b) => b.days === 7)).toHaveLength(1);
    const fourth = await healWith(1);
    expect(fourth.calls).toMatchObject({ getTemplate: 1, reused: 5 });
    expect(fourth.calls?.deferred).toBeUndefined();
    expect((await buckets()).filter((b) => b.days === 7).map((b) => b.name).sort()).toEqual(["budget-1", "budget-4"]);
  });

  it("reads IAM only for users whose ids it lacks: none when nothing changed, a refused one again only once its stack changed", async () => {
    const project = await registerProject();
    const spec: UserSpec = { description: null, permissions: [], expiresAt: null, sftp: null };
    // IAM's refusals are scripted by user name, for the whole run: this one is the test's own.
    const denied = `denied-${project.id}`;
    const names = ["ids-0", "ids-1", "ids-2", denied];
    const refuse = (on: boolean) => fetch(`${env.AWS_ENDPOINT}/__recorded/iam-refusal`, { method: "POST", body: JSON.stringify({ action: "GetUser", userName: denied, refuse: on }) });
    const cfn = await projectCloudFormation(project);
    for (const name of names) await cfn.createStack(clientStackInput(userStackInput(project, name, spec)));
    await refuse(true);
    const stub = env.PROJECT_ROOM.get(env.PROJECT_ROOM.idFromName(project.id));
    const ids = () => runInDurableObject(stub, (room) => Object.fromEntries(room.store.listAs("user", StoredUser).map((u) => [u.resource.name, u.iamUserId ?? null])));

    // Four users adopted, and one GetUser each: three ids learned, one refused (AccessDenied).
    const first = await heal(project);
    expect(first.changed).toBe(4 + 3);
    expect(first.calls).toMatchObject({ getTemplate: 4, reused: 0, awsReads: 4 });
    expect(Object.values(await ids()).filter((id) => id !== null)).toHaveLength(3);

    // Nothing changed: no IAM call, not even for the refused user.
    const second = await heal(project);
    expect(second).toEqual({ changed: 0, calls: { describeStacksPages: first.calls.describeStacksPages, getTemplate: 0, reused: 4 } });

    // Its stack changes (and the permission is there now): read again, once.
    await refuse(false);
    expect((await cfn.updateStack(clientStackInput(userStackInput(project, denied, { ...spec, description: "changed" })))).changed).toBe(true);
    const third = await heal(project);
    expect(third.calls).toMatchObject({ getTemplate: 1, reused: 3, awsReads: 1 });
    expect((await ids())[denied]).not.toBeNull();
    const fourth = await heal(project);
    expect(fourth.calls.awsReads).toBeUndefined();
    expect(fourth.changed).toBe(0);
  });
});
