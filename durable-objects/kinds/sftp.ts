import * as z from "zod";
import { SFTP_SERVER_NAME, SftpServer, SftpServerSpec, sftpHostKey, sha256Fingerprint, type ProjectRecord, type SftpEndpoint, type User } from "../../core/contract";
import { KINDS, type KindFacts } from "../../core/kinds";
import { errorText, logEvent } from "../../core/log";
import { DEFAULT_SFTP_SERVER_SPEC, readSftpSpecFromTemplate, sftpServerTemplate, sftpStackTags } from "../../core/sftp-server-template";
import { TemplateMetadataError } from "../../core/template-metadata";
import { stackName } from "../../core/naming";
import { describeIssues } from "../../core/zod-issues";
import type { RoomContext } from "../room-context";
import { RoomError } from "../room-error";
import { assertUnlocked, lockResource, refused, roomErrorFromAws, ROOM_ACTOR } from "./kit";
import { defineKind, storedSchema, type ChangeRequest, type Operation, type OperationOutcome, type StackFacts } from "./kind";

/**
 * The project's SFTP server (AWS Transfer Family), one stack `stackroom-<project>-sftp`: turned on
 * and off by an owner, through the same lock, queue, live and failure path as every resource.
 * Every SFTP user stack imports the server's export, so it can only be turned off once no user
 * has SFTP access, and a user gets SFTP access only while the server stands.
 */
export const StoredSftp = storedSchema(SftpServer, SftpServerSpec, {});
export type StoredSftp = z.infer<typeof StoredSftp>;

const SftpChange = z.discriminatedUnion("action", [
  /** Turn SFTP on: the server with Stackroom's current settings. */
  z.object({ action: z.literal("create") }),
  /** These settings applied again (a retry after CloudFormation rolled an update back). */
  z.object({ action: z.literal("update"), spec: SftpServerSpec }),
  /** Turn SFTP off: the server, its logging role and log group go. */
  z.object({ action: z.literal("delete") }),
]);
type SftpChange = z.infer<typeof SftpChange>;

const SFTP_FACTS: KindFacts = KINDS.sftp;
const LABEL = SFTP_FACTS.label(SFTP_SERVER_NAME);

/** What only the SFTP server asks of where it runs: Transfer Family, and the local stand-in that replaces it. */
interface SftpGateway {
  /** The server's host-key fingerprint as Transfer Family answers it (DescribeServer), or undefined while it has none. */
  hostKeyFingerprint(serverId: string): Promise<string | undefined>;
  /** Where SFTP clients connect when a local stand-in replaces Transfer Family (`npm run dev`); undefined in production. */
  localEndpoint(): SftpEndpoint | undefined;
}

function sftpGateway(room: Pick<RoomContext, "aws" | "environment">, project: ProjectRecord): SftpGateway {
  return {
    hostKeyFingerprint: async (serverId) => (await room.aws(project).transfer.describeServer(serverId)).hostKeyFingerprint,
    localEndpoint() {
      const env = room.environment();
      const [host, port] = (env.LOCAL_SFTP_ENDPOINT ?? "").split(":");
      if (!host || !port || !Number.isInteger(Number(port))) return undefined;
      const configured = env.LOCAL_SFTP_HOST_KEY ?? "";
      const hostKey = sftpHostKey(configured);
      if (configured !== "" && !hostKey) logEvent("warn", "local_sftp_host_key_unreadable", { length: configured.length });
      return hostKey ? { host, port: Number(port), hostKey } : { host, port: Number(port) };
    },
  };
}

/** Transfer Family's public endpoint of a server: `<id>.server.transfer.<region>.amazonaws.com`, port 22. */
function transferEndpoint(serverId: string, region: string): SftpEndpoint {
  const domain = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return { host: `${serverId}.server.transfer.${region}.${domain}`, port: 22 };
}

/** Users (not deleted) whose spec has SFTP access, including one an operation is giving it right now. */
function usersWithSftp(users: User[]): string[] {
  return users.filter((u) => u.status !== "deleted" && u.spec.sftp).map((u) => u.name);
}

function planSftpChange(request: ChangeRequest<SftpChange>, current: StoredSftp | undefined, projectUsers: User[], operationId: string, now: string): StoredSftp {
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
  return {
    kind: "sftp",
    name: SFTP_SERVER_NAME,
    action: request.change.action,
    actor: request.actor,
    plan: (operationId, now, assumed) => planSftpChange(request, assumed ? assumed.current && StoredSftp.parse(assumed.current) : room.store.getAs("sftp", SFTP_SERVER_NAME, StoredSftp), room.neighbours.users(), operationId, now),
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

/**
 * Transfer Family's fingerprint of the server's host key, once the server stands and until it is
 * known: kept on the server's endpoint, so links made from then on carry it and the recipient's
 * page asks AWS nothing. (The local stand-in's endpoint carries its key already.) A failed read
 * is logged and tried again at the next heal. Answers 1 when it learned it.
 */
async function learnHostKey(room: RoomContext, project: ProjectRecord): Promise<number> {
  const stored = room.store.getAs("sftp", SFTP_SERVER_NAME, StoredSftp);
  const endpoint = stored?.resource.endpoint;
  const serverId = stored?.resource.serverId;
  if (!stored || !endpoint || endpoint.hostKey || !serverId || stored.resource.status === "deleted") return 0;
  let answer: string | undefined;
  try {
    answer = await sftpGateway(room, project).hostKeyFingerprint(serverId);
  } catch (err) {
    logEvent("warn", "sftp_host_key_unread", { project: project.id, serverId, error: errorText(err) });
    return 0;
  }
  const fingerprint = answer === undefined ? undefined : sha256Fingerprint(answer);
  if (!fingerprint) {
    if (answer !== undefined) logEvent("warn", "sftp_host_key_unreadable", { project: project.id, serverId });
    return 0;
  }
  // Other calls ran while AWS answered (turning SFTP off, a stack event, another heal): write only
  // the fingerprint, onto the state as it is now, and only if it is still the same standing server.
  const now = room.store.getAs("sftp", SFTP_SERVER_NAME, StoredSftp);
  const nowEndpoint = now?.resource.endpoint;
  if (!now || !nowEndpoint || nowEndpoint.hostKey || now.resource.lock || now.resource.status === "deleted" || now.resource.serverId !== serverId) return 0;
  const next: StoredSftp = { ...now, resource: { ...now.resource, endpoint: { ...nowEndpoint, hostKey: { fingerprint } } } };
  room.record("sftp", next, { actor: ROOM_ACTOR, message: `Transfer Family gave the SFTP server's host key fingerprint, ${fingerprint}: recipients of new links can check their first connection against it`, tone: "info" });
  return 1;
}

export const sftpKind = defineKind<SftpChange, StoredSftp>({
  kind: "sftp",
  // It costs money by the hour and opens a new way in.
  changeRole: "owner",
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
    const fresh = stands ? (sftpGateway(room, project).localEndpoint() ?? (serverId ? transferEndpoint(serverId, project.region) : undefined)) : undefined;
    // Transfer Family's host-key fingerprint is learned from Transfer Family (`learnFromAws`), not
    // from CloudFormation: it stays while clients still connect to the same place.
    const known = stored.resource.endpoint;
    const endpoint = fresh && !fresh.hostKey && known?.hostKey && known.host === fresh.host && known.port === fresh.port ? { ...fresh, hostKey: known.hostKey } : fresh;
    if (serverId === stored.resource.serverId && JSON.stringify(endpoint) === JSON.stringify(stored.resource.endpoint)) return null;
    return { ...stored, resource: { ...stored.resource, serverId, endpoint } };
  },
  learnFromAws: learnHostKey,
  invalid: (error) => {
    const { message, fields } = describeIssues(error, "The SFTP change");
    return new RoomError("invalid", message, fields);
  },
});
