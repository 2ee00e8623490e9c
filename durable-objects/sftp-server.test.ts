// Proves the SFTP server is a resource like any other — owner-only, locked while its stack runs, queued behind itself, failing with CloudFormation's reason — and that users get SFTP access only while it stands and it turns off only when no user has SFTP. A user whose stored key a stricter check now refuses gets a 400 naming it, never a 500.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ErrorEnvelope, ProjectRecord, ProjectView, SftpAccepted, StackEvent, UserAccepted } from "../core/contract";
import { stackName } from "../core/naming";
import { accountClient, api, deliver, eventually, login, readyBucket, registerProject, stackEvent } from "../test/workers/harness";

// Made with `ssh-keygen -t ed25519 -C ann@example` (public half only).
const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOrqTQvPVMu6nFljji66stLURQIBidk7Mndz752nKraM ann@example";
const SERVER_ID = "s-0123456789abcdef0";

const sftpPath = (project: ProjectRecord) => `/api/projects/${project.id}/sftp`;
const turn = (cookie: string, project: ProjectRecord, enabled: unknown, extra: Record<string, unknown> = {}) =>
  api(cookie, sftpPath(project), { method: "PUT", body: JSON.stringify({ enabled, ...extra }) });

async function view(cookie: string, project: ProjectRecord, done: (v: ProjectView) => boolean): Promise<ProjectView> {
  return eventually(async () => (await api(cookie, `/api/projects/${project.id}`)).json<ProjectView>(), done);
}

/** The server stack's events as CloudFormation sends them for a create: the Server's physical id is its ARN. */
function created(project: ProjectRecord, operationId: string, serverId = SERVER_ID): StackEvent[] {
  const stack = stackName(project.id, "sftp");
  const arn = `arn:aws:transfer:${project.region}:${project.accountId}:server/${serverId}`;
  const token = { clientRequestToken: operationId };
  return [
    stackEvent(project, stack, "CREATE_IN_PROGRESS", token),
    stackEvent(project, stack, "CREATE_COMPLETE", { ...token, logicalResourceId: "Server", resourceType: "AWS::Transfer::Server", physicalResourceId: arn }),
    stackEvent(project, stack, "CREATE_COMPLETE", token),
  ];
}

async function turnedOn(cookie: string, project: ProjectRecord): Promise<void> {
  const res = await turn(cookie, project, true);
  expect(res.status).toBe(202);
  await deliver(created(project, (await res.json<SftpAccepted>()).operationId));
  await view(cookie, project, (v) => v.sftpServers[0]?.status === "ready");
}

describe("SFTP server", () => {
  it("is turned on by owners only, through the lock, and shows Transfer Family's endpoint once ready", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    const editor = await login("editor@example.com");
    expect((await turn(editor, project, true)).status).toBe(403);
    const bad = await turn(owner, project, "yes");
    expect(bad.status).toBe(400);
    expect((await bad.json<ErrorEnvelope>()).error.fields).toHaveProperty("enabled");
    expect((await view(owner, project, () => true)).sftpServers).toEqual([]);

    const res = await turn(owner, project, true);
    expect(res.status).toBe(202);
    const accepted = await res.json<SftpAccepted>();
    expect(accepted.sftp).toMatchObject({ name: "server", status: "creating", lock: { by: "owner@example.com", action: "create" }, spec: { securityPolicy: "TransferSecurityPolicy-2025-03" } });
    expect(accepted.sftp.endpoint).toBeUndefined();

    // The stack was really created (in moto), from the SFTP server template.
    const cfn = await accountClient(project.accountId, "cloudformation", project.region);
    const form = new URLSearchParams({ Action: "DescribeStacks", Version: "2010-05-15", StackName: stackName(project.id, "sftp") }).toString();
    const described = await (await cfn.fetch(`${env.AWS_ENDPOINT}/`, { method: "POST", body: form, headers: { "content-type": "application/x-www-form-urlencoded" } })).text();
    expect(described).toContain("<Key>stackroom:kind</Key><Value>sftp</Value>");

    await deliver(created(project, accepted.operationId));
    const ready = await view(owner, project, (v) => v.sftpServers[0]?.status === "ready");
    expect(ready.sftpServers[0]).toMatchObject({ serverId: SERVER_ID, endpoint: { host: `${SERVER_ID}.server.transfer.${project.region}.amazonaws.com`, port: 22 } });
    expect(ready.sftpServers[0]?.lock).toBeUndefined();

    const again = await turn(owner, project, true);
    expect(again.status).toBe(409);
    expect((await again.json<ErrorEnvelope>()).error.message).toMatch(/already on/);
  });

  it("learns Transfer Family's host-key fingerprint once the server stands, and keeps it on the endpoint through healing", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    // The project account's Transfer server (moto answers DescribeServer's fingerprint with what it was created with).
    const fingerprint = "SHA256:7bYQTdBkE0c8d8nkyg0n6Qo2gl6d+cqJ2LaWJKIzqTY";
    const transfer = await accountClient(project.accountId, "transfer", project.region);
    const made = await transfer.fetch(env.AWS_ENDPOINT, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "TransferService.CreateServer" },
      body: JSON.stringify({ Protocols: ["SFTP"], EndpointType: "PUBLIC", IdentityProviderType: "SERVICE_MANAGED", HostKey: `${fingerprint}=` }),
    });
    const { ServerId: serverId } = await made.json<{ ServerId: string }>();
    const res = await turn(owner, project, true);
    await deliver(created(project, (await res.json<SftpAccepted>()).operationId, serverId));
    const host = `${serverId}.server.transfer.${project.region}.amazonaws.com`;
    // Asked of Transfer Family as soon as the stack's completion arrives, not at the next heal.
    const learned = await view(owner, project, (v) => v.sftpServers[0]?.endpoint?.hostKey !== undefined);
    // Written as ssh-keygen -l prints it (AWS's padding dropped); Transfer Family's API names no key type here.
    expect(learned.sftpServers[0]?.endpoint).toEqual({ host, port: 22, hostKey: { fingerprint } });
    const log = await (await api(owner, `/api/projects/${project.id}/activity`)).json<{ entries: Array<{ message: string }> }>();
    expect(log.entries.map((e) => e.message)).toContain(`Transfer Family gave the SFTP server's host key fingerprint, ${fingerprint}: recipients of new links can check their first connection against it`);

    // Healing re-learns the endpoint from CloudFormation and keeps the fingerprint.
    expect((await api(owner, `/api/projects/${project.id}/refresh`, { method: "POST", body: "{}" })).status).toBe(200);
    expect((await view(owner, project, () => true)).sftpServers[0]?.endpoint).toEqual({ host, port: 22, hostKey: { fingerprint } });
  });

  it("gives users SFTP access only while the server stands, and turns off only when no user has it", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    await readyBucket(owner, project, "inbox");
    const users = `/api/projects/${project.id}/users`;
    const partner = { name: "partner", permissions: [{ bucket: "inbox", access: "read" }], sftp: { sshPublicKeys: [KEY] } };

    const off = await api(owner, users, { method: "POST", body: JSON.stringify(partner) });
    expect(off.status).toBe(409);
    expect((await off.json<ErrorEnvelope>()).error).toMatchObject({ code: "conflict", fields: { sftp: expect.stringMatching(/SFTP is off/) } });

    const starting = await turn(owner, project, true);
    const early = await api(owner, users, { method: "POST", body: JSON.stringify(partner) });
    expect(early.status).toBe(409);
    expect((await early.json<ErrorEnvelope>()).error.fields?.sftp).toMatch(/still being turned on/);
    await deliver(created(project, (await starting.json<SftpAccepted>()).operationId));
    await view(owner, project, (v) => v.sftpServers[0]?.status === "ready");

    const made = await api(owner, users, { method: "POST", body: JSON.stringify(partner) });
    expect(made.status).toBe(202);
    const userStack = stackName(project.id, "user", "partner");
    await deliver([stackEvent(project, userStack, "CREATE_COMPLETE", { clientRequestToken: (await made.json<UserAccepted>()).operationId })]);
    await view(owner, project, (v) => v.users[0]?.status === "ready");

    const refused = await turn(owner, project, false);
    expect(refused.status).toBe(409);
    const refusal = (await refused.json<ErrorEnvelope>()).error;
    expect(refusal.message).toMatch(/partner still has SFTP access/);
    expect(refusal.fields).toEqual({ users: "partner" });
    expect((await view(owner, project, () => true)).sftpServers[0]).toMatchObject({ status: "ready" });

    // Removing only the SFTP access: an UpdateStack that drops the user's Transfer user and role.
    const removed = await api(owner, `${users}/partner`, { method: "PATCH", body: JSON.stringify({ sftp: null }) });
    expect(removed.status).toBe(202);
    await deliver([stackEvent(project, userStack, "UPDATE_COMPLETE", { clientRequestToken: (await removed.json<UserAccepted>()).operationId })]);
    const withoutSftp = await view(owner, project, (v) => v.users[0]?.status === "ready" && !v.users[0].spec.sftp);
    expect(withoutSftp.users[0]?.spec.permissions).toEqual([{ bucket: "inbox", access: "read" }]);

    const turnedOff = await turn(owner, project, false);
    expect(turnedOff.status).toBe(202);
    const deleting = await turnedOff.json<SftpAccepted>();
    expect(deleting.sftp).toMatchObject({ status: "deleting", lock: { action: "delete" } });
    await deliver([stackEvent(project, stackName(project.id, "sftp"), "DELETE_COMPLETE", { clientRequestToken: deleting.operationId })]);
    expect((await view(owner, project, (v) => v.sftpServers.length === 0)).sftpServers).toEqual([]);
  });

  it("queues a change behind the running operation and runs it by itself; queue:false is refused as locked", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    const on = await (await turn(owner, project, true)).json<SftpAccepted>();

    const impatient = await turn(owner, project, false, { queue: false });
    expect(impatient.status).toBe(409);
    expect((await impatient.json<ErrorEnvelope>()).error).toMatchObject({ code: "locked", message: expect.stringMatching(/^The SFTP server is being changed by owner@example.com/) });

    const queued = await turn(owner, project, false);
    expect(queued.status).toBe(202);
    const waiting = await queued.json<SftpAccepted>();
    expect(waiting.sftp.queue).toEqual([expect.objectContaining({ operationId: waiting.operationId, action: "delete", summary: "turn SFTP off" })]);

    await deliver(created(project, on.operationId));
    const running = await view(owner, project, (v) => v.sftpServers[0]?.lock?.operationId === waiting.operationId);
    expect(running.sftpServers[0]).toMatchObject({ status: "deleting", lock: { action: "delete", operationId: waiting.operationId } });
    expect(running.sftpServers[0]?.queue).toBeUndefined();
  });

  it("fails with CloudFormation's reason; enabling again says to turn it off first, and turning it off clears it", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    const on = await (await turn(owner, project, true)).json<SftpAccepted>();
    const stack = stackName(project.id, "sftp");
    const token = { clientRequestToken: on.operationId };
    const reason = "Resource handler returned message: \"Service quota exceeded: servers per account\" (Service: Transfer, Status Code: 400)";
    await deliver([
      stackEvent(project, stack, "CREATE_IN_PROGRESS", token),
      stackEvent(project, stack, "CREATE_FAILED", { ...token, logicalResourceId: "Server", resourceType: "AWS::Transfer::Server", resourceStatusReason: reason }),
      stackEvent(project, stack, "ROLLBACK_IN_PROGRESS", { ...token, resourceStatusReason: "The following resource(s) failed to create: [Server]." }),
      stackEvent(project, stack, "ROLLBACK_COMPLETE", token),
    ]);
    const failed = await view(owner, project, (v) => v.sftpServers[0]?.status === "failed");
    expect(failed.sftpServers[0]?.statusReason).toMatch(/SFTP server/);
    expect(failed.sftpServers[0]?.statusReason).toMatch(/quota/);
    expect(failed.sftpServers[0]?.lock).toBeUndefined();

    const again = await turn(owner, project, true);
    expect(again.status).toBe(409);
    expect((await again.json<ErrorEnvelope>()).error.message).toMatch(/turn it off/);

    const off = await turn(owner, project, false);
    expect(off.status).toBe(202);
    expect((await off.json<SftpAccepted>()).sftp).toMatchObject({ status: "deleting" });
  });

  it("offers retry after DELETE_FAILED, through the same repair path as buckets and users", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    await turnedOn(owner, project);
    const off = await (await turn(owner, project, false)).json<SftpAccepted>();
    const stack = stackName(project.id, "sftp");
    await deliver([
      stackEvent(project, stack, "DELETE_IN_PROGRESS", { clientRequestToken: off.operationId }),
      stackEvent(project, stack, "DELETE_FAILED", { clientRequestToken: off.operationId, resourceStatusReason: "The following resource(s) failed to delete: [LogGroup]." }),
    ]);
    const failed = await view(owner, project, (v) => v.sftpServers[0]?.status === "failed");
    expect(failed.sftpServers[0]?.actions).toEqual(["retry"]);

    const editor = await login("editor@example.com");
    expect((await api(editor, `${sftpPath(project)}/actions`, { method: "POST", body: JSON.stringify({ action: "retry" }) })).status).toBe(403);
    const retried = await api(owner, `${sftpPath(project)}/actions`, { method: "POST", body: JSON.stringify({ action: "retry" }) });
    expect(retried.status).toBe(202);
    expect((await retried.json<SftpAccepted>()).sftp).toMatchObject({ status: "deleting", lock: { action: "delete" } });
  });

  it("refuses to update a user whose stored SSH key is no longer accepted (400 naming it), and nothing is started", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    await readyBucket(owner, project, "inbox");
    await turnedOn(owner, project);
    const made = await api(owner, `/api/projects/${project.id}/users`, { method: "POST", body: JSON.stringify({ name: "partner", permissions: [{ bucket: "inbox", access: "read" }], sftp: { sshPublicKeys: [KEY] } }) });
    expect(made.status).toBe(202);
    await deliver([stackEvent(project, stackName(project.id, "user", "partner"), "CREATE_COMPLETE", { clientRequestToken: (await made.json<UserAccepted>()).operationId })]);
    await view(owner, project, (v) => v.users[0]?.status === "ready");
    // As if stored before the check existed: the all-zero (small-order) Ed25519 key.
    const zero = `ssh-ed25519 ${btoa(String.fromCharCode(0, 0, 0, 11, ..."ssh-ed25519".split("").map((c) => c.charCodeAt(0)), 0, 0, 0, 32, ...new Array<number>(32).fill(0)))}`;
    const stub = env.PROJECT_ROOM.get(env.PROJECT_ROOM.idFromName(project.id));
    await runInDurableObject(stub, (room) => {
      const stored = room.store.get("user", "partner");
      if (!stored) throw new Error("no user");
      const spec = { ...stored.resource.spec, sftp: { sshPublicKeys: [zero] } };
      room.store.put("user", { ...stored, resource: { ...stored.resource, spec }, appliedSpec: spec });
    });

    const res = await api(owner, `/api/projects/${project.id}/users/partner`, { method: "PATCH", body: JSON.stringify({ description: "still here" }) });
    expect(res.status).toBe(400);
    const { error } = await res.json<ErrorEnvelope>();
    expect(error.message).toMatch(/SSH key 1 is no longer accepted: .*Replace it/);
    expect(error.fields).toHaveProperty(["sftp.sshPublicKeys"]);
    const after = await view(owner, project, () => true);
    expect(after.users[0]?.lock).toBeUndefined();
  });
});
