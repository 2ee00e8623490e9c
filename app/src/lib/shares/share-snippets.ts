import { sftpFolder } from "$contract";
import type { SharePayload } from "./share-crypto";

const EXAMPLE_FILE = "report.csv";

/**
 * The AWS CLI profile and rclone remote name for one link: `stackroom-<project>-<user>`, so a
 * second link's configuration sits beside the first instead of overwriting it. Only letters,
 * digits, `_`, `.` and `-` (what both tools take everywhere: rclone remote names may not hold
 * `=`, `,` or `:`, which IAM user names may), nothing leading or trailing but letters and digits.
 */
export function configName(project: string, user: string): string {
  const part = (text: string) => text.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/-{2,}/g, "-").replace(/^[-.]+|[-.]+$/g, "");
  return ["stackroom", part(project), part(user)].filter((p) => p !== "").join("-");
}

/** Single-quotes a shell word unless it is plainly safe (AWS secrets contain only base64 characters). */
function sh(value: string): string {
  return /^[A-Za-z0-9/+=._:@-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** An object key inside the grant: under the prefix, which then reads as a folder. */
function exampleKey(prefix: string | undefined): string {
  if (!prefix) return EXAMPLE_FILE;
  return `${prefix.endsWith("/") ? prefix : `${prefix}/`}${EXAMPLE_FILE}`;
}

// Every level may list (user-policy.ts gives s3:ListBucket to each grant, the SFTP role the same
// policy); only read and read-write may download, only write and read-write upload and delete.
const canRead = (access: string) => access === "read" || access === "readwrite";
const canWrite = (access: string) => access === "write" || access === "readwrite";

/** `aws configure set …` for the link's own profile, then list/download/upload per grant as the access allows. */
export function awsCliSnippet(p: SharePayload, name: string): string {
  const lines = [
    `# Store the credentials as the profile "${name}"`,
    `aws configure set aws_access_key_id ${sh(p.accessKeyId)} --profile ${name}`,
    `aws configure set aws_secret_access_key ${sh(p.secretAccessKey)} --profile ${name}`,
    `aws configure set region ${sh(p.region)} --profile ${name}`,
  ];
  for (const g of p.grants) {
    const root = `s3://${g.bucket}/`;
    lines.push("", `# ${g.bucket}${g.prefix ? ` (under ${g.prefix})` : ""}`);
    lines.push(`aws s3 ls ${sh(`${root}${g.prefix ?? ""}`)} --profile ${name}`);
    if (canRead(g.access)) lines.push(`aws s3 cp ${sh(`${root}${exampleKey(g.prefix)}`)} . --profile ${name}`);
    if (canWrite(g.access)) lines.push(`aws s3 cp ./${EXAMPLE_FILE} ${sh(`${root}${exampleKey(g.prefix)}`)} --profile ${name}`);
  }
  return lines.join("\n");
}

/**
 * An rclone remote. `no_check_bucket`: these keys may not create or inspect buckets, and without
 * it rclone tries before every upload and fails.
 */
export function rcloneConfig(p: SharePayload, name: string): string {
  return [
    `[${name}]`,
    "type = s3",
    "provider = AWS",
    "env_auth = false",
    `access_key_id = ${p.accessKeyId}`,
    `secret_access_key = ${p.secretAccessKey}`,
    `region = ${p.region}`,
    "no_check_bucket = true",
  ].join("\n");
}

export function rcloneCommands(p: SharePayload, name: string): string {
  const lines: string[] = [];
  for (const g of p.grants) {
    const path = `${name}:${g.bucket}/${g.prefix ?? ""}`;
    if (lines.length) lines.push("");
    lines.push(`# ${g.bucket}${g.prefix ? ` (under ${g.prefix})` : ""}`);
    lines.push(`rclone ls ${sh(path)}`);
    if (canRead(g.access)) lines.push(`rclone copy ${sh(`${name}:${g.bucket}/${exampleKey(g.prefix)}`)} .`);
    if (canWrite(g.access)) lines.push(`rclone copy ./${EXAMPLE_FILE} ${sh(`${name}:${g.bucket}/${exampleKey(g.prefix).slice(0, -EXAMPLE_FILE.length)}`)}`);
  }
  return lines.join("\n");
}

type SftpSignIn = NonNullable<SharePayload["sftp"]>;

/**
 * The SFTP folder that shows an S3 grant: the bucket's S3 name is `<name>-<8 hex>` (the project's
 * suffix, naming.ts), its SFTP folder `/<name>` (or `/<name>/<prefix>`). undefined when the
 * user's SFTP folders do not include it.
 */
export function sftpFolderOf(grant: SharePayload["grants"][number], sftp: SftpSignIn): string | undefined {
  const name = grant.bucket.replace(/-[0-9a-f]{8}$/, "");
  const path = sftpFolder(grant.prefix === undefined ? { bucket: name } : { bucket: name, prefix: grant.prefix });
  return sftp.folders.some((f) => f.path === path) ? path : undefined;
}

/** The host as known_hosts names it: `host`, or `[host]:port` for a port other than 22. */
function knownHostsName(s: Pick<SftpSignIn, "host" | "port">): string {
  return s.port === 22 ? s.host : `[${s.host}]:${s.port}`;
}

/**
 * The server's known_hosts line (`<host> <type> <base64 key>`), or null when only its fingerprint
 * is known (Transfer Family's API gives no more): then the first connection is checked against
 * the fingerprint instead.
 */
export function knownHostsLine(s: SftpSignIn): string | null {
  return s.hostKey?.publicKey && s.hostKey.type ? `${knownHostsName(s)} ${s.hostKey.type} ${s.hostKey.publicKey}` : null;
}

/** The OpenSSH client: trust the server's host key, connect with the private key, then move around and copy as the folders allow. */
export function sftpCommands(s: SftpSignIn): string {
  const port = s.port === 22 ? "" : ` -P ${s.port}`;
  const line = knownHostsLine(s);
  const lines: string[] = [];
  if (line) lines.push(`# Trust the server's host key (${s.hostKey?.fingerprint}), once`, `echo ${sh(line)} >> ~/.ssh/known_hosts`, "");
  else if (s.hostKey) lines.push(`# On the first connection, answer yes only if sftp shows the key fingerprint ${s.hostKey.fingerprint}`);
  lines.push(`# Sign in with the private key whose public half you gave`, `sftp -i ~/.ssh/id_ed25519${port} ${sh(`${s.user}@${s.host}`)}`);
  for (const folder of s.folders) {
    lines.push("", `# then, at the sftp> prompt: ${folder.path}`, `cd ${sh(folder.path)}`, "ls");
    if (canRead(folder.access)) lines.push(`get ${EXAMPLE_FILE}`);
    if (canWrite(folder.access)) lines.push(`put ${EXAMPLE_FILE}`);
  }
  return lines.join("\n");
}

/**
 * An rclone SFTP remote. Transfer Family runs no shell, so rclone must not try shell commands
 * (`shell_type = none`) or remote checksums (`disable_hashcheck`). rclone checks no host key
 * unless told where known ones are (`known_hosts_file`): with the server's key known, it is told.
 */
export function rcloneSftpConfig(s: SftpSignIn, name: string): string {
  return [
    `[${name}-sftp]`,
    "type = sftp",
    `host = ${s.host}`,
    `port = ${s.port}`,
    `user = ${s.user}`,
    "key_file = ~/.ssh/id_ed25519",
    ...(s.hostKey ? ["known_hosts_file = ~/.ssh/known_hosts"] : []),
    "shell_type = none",
    "disable_hashcheck = true",
  ].join("\n");
}

/** A file the recipient saves; built in the page, downloaded from a blob: URL (no network). */
export interface CredentialFile {
  filename: string;
  text: string;
}

/**
 * The AWS CLI profile as the two INI sections it lives in: `[<name>]` for ~/.aws/credentials and
 * `[profile <name>]` for ~/.aws/config, each under a comment saying where it goes (the CLI reads
 * credentials and region from different files).
 */
export function awsProfileFile(p: SharePayload, name: string): CredentialFile {
  const text = [
    `# AWS CLI profile "${name}" for ${p.user} (${p.projectName}), from Stackroom.`,
    "# Keep this file private: it contains a secret access key.",
    "",
    "# --- append to ~/.aws/credentials ---",
    `[${name}]`,
    `aws_access_key_id = ${p.accessKeyId}`,
    `aws_secret_access_key = ${p.secretAccessKey}`,
    "",
    "# --- append to ~/.aws/config ---",
    `[profile ${name}]`,
    `region = ${p.region}`,
    "",
    `# Then: aws s3 ls --profile ${name}${p.grants[0] ? ` s3://${p.grants[0].bucket}/${p.grants[0].prefix ?? ""}` : ""}`,
    "",
  ].join("\n");
  return { filename: `${name}-aws-profile.txt`, text };
}

/** The rclone remotes as a complete rclone.conf (usable with `rclone --config <file>`): S3, and SFTP when the user has it. */
export function rcloneConfigFile(p: SharePayload, name: string): CredentialFile {
  const text = [
    `# rclone remote "${name}" for ${p.user} (${p.projectName}), from Stackroom. Keep it private.`,
    rcloneConfig(p, name),
    ...(p.sftp ? ["", rcloneSftpConfig(p.sftp, name)] : []),
    "",
  ].join("\n");
  return { filename: `${name}-rclone.conf`, text };
}

/**
 * The server's host key as a known_hosts file, for `sftp -o UserKnownHostsFile=<file>` or to
 * append to ~/.ssh/known_hosts; null when only the fingerprint is known.
 */
export function knownHostsFile(s: SftpSignIn, name: string): CredentialFile | null {
  const line = knownHostsLine(s);
  if (!line || !s.hostKey) return null;
  return { filename: `${name}.known_hosts`, text: [`# SFTP server of ${name}, from Stackroom: ${s.hostKey.type ?? ""} ${s.hostKey.fingerprint}`, line, ""].join("\n") };
}
