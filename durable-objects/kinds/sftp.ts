import * as z from "zod";
import { SFTP_SERVER_NAME, SftpServer, SftpServerSpec, sftpUnavailable, type ProjectRecord, type SftpEndpoint, type User } from "../../core/contract";
import { DEFAULT_SFTP_SERVER_SPEC, readSftpSpecFromTemplate, sftpServerTemplate, sftpStackTags } from "../../core/sftp-server-template";
import { TemplateMetadataError } from "../../core/template-metadata";
import { stackName } from "../../core/naming";
import { describeIssues } from "../../core/zod-issues";
import type { RoomContext } from "../room-context";
import { RoomError } from "../room-error";
import { assertUnlocked, lockResource, refused, roomErrorFromAws } from "../stack-operation";
import { defineKind, storedSchema, type ChangeRequest, type Operation, type OperationOutcome, type StackFacts } from "./kind";
import { StoredUser } from "./user";

/**
 * The project's SFTP server (AWS Transfer Family), one stack `stackroom-<project>-sftp`: turned on
 * and off by an owner, through the same lock, queue, live and failure path as every resource.
 * Every SFTP user stack imports the server's export, so it can only be turned off once no user
 * has SFTP access, and a user gets SFTP access only while the server stands.
 */
export const StoredSftp = storedSchema(SftpServer, SftpServerSpec, {});
export type StoredSftp = z.infer<typeof StoredSftp>;

export const SftpChange = z.discriminatedUnion("action", [
  /** Turn SFTP on: the server with Stackroom's current settings. */
  z.object({ action: z.literal("create") }),
  /** These settings applied again (a retry after CloudFormation rolled an update back). */
  z.object({ action: z.literal("update"), spec: SftpServerSpec }),
  /** Turn SFTP off: the server, its logging role and log group go. */
  z.object({ action: z.literal("delete") }),
]);
export type SftpChange = z.infer<typeof SftpChange>;

const LABEL = "the SFTP server";

/** Transfer Family's public endpoint of a server: `<id>.server.transfer.<region>.amazonaws.com`, port 22. */
export function transferEndpoint(serverId: string, region: string): SftpEndpoint {
  const domain = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return { host: `${serverId}.server.transfer.${region}.${domain}`, port: 22 };
}

/** Users (not deleted) whose spec has SFTP access, including one an operation is giving it right now. */
export function usersWithSftp(users: User[]): string[] {
  return users.filter((u) => u.status !== "deleted" && u.spec.sftp).map((u) => u.name);
}

/**
 * Why a user cannot be given SFTP access now, or null when the server stands: created
 * successfully and not going away. A user stack importing the export of a server that is not
 * there would only fail in CloudFormation, minutes later.
 */
/** Why users cannot get SFTP access now (see the contract's `sftpUnavailable`), or null. */
export function sftpServerUnavailable(server: StoredSftp | undefined): string | null {
  return sftpUnavailable(server?.resource, server?.appliedSpec != null);
}

export function planSftpChange(request: ChangeRequest<SftpChange>, current: StoredSftp | undefined, projectUsers: User[], operationId: string, now: string): StoredSftp {
  const { change, actor } = request;
  assertUnlocked(LABEL, current?.resource);
  const live = current !== undefined && current.resource.status !== "deleted";

  if (change.action === "create") {
    if (live) {
      const why = current.resource.status === "failed" ? "Turning SFTP on failed earlier: turn it off (which removes the failed server), then on again." : "SFTP is already on for this project.";
      throw new RoomError("conflict", why, { enabled: why });
    }
    const spec = DEFAULT_SFTP_SERVER_SPEC;
    return { resource: lockResource({ name: SFTP_SERVER_NAME, spec, status: "creating", updatedAt: now }, spec, "create", actor, operationId, now), appliedSpec: null };
  }
  if (!live) throw new RoomError("conflict", "SFTP is already off for this project.", { enabled: "SFTP is already off." });
  if (change.action === "delete") {
    const users = usersWithSftp(projectUsers);
    if (users.length > 0) {
      const who = users.join(", ");
      throw new RoomError("conflict", `${who} still ${users.length === 1 ? "has" : "have"} SFTP access. Remove their SSH keys first; nothing was changed.`, { users: users.join(",") });
    }
    return { ...current, resource: lockResource(current.resource, current.resource.spec, "delete", actor, operationId, now) };
  }
  if (current.appliedSpec === null) throw new RoomError("conflict", "The SFTP server was never created successfully; turn SFTP off and on again.");
  return { ...current, resource: lockResource(current.resource, change.spec, "update", actor, operationId, now) };
}

function describe(actor: string, change: SftpChange, spec: SftpServerSpec): { message: string; detail?: string } {
  switch (change.action) {
    case "create":
      return { message: `${actor} started turning SFTP on (an AWS Transfer Family server, ${spec.securityPolicy})`, detail: `an AWS Transfer Family server, ${spec.securityPolicy}` };
    case "update":
      return { message: `${actor} started applying the SFTP server's settings again (${spec.securityPolicy})`, detail: spec.securityPolicy };
    case "delete":
      return { message: `${actor} started turning SFTP off (the Transfer Family server is deleted)`, detail: "the Transfer Family server is deleted" };
  }
}

/** Sends the planned change to CloudFormation; the server's logging role has no name, so CAPABILITY_IAM. */
async function runSftp(room: RoomContext, request: ChangeRequest<SftpChange>, planned: StoredSftp, operationId: string): Promise<OperationOutcome> {
  const { project, change } = request;
  const gateway = room.gateway(project);
  const stack = stackName(project.id, "sftp");
  const spec = planned.resource.spec;
  try {
    if (change.action === "delete") {
      await gateway.deleteStack({ stackName: stack, operationId });
      return { kind: "started" };
    }
    const input = {
      stackName: stack,
      templateBody: sftpServerTemplate({ projectId: project.id, accountId: project.accountId, region: project.region, spec }),
      tags: sftpStackTags({ projectId: project.id, spec }),
      operationId,
      capabilities: ["CAPABILITY_IAM"] as const,
    };
    if (change.action === "create") {
      await gateway.createStack(input);
      return { kind: "started" };
    }
    const { changed } = await gateway.updateStack(input);
    return changed ? { kind: "started" } : { kind: "noop", message: "The SFTP server already had these settings; nothing changed" };
  } catch (err) {
    return refused(roomErrorFromAws(err, LABEL, change.action));
  }
}

function sftpOperation(room: RoomContext, request: ChangeRequest<SftpChange>): Operation {
  const users = () => room.store.listAs("user", StoredUser).map((u) => u.resource);
  return {
    kind: "sftp",
    name: SFTP_SERVER_NAME,
    action: request.change.action,
    actor: request.actor,
    plan: (operationId, now, assumed) => planSftpChange(request, assumed ? assumed.current && StoredSftp.parse(assumed.current) : room.store.getAs("sftp", SFTP_SERVER_NAME, StoredSftp), users(), operationId, now),
    describe: (planned) => describe(request.actor, request.change, StoredSftp.parse(planned).resource.spec),
    run: (planned, operationId) => runSftp(room, request, StoredSftp.parse(planned), operationId),
  };
}

/** The server's id (from its `ServerId` output, or the ARN CloudFormation reports as its physical id). */
function serverIdFrom(facts: StackFacts): string | undefined {
  for (const text of [facts.outputs.ServerId, facts.physicalIds.Server]) {
    const id = /(?:^|\/)(s-[0-9a-f]{17})$/.exec(text ?? "")?.[1];
    if (id) return id;
  }
  return undefined;
}

export const sftpKind = defineKind<SftpChange, StoredSftp>({
  kind: "sftp",
  noun: "SFTP",
  // It costs money by the hour and opens a new way in.
  changeRole: "owner",
  label: () => LABEL,
  listKey: "sftpServers",
  stored: StoredSftp,
  change: SftpChange,
  spec: SftpServerSpec,
  nameOf: () => SFTP_SERVER_NAME,
  operation: sftpOperation,
  summarize(change) {
    return change.action === "create" ? "turn SFTP on" : change.action === "delete" ? "turn SFTP off" : "apply the SFTP settings again";
  },
  retry(stored) {
    if (stored.stackStatus === "DELETE_FAILED") return { action: "delete" };
    return stored.failedSpec ? { action: "update", spec: stored.failedSpec } : null;
  },
  readSpec(templateBody) {
    try {
      return readSftpSpecFromTemplate(templateBody)?.spec ?? null;
    } catch (err) {
      if (err instanceof TemplateMetadataError) return null;
      throw err;
    }
  },
  adopt(_project: ProjectRecord, _name, spec, state, now) {
    return { resource: { name: SFTP_SERVER_NAME, spec, status: state.status, statusReason: state.reason, updatedAt: now }, appliedSpec: state.status === "ready" ? spec : null };
  },
  /**
   * Where clients connect, once the server stands: Transfer Family's endpoint of the server id
   * CloudFormation reported, or the local stand-in (moto creates no Transfer server, so no id).
   */
  learn(room, project, stored, facts) {
    const serverId = serverIdFrom(facts) ?? stored.resource.serverId;
    const stands = stored.appliedSpec !== null && stored.resource.status !== "deleted";
    const fresh = stands ? (room.localSftpEndpoint() ?? (serverId ? transferEndpoint(serverId, project.region) : undefined)) : undefined;
    // Transfer Family's host-key fingerprint is learned by healing (heal.ts learnSftpHostKey), not
    // from CloudFormation: it stays while clients still connect to the same place.
    const known = stored.resource.endpoint;
    const endpoint = fresh && !fresh.hostKey && known?.hostKey && known.host === fresh.host && known.port === fresh.port ? { ...fresh, hostKey: known.hostKey } : fresh;
    if (serverId === stored.resource.serverId && JSON.stringify(endpoint) === JSON.stringify(stored.resource.endpoint)) return null;
    return { ...stored, resource: { ...stored.resource, serverId, endpoint } };
  },
  invalid: (error) => {
    const { message, fields } = describeIssues(error, "The SFTP change");
    return new RoomError("invalid", message, fields);
  },
});
