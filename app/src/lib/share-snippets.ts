import type { SharePayload } from "./share-crypto";

/** Profile / remote name the snippets configure; one place so both tools agree. */
export const PROFILE = "stackroom";
const EXAMPLE_FILE = "report.csv";

/** Single-quotes a shell word unless it is plainly safe (AWS secrets contain only base64 characters). */
function sh(value: string): string {
  return /^[A-Za-z0-9/+=._:@-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** An object key inside the grant: under the prefix, which then reads as a folder. */
function exampleKey(prefix: string | undefined): string {
  if (!prefix) return EXAMPLE_FILE;
  return `${prefix.endsWith("/") ? prefix : `${prefix}/`}${EXAMPLE_FILE}`;
}

const canRead = (access: string) => access === "read" || access === "readwrite";
const canWrite = (access: string) => access === "write" || access === "readwrite";

/** `aws configure set …` for a named profile, then list/download/upload per grant as the access allows. */
export function awsCliSnippet(p: SharePayload): string {
  const lines = [
    `# Store the credentials as the profile "${PROFILE}"`,
    `aws configure set aws_access_key_id ${sh(p.accessKeyId)} --profile ${PROFILE}`,
    `aws configure set aws_secret_access_key ${sh(p.secretAccessKey)} --profile ${PROFILE}`,
    `aws configure set region ${sh(p.region)} --profile ${PROFILE}`,
  ];
  for (const g of p.grants) {
    const root = `s3://${g.bucket}/`;
    lines.push("", `# ${g.bucket}${g.prefix ? ` (under ${g.prefix})` : ""}`);
    if (canRead(g.access)) {
      lines.push(`aws s3 ls ${sh(`${root}${g.prefix ?? ""}`)} --profile ${PROFILE}`);
      lines.push(`aws s3 cp ${sh(`${root}${exampleKey(g.prefix)}`)} . --profile ${PROFILE}`);
    }
    if (canWrite(g.access)) lines.push(`aws s3 cp ./${EXAMPLE_FILE} ${sh(`${root}${exampleKey(g.prefix)}`)} --profile ${PROFILE}`);
  }
  return lines.join("\n");
}

/**
 * An rclone remote. `no_check_bucket`: these keys may not create or inspect buckets, and without
 * it rclone tries before every upload and fails.
 */
export function rcloneConfig(p: SharePayload): string {
  return [
    `[${PROFILE}]`,
    "type = s3",
    "provider = AWS",
    "env_auth = false",
    `access_key_id = ${p.accessKeyId}`,
    `secret_access_key = ${p.secretAccessKey}`,
    `region = ${p.region}`,
    "no_check_bucket = true",
  ].join("\n");
}

export function rcloneCommands(p: SharePayload): string {
  const lines: string[] = [];
  for (const g of p.grants) {
    const path = `${PROFILE}:${g.bucket}/${g.prefix ?? ""}`;
    if (lines.length) lines.push("");
    lines.push(`# ${g.bucket}${g.prefix ? ` (under ${g.prefix})` : ""}`);
    if (canRead(g.access)) lines.push(`rclone ls ${sh(path)}`);
    if (canWrite(g.access)) lines.push(`rclone copy ./${EXAMPLE_FILE} ${sh(`${PROFILE}:${g.bucket}/${exampleKey(g.prefix).slice(0, -EXAMPLE_FILE.length)}`)}`);
  }
  return lines.join("\n");
}

type SftpSignIn = NonNullable<SharePayload["sftp"]>;

/** The OpenSSH client: connect with the private key, then move around and copy as the folders allow. */
export function sftpCommands(s: SftpSignIn): string {
  const port = s.port === 22 ? "" : ` -P ${s.port}`;
  const lines = [`# Sign in with the private key whose public half you gave`, `sftp -i ~/.ssh/id_ed25519${port} ${sh(`${s.user}@${s.host}`)}`];
  for (const folder of s.folders) {
    lines.push("", `# then, at the sftp> prompt: ${folder.path}`, `cd ${sh(folder.path)}`);
    if (canRead(folder.access)) lines.push("ls", `get ${EXAMPLE_FILE}`);
    if (canWrite(folder.access)) lines.push(`put ${EXAMPLE_FILE}`);
  }
  return lines.join("\n");
}

/**
 * An rclone SFTP remote. Transfer Family runs no shell, so rclone must not try shell commands
 * (`shell_type = none`) or remote checksums (`disable_hashcheck`).
 */
export function rcloneSftpConfig(s: SftpSignIn): string {
  return [
    `[${PROFILE}-sftp]`,
    "type = sftp",
    `host = ${s.host}`,
    `port = ${s.port}`,
    `user = ${s.user}`,
    "key_file = ~/.ssh/id_ed25519",
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
 * The AWS CLI profile as the two INI sections it lives in: `[stackroom]` for
 * ~/.aws/credentials and `[profile stackroom]` for ~/.aws/config, each under a comment saying
 * where it goes (the CLI reads credentials and region from different files).
 */
export function awsProfileFile(p: SharePayload): CredentialFile {
  const text = [
    `# AWS CLI profile "${PROFILE}" for ${p.user} (${p.projectName}), from Stackroom.`,
    "# Keep this file private: it contains a secret access key.",
    "",
    "# --- append to ~/.aws/credentials ---",
    `[${PROFILE}]`,
    `aws_access_key_id = ${p.accessKeyId}`,
    `aws_secret_access_key = ${p.secretAccessKey}`,
    "",
    "# --- append to ~/.aws/config ---",
    `[profile ${PROFILE}]`,
    `region = ${p.region}`,
    "",
    `# Then: aws s3 ls --profile ${PROFILE}${p.grants[0] ? ` s3://${p.grants[0].bucket}/${p.grants[0].prefix ?? ""}` : ""}`,
    "",
  ].join("\n");
  return { filename: `${PROFILE}-${p.user}-aws-profile.txt`, text };
}

/** The rclone remote as a complete rclone.conf (usable with `rclone --config <file>`). */
export function rcloneConfigFile(p: SharePayload): CredentialFile {
  const text = [`# rclone remote "${PROFILE}" for ${p.user} (${p.projectName}), from Stackroom. Keep it private.`, rcloneConfig(p), ""].join("\n");
  return { filename: `${PROFILE}-${p.user}-rclone.conf`, text };
}
