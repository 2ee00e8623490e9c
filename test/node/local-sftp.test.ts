// Proves the local SFTP stand-in serves exactly what a user stack declares, to the real OpenSSH sftp client (and rclone): upload to a read-write prefix lands in moto's S3 under the mapped key and downloads back byte-equal; a read-only grant refuses uploads; an ungranted bucket is invisible; a wrong key and passwords are refused; a user created after the stand-in started signs in at once.
import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ssh2 from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as z from "zod";
import { assumeProjectAccount } from "../../aws-bridge/local-bootstrap";
import { localS3, type LocalS3 } from "../../aws-bridge/local-s3";
import { startLocalSftp, type LocalSftp } from "../../aws-bridge/local-sftp";
import { freePort } from "../../scripts/lib/ports";
import { queryClient, type Credentials } from "../../worker/aws";
import { bucketTemplate } from "../../worker/domain/bucket-template";
import { physicalBucketName, stackName } from "../../worker/domain/naming";
import { sftpServerTemplate } from "../../worker/domain/sftp-server-template";
import { userTemplate } from "../../worker/domain/user-template";

const endpoint = process.env.STACKROOM_TEST_MOTO_ENDPOINT ?? "";
const project = { projectId: `lsftp${randomBytes(4).toString("hex")}`, accountId: "111111111111", region: "eu-west-1" };
const physical = (bucket: string) => physicalBucketName(project.projectId, project.accountId, project.region, bucket);
const [A, B, C] = ["alpha", "bravo", "charlie"];
const dir = mkdtempSync(join(tmpdir(), "stackroom-local-sftp-"));

let server: LocalSftp;
let s3: LocalS3;
let credentials: Credentials;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end, whatever its exit code. */
function runCommand(command: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 30_000, env: { ...process.env, HOME: dir } }, (error, stdout, stderr) => {
      const code = error && "code" in error && typeof error.code === "number" ? error.code : error ? -1 : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** `sftp -b` with exactly the given key: no agent, no ssh config, no other identities. */
function sftp(key: string, batch: string[], user = "partner"): Promise<Run> {
  const file = join(dir, `batch-${randomBytes(4).toString("hex")}`);
  writeFileSync(file, `${batch.join("\n")}\n`);
  return runCommand("sftp", [
    "-b", file, "-i", key, "-P", String(server.port), "-F", "/dev/null",
    "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-o", "BatchMode=yes",
    `${user}@127.0.0.1`,
  ]);
}

function keyPair(name: string): { key: string; pub: string } {
  const key = join(dir, name);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key]);
  return { key, pub: readFileSync(`${key}.pub`, "utf8").trim() };
}

async function createStack(name: string, body: string): Promise<void> {
  const cfn = queryClient("cloudformation", { endpoint, region: project.region, credentials });
  await cfn("CreateStack", { StackName: name, TemplateBody: body, "Capabilities.member.1": "CAPABILITY_NAMED_IAM" }, z.unknown());
}

const partner = keyPair("partner");
const stranger = keyPair("stranger");

beforeAll(async () => {
  expect(endpoint).not.toBe("");
  credentials = await assumeProjectAccount({ motoEndpoint: endpoint, accountId: project.accountId, region: project.region });
  s3 = localS3(endpoint, project.region, credentials);
  // Started before the user exists: users are read from CloudFormation at login.
  server = await startLocalSftp({ port: await freePort(), motoEndpoint: endpoint, ...project });
  for (const bucket of [A, B, C]) {
    await createStack(stackName(project.projectId, "bucket", bucket), bucketTemplate({ projectId: project.projectId, name: bucket, physicalName: physical(bucket), spec: { versioning: true, encryption: "s3", expireAfterDays: null } }));
  }
  await s3.putObject(physical(B), "report.csv", new TextEncoder().encode("id,total\n1,42\n"));
  await s3.putObject(physical(C), "secret.txt", new TextEncoder().encode("not for partner"));
  await createStack(stackName(project.projectId, "sftp"), sftpServerTemplate(project));
  const spec = {
    description: null,
    expiresAt: null,
    permissions: [{ bucket: A, access: "readwrite" as const, prefix: "in/" }, { bucket: B, access: "read" as const }],
    sftp: { sshPublicKeys: [partner.pub] },
  };
  await createStack(stackName(project.projectId, "user", "partner"), userTemplate({ ...project, name: "partner", spec }));
}, 120_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the local SFTP stand-in with OpenSSH's sftp", { timeout: 60_000 }, () => {
  it("prints a host key fingerprint as ssh shows it, and keeps a persisted host key across starts", async () => {
    expect(server.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    const hostKeyFile = join(dir, "host", "sftp-host-key");
    const first = await startLocalSftp({ port: 0, motoEndpoint: endpoint, ...project, hostKeyFile });
    await first.stop();
    const second = await startLocalSftp({ port: 0, motoEndpoint: endpoint, ...project, hostKeyFile });
    await second.stop();
    expect(second.hostKeyFingerprint).toBe(first.hostKeyFingerprint);
    expect(first.hostKeyFingerprint).not.toBe(server.hostKeyFingerprint);
    const printed = execFileSync("ssh-keygen", ["-lf", hostKeyFile], { encoding: "utf8" }).split(" ")[1];
    expect(printed).toBe(first.hostKeyFingerprint);
  });

  it("uploads to the read-write prefix into moto's S3 under the mapped key, and downloads the same bytes", async () => {
    const upload = join(dir, "upload.bin");
    const download = join(dir, "download.bin");
    const bytes = randomBytes(200_000);
    writeFileSync(upload, bytes);
    const run = await sftp(partner.key, [`put ${upload} /${A}/in/hello.bin`, `get /${A}/in/hello.bin ${download}`, `ls -l /${A}/in`]);
    expect(run.stderr).not.toMatch(/denied|failure/i);
    expect(run.code).toBe(0);
    expect(Buffer.from(await s3.getObject(physical(A), "in/hello.bin")).equals(bytes)).toBe(true);
    expect(readFileSync(download).equals(bytes)).toBe(true);
    expect(run.stdout).toMatch(/-rw-r--r--.*200000.*hello\.bin/);
  });

  it("shows the granted buckets only, and reads the read-only one", async () => {
    const download = join(dir, "report.csv");
    const run = await sftp(partner.key, ["ls /", `ls /${A}`, `ls /${B}`, `get /${B}/report.csv ${download}`]);
    expect(run.code).toBe(0);
    const [root = "", underA = "", underB = ""] = run.stdout.split(/^sftp> .*$/m).slice(1);
    expect(root.split(/\s+/).filter(Boolean).sort()).toEqual([`/${A}`, `/${B}`]);
    expect(underA.split(/\s+/).filter(Boolean)).toEqual([`/${A}/in`]);
    expect(underB).toContain("report.csv");
    expect(run.stdout).not.toContain(C);
    expect(readFileSync(download, "utf8")).toBe("id,total\n1,42\n");
  });

  it("refuses an upload to the read-only grant and writes nothing", async () => {
    const upload = join(dir, "evil.txt");
    writeFileSync(upload, "overwrite?");
    const run = await sftp(partner.key, [`put ${upload} /${B}/evil.txt`]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/Permission denied/);
    const listing = await s3.listFolder(physical(B), "");
    expect(listing.files.map((f) => f.key)).toEqual(["report.csv"]);
  });

  it("keeps the ungranted bucket and anything outside the prefix out of reach", async () => {
    expect((await sftp(partner.key, [`ls /${C}`])).code).not.toBe(0);
    expect((await sftp(partner.key, [`get /${C}/secret.txt ${join(dir, "x")}`])).code).not.toBe(0);
    const outside = await sftp(partner.key, [`put ${join(dir, "evil.txt")} /${A}/outside.txt`]);
    expect(outside.code).not.toBe(0);
    expect((await s3.listFolder(physical(A), "")).files).toEqual([]);
  });

  it("makes folders as prefixes, renames and removes files in the read-write prefix", async () => {
    writeFileSync(join(dir, "note.txt"), "draft");
    const run = await sftp(partner.key, [`mkdir /${A}/in/drafts`, `put ${join(dir, "note.txt")} /${A}/in/drafts/note.txt`, `rename /${A}/in/drafts/note.txt /${A}/in/drafts/final.txt`, `ls /${A}/in/drafts`]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("final.txt");
    expect((await s3.listFolder(physical(A), "in/drafts/")).files.map((f) => f.key).sort()).toEqual(["in/drafts/", "in/drafts/final.txt"]);
    expect((await sftp(partner.key, [`rm /${A}/in/drafts/final.txt`, `rmdir /${A}/in/drafts`])).code).toBe(0);
    expect((await s3.listFolder(physical(A), "in/drafts/")).files).toEqual([]);
  });

  it("refuses a key the user stack does not hold: no session", async () => {
    const run = await sftp(stranger.key, ["ls /"]);
    expect(run.code).toBe(255);
    expect(run.stderr).toMatch(/Permission denied \(publickey\)/);
    expect(run.stdout).toBe("");
  });

  it("refuses unknown users and password sign-in, and offers public keys only", async () => {
    expect((await sftp(partner.key, ["ls /"], "nobody")).code).toBe(255);
    const methods = await new Promise<string>((resolve) => {
      const client = new ssh2.Client();
      client.on("error", (err) => resolve(err.message));
      client.on("ready", () => resolve("signed in"));
      client.connect({ host: "127.0.0.1", port: server.port, username: "partner", password: "guess", tryKeyboard: false });
    });
    expect(methods).toMatch(/authentication methods failed/);
  });
});

describe("the local SFTP stand-in with rclone", { timeout: 60_000 }, () => {
  const hasRclone = execFileSync("sh", ["-c", "command -v rclone || true"], { encoding: "utf8" }).trim() !== "";
  const remote = () => [`--sftp-host=127.0.0.1`, `--sftp-port=${server.port}`, "--sftp-user=partner", `--sftp-key-file=${partner.key}`, "--config=/dev/null", "--sftp-disable-hashcheck"];

  it.skipIf(!hasRclone)("copies a file into the read-write prefix and reads it back", async () => {
    writeFileSync(join(dir, "rclone.txt"), "via rclone");
    const copy = await runCommand("rclone", ["copyto", join(dir, "rclone.txt"), `:sftp:${A}/in/rclone.txt`, ...remote()]);
    expect(copy.stderr).not.toMatch(/ERROR/);
    expect(copy.code).toBe(0);
    expect(new TextDecoder().decode(await s3.getObject(physical(A), "in/rclone.txt"))).toBe("via rclone");
    const cat = await runCommand("rclone", ["cat", `:sftp:${A}/in/rclone.txt`, ...remote()]);
    expect(cat.stdout).toBe("via rclone");
    const list = await runCommand("rclone", ["lsf", ":sftp:", ...remote()]);
    expect(list.stdout.split("\n").filter(Boolean).sort()).toEqual([`${A}/`, `${B}/`]);
  });
});
