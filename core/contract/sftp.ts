import * as z from "zod";
import { IsoTime, Lock, QueueFields, ResourceStatus } from "./resource";
import type { Permission } from "./user";
import { keyFingerprint, parseSshPublicKey, SSH_KEY_LINE_MAX } from "./ssh-key";

/**
 * SSH keys per SFTP user. AWS Transfer Family allows 50 per service-managed user (its quotas page;
 * AWS's own aws-ia/terraform-aws-transfer-family module validates "Maximum of 50 public keys allowed
 * per user as per AWS Transfer Family limits"). Stackroom stops at 10 because every key is written
 * twice into the user stack's TemplateBody (Metadata spec and the AWS::Transfer::User), and
 * CreateStack takes at most 51,200 bytes of TemplateBody: 10 keys of 2048 characters already use
 * 40 KB of it. Ten keys still give every party a key per machine and room to rotate.
 */
export const SFTP_KEYS_MAX = 10;

/** SFTP access as a spec stores it: read back from templates and storage, so not re-judged here. */
export const SftpAccess = z.object({
  sshPublicKeys: z.array(z.string().max(SSH_KEY_LINE_MAX)).min(1).max(SFTP_KEYS_MAX),
});
export type SftpAccess = z.infer<typeof SftpAccess>;

/**
 * The keys a manager sends: each one parsed (a refusal names its position and reason, at
 * `sftp.sshPublicKeys.<i>`), written in normal form (`type base64 [comment]`), none twice (same
 * fingerprint, whatever the comment).
 */
const SshPublicKeyLines = z
  .array(z.string({ error: "Paste each key as text." }), { error: "List the SSH public keys." })
  .min(1, "Add at least one SSH public key, or turn SFTP off.")
  .max(SFTP_KEYS_MAX, `Use at most ${SFTP_KEYS_MAX} SSH keys per user.`)
  .transform((lines, ctx) => {
    const seen = new Map<string, number>();
    const normalised: string[] = [];
    lines.forEach((line, i) => {
      const parsed = parseSshPublicKey(line);
      if (!parsed.ok) {
        ctx.addIssue({ code: "custom", path: [i], message: `Key ${i + 1}: ${parsed.reason}`, input: line });
        return;
      }
      const fingerprint = keyFingerprint(parsed.key.line);
      const first = seen.get(fingerprint);
      if (first !== undefined) {
        ctx.addIssue({ code: "custom", path: [i], message: `Key ${i + 1} is the same key as key ${first + 1} (${fingerprint}).`, input: line });
        return;
      }
      seen.set(fingerprint, i);
      normalised.push(parsed.key.line);
    });
    return normalised;
  });

export const SftpAccessInput = z.strictObject({ sshPublicKeys: SshPublicKeyLines });

/**
 * Transfer Family's user names are `[\w][\w@.-]{2,99}` (AWS::Transfer::User UserName), and it
 * refuses sign-in for names of one or two characters and for `root` (Transfer Family user guide,
 * "Managing users for server endpoints"). IAM allows more (`+=,` and short names), so SFTP is
 * offered only to users whose Stackroom name Transfer Family takes as it is.
 */
const TRANSFER_USER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_@.-]{2,99}$/;

/** Why `name` cannot have SFTP access, or null when it can. */
export function sftpUserNameProblem(name: string): string | null {
  if (name.toLowerCase() === "root") return "SFTP is not available for a user named root.";
  if (!TRANSFER_USER_NAME.test(name)) {
    return "SFTP needs a user name of at least 3 characters that starts with a letter, digit or _ and uses only letters, digits and _ @ . -";
  }
  return null;
}

/** The project's one SFTP server is a resource named this (its stack is `stackroom-<project>-sftp`). */
export const SFTP_SERVER_NAME = "server";

/** The server settings Stackroom chose, recorded so a later version can tell an older server apart. */
export const SftpServerSpec = z.object({
  securityPolicy: z.string().regex(/^TransferSecurityPolicy-[A-Za-z0-9-]+$/),
  logRetentionDays: z.number().int().min(1),
});
export type SftpServerSpec = z.infer<typeof SftpServerSpec>;

/**
 * The SFTP server's host key, for a client to check it reached the right server on its first
 * connection. `fingerprint` is what `ssh-keygen -l` and `ssh` print: `SHA256:` and the unpadded
 * base64 of the SHA-256 of the key blob. `publicKey` (the blob, base64, for a known_hosts line) is
 * known for the local stand-in only: Transfer Family's API (DescribeServer, ListHostKeys,
 * DescribeHostKey) answers a host key's fingerprint and type, never the key itself.
 */
export const SftpHostKey = z.object({
  /** `ssh-ed25519`, `ssh-rsa`…; unknown when Transfer Family gave only the fingerprint (DescribeServer). */
  type: z.string().regex(/^[a-z0-9][a-z0-9@.-]{2,63}$/).optional(),
  fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/),
  publicKey: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/).max(4096).optional(),
});
export type SftpHostKey = z.infer<typeof SftpHostKey>;

/**
 * The fingerprint as `ssh-keygen -l` prints it, from what Transfer Family answers for a server's
 * `HostKeyFingerprint` ("Base64-encoded SHA256 fingerprint … equivalent to the output of
 * ssh-keygen -l"): with or without `SHA256:` and base64 padding. undefined for anything else.
 */
export function sha256Fingerprint(text: string): string | undefined {
  const bare = text.trim().replace(/^SHA256:/, "").replace(/=+$/, "");
  const fingerprint = `SHA256:${bare}`;
  return SftpHostKey.shape.fingerprint.safeParse(fingerprint).success ? fingerprint : undefined;
}

/** The host key a public key line (`type base64 [comment]`) gives, or undefined for a line that is no acceptable key. */
export function sftpHostKey(line: string): SftpHostKey | undefined {
  const parsed = parseSshPublicKey(line);
  if (!parsed.ok) return undefined;
  return { type: parsed.key.type, fingerprint: keyFingerprint(parsed.key.line), publicKey: parsed.key.data };
}

/** Where SFTP clients connect: Transfer Family's public endpoint (port 22), or the local stand-in; and the host key they should find there, once known. */
export const SftpEndpoint = z.object({ host: z.string().min(1), port: z.number().int().min(1).max(65535), hostKey: SftpHostKey.optional() });
export type SftpEndpoint = z.infer<typeof SftpEndpoint>;

/** The project's AWS Transfer Family server, when SFTP is (being) turned on. */
export const SftpServer = z.object({
  name: z.literal(SFTP_SERVER_NAME),
  spec: SftpServerSpec,
  status: ResourceStatus,
  statusReason: z.string().optional(),
  lock: Lock.optional(),
  operationId: z.string().optional(),
  updatedAt: IsoTime,
  /** `s-` and 17 hex digits, once CloudFormation has created the server. */
  serverId: z.string().regex(/^s-[0-9a-f]{17}$/).optional(),
  /** Known once the server is ready. */
  endpoint: SftpEndpoint.optional(),
  ...QueueFields,
});
export type SftpServer = z.infer<typeof SftpServer>;

/**
 * Why SFTP access cannot be given now, or null when the project's server stands. `applied`: the
 * server has been created (the room knows its applied spec; a page knows its endpoint). The room
 * refuses with this text and the app shows it before anyone submits.
 */
export function sftpUnavailable(server: { status: ResourceStatus; lock?: Lock | undefined } | undefined, applied: boolean): string | null {
  if (!server || server.status === "deleted") return "SFTP is off for this project. An owner turns it on first, in the SFTP tab.";
  if (server.status === "deleting" || server.lock?.action === "delete") return "SFTP is being turned off for this project.";
  if (!applied) {
    return server.status === "failed"
      ? "Turning SFTP on failed for this project; an owner turns it off and on again first."
      : "SFTP is still being turned on for this project. Add SSH keys once it is ready (a few minutes).";
  }
  return null;
}

/** `PUT /api/projects/:p/sftp` (owner). */
export const SftpSettingsBody = z.strictObject({
  enabled: z.boolean({ error: "Say whether SFTP is on: enabled true or false." }),
  queue: z.boolean().default(true),
});
export type SftpSettingsBody = z.infer<typeof SftpSettingsBody>;

/** 202 body of `PUT /api/projects/:p/sftp`: the server as locked for the operation. */
export const SftpAccepted = z.object({ sftp: SftpServer, operationId: z.string() });
export type SftpAccepted = z.infer<typeof SftpAccepted>;

/**
 * What AWS Transfer Family costs while the server exists, for the app to say before an owner turns
 * it on: the SFTP endpoint is billed per hour whether or not anyone connects, plus data.
 * US East (N. Virginia) list prices (AWS Transfer Family pricing page); other regions differ a little.
 */
export const SFTP_PRICE = { endpointPerHourUsd: 0.3, uploadPerGbUsd: 0.04, downloadPerGbUsd: 0.04 } as const;

/**
 * The folder an SFTP user sees for a grant: `/<bucket>`, or `/<bucket>/<prefix>` (the user's
 * logical home directory; sftp-user.ts maps exactly these to the physical buckets).
 */
export function sftpFolder(grant: Pick<Permission, "bucket" | "prefix">): string {
  return grant.prefix === undefined ? `/${grant.bucket}` : `/${grant.bucket}/${grant.prefix.replace(/\/+$/, "")}`;
}
