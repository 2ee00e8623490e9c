// Proves the room learns who writes files: a user's IAM id once its stack completes, and its SFTP role's id once the stack names the role; S3 events carrying either id are told as that user (a role session by the role's id), and once SFTP is off the role's sessions are outside Stackroom again.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { OUTSIDE_STACKROOM, type FileList, type ProjectRecord, type ProjectView, type SftpAccepted, type UserAccepted } from "../core/contract";
import { stackName } from "../core/naming";
import { accountClient, api, deliver, deliverObjects, eventually, iamCall, login, objectEvent, readyBucket, readyUser, registerProject, stackEvent } from "../test/workers/harness";
import { StoredUser } from "./kinds/user";

// Made with `ssh-keygen -t ed25519 -C ann@example` (public half only).
const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOrqTQvPVMu6nFljji66stLURQIBidk7Mndz752nKraM ann@example";
const room = (projectId: string) => env.PROJECT_ROOM.get(env.PROJECT_ROOM.idFromName(projectId));
const storedUser = (project: ProjectRecord, name: string) => runInDurableObject(room(project.id), (r) => r.store.getAs("user", name, StoredUser) ?? null);
const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]+)</${name}>`).exec(xml)?.[1] ?? "";

async function filesBy(cookie: string, project: ProjectRecord, bucket: string): Promise<Record<string, string>> {
  const listed = await (await api(cookie, `/api/projects/${project.id}/buckets/${bucket}/files`)).json<FileList>();
  return Object.fromEntries(listed.files.map((f) => [f.key, f.by]));
}

async function view(cookie: string, project: ProjectRecord, done: (v: ProjectView) => boolean): Promise<ProjectView> {
  return eventually(async () => (await api(cookie, `/api/projects/${project.id}`)).json<ProjectView>(), done);
}

/** The physical id (the role's name) CloudFormation (moto) gave a user stack's SftpRole. */
async function sftpRoleName(project: ProjectRecord, user: string): Promise<string> {
  const cfn = await accountClient(project.accountId, "cloudformation", project.region);
  const form = new URLSearchParams({ Action: "DescribeStackResource", Version: "2010-05-15", StackName: stackName(project.id, "user", user), LogicalResourceId: "SftpRole" }).toString();
  const xml = await (await cfn.fetch(`${env.AWS_ENDPOINT}/`, { method: "POST", body: form, headers: { "content-type": "application/x-www-form-urlencoded" } })).text();
  return tag(xml, "PhysicalResourceId");
}

describe("who writes files", () => {
  it("learns a user's IAM id from IAM once its stack completes, and tells the user's uploads by it", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    await readyBucket(owner, project, "drop");
    await readyUser(owner, project, { name: "partner", permissions: [{ bucket: "drop", access: "write" }] }, stackName(project.id, "user", "partner"));
    const userId = tag(await iamCall(project.accountId, { Action: "GetUser", UserName: "partner" }), "UserId");
    expect(userId).not.toBe("");
    expect((await eventually(() => storedUser(project, "partner"), (u) => u?.iamUserId !== undefined))?.iamUserId).toBe(userId);

    await deliverObjects(project, [
      objectEvent(project, "drop", "in/by-partner.csv", { principalId: `AWS:${userId}` }),
      objectEvent(project, "drop", "in/anonymous.csv", { principalId: "anonymous" }),
    ]);
    expect(await filesBy(owner, project, "drop")).toEqual({ "in/by-partner.csv": "partner", "in/anonymous.csv": OUTSIDE_STACKROOM });
  });

  it("learns the id of a user's SFTP role, tells its sessions as the user, and forgets it when SFTP is off", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    await readyBucket(owner, project, "inbox");
    const on = await api(owner, `/api/projects/${project.id}/sftp`, { method: "PUT", body: JSON.stringify({ enabled: true }) });
    const sftpStack = stackName(project.id, "sftp");
    await deliver([stackEvent(project, sftpStack, "CREATE_COMPLETE", { clientRequestToken: (await on.json<SftpAccepted>()).operationId })]);
    await view(owner, project, (v) => v.sftpServers[0]?.status === "ready");

    const created = await api(owner, `/api/projects/${project.id}/users`, { method: "POST", body: JSON.stringify({ name: "partner", permissions: [{ bucket: "inbox", access: "write" }], sftp: { sshPublicKeys: [KEY] } }) });
    expect(created.status).toBe(202);
    const userStack = stackName(project.id, "user", "partner");
    const roleName = await sftpRoleName(project, "partner");
    expect(roleName).not.toBe("");
    const token = { clientRequestToken: (await created.json<UserAccepted>()).operationId };
    await deliver([
      stackEvent(project, userStack, "CREATE_COMPLETE", { ...token, logicalResourceId: "SftpRole", resourceType: "AWS::IAM::Role", physicalResourceId: roleName }),
      stackEvent(project, userStack, "CREATE_COMPLETE", token),
    ]);
    const roleId = tag(await iamCall(project.accountId, { Action: "GetRole", RoleName: roleName }), "RoleId");
    expect(roleId).toMatch(/^AROA/);
    const learned = await eventually(() => storedUser(project, "partner"), (u) => u?.sftpRole?.id !== undefined);
    expect(learned?.sftpRole).toEqual({ name: roleName, id: roleId });

    await deliverObjects(project, [objectEvent(project, "inbox", "over-sftp.csv", { principalId: `AWS:${roleId}:partner` })]);
    expect(await filesBy(owner, project, "inbox")).toEqual({ "over-sftp.csv": "partner" });

    // SFTP off for the user: the role goes with it, and so does the name its sessions were told by.
    const off = await api(owner, `/api/projects/${project.id}/users/partner`, { method: "PATCH", body: JSON.stringify({ sftp: null }) });
    expect(off.status).toBe(202);
    await deliver([stackEvent(project, userStack, "UPDATE_COMPLETE", { clientRequestToken: (await off.json<UserAccepted>()).operationId })]);
    expect((await eventually(() => storedUser(project, "partner"), (u) => u?.sftpRole === undefined))?.sftpRole).toBeUndefined();
    await deliverObjects(project, [objectEvent(project, "inbox", "after.csv", { principalId: `AWS:${roleId}:partner` })]);
    expect((await filesBy(owner, project, "inbox"))["after.csv"]).toBe(OUTSIDE_STACKROOM);
  });
});
