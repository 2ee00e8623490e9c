// Proves the local SFTP stand-in serves exactly what a user stack declares, to the real OpenSSH sftp client (and rclone): upload to a read-write prefix lands in moto's S3 under the mapped key and downloads back byte-equal; a read-only grant refuses uploads; an ungranted bucket is invisible; a wrong key and passwords are refused; keys anyone can sign for (RSA e = 1, the small-order Ed25519 key) let no forged signature in; a user created after the stand-in started signs in at once.
import { execFile, execFileSync } from "node:child_process";
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, verify, type KeyObject } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ssh2, { type IdentityCallback, type SignCallback, type SigningRequestOptions } from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as z from "zod";
import { assumeProjectAccount } from "../../aws-bridge/local-bootstrap";
import { localS3, type LocalS3 } from "../../aws-bridge/local-s3";
import { startLocalSftp, type LocalSftp } from "../../aws-bridge/local-sftp";
import { freePort } from "../../scripts/lib/ports";
import { queryClient, type Credentials } from "../../core/aws";
import { bucketTemplate } from "../../core/bucket-template";
import { physicalBucketName, stackName } from "../../core/naming";
import { sftpServerTemplate } from "../../core/sftp-server-template";
import { userTemplate } from "../../core/user-template";

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
function sftp(key: string, batch: string[], user = "partner", port = server.port): Promise<Run> {
  const file = join(dir, `batch-${randomBytes(4).toString("hex")}`);
  writeFileSync(file, `${batch.join("\n")}\n`);
  return runCommand("sftp", [
    "-b", file, "-i", key, "-P", String(port), "-F", "/dev/null",
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
    await createStack(stackName(project.projectId, "bucket", bucket), bucketTemplate({ projectId: project.projectId, name: bucket, physicalName: physical(bucket), spec: { versioning: true, encryption: "s3", expireAfterDays: null }, eventsTopicArn: `arn:aws:sns:${project.region}:${project.accountId}:stackroom-${project.projectId}-events` }));
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
    // What a client receives is the key the stand-in reports (the Worker hands it to recipients).
    // (Asynchronously: the server answers from this very process.)
    const scanned = await new Promise<string>((resolve, reject) => {
      execFile("ssh-keyscan", ["-p", String(server.port), "-t", "ed25519", "127.0.0.1"], { timeout: 20_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout.trim())));
    });
    expect(scanned).toBe(`[127.0.0.1]:${server.port} ${server.hostKey}`);
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

  // As in AWS, where the user's SFTP role has the same policy as its IAM user, which gives every
  // grant s3:ListBucket: a write-only user lists and uploads, and cannot download.
  it("lets a write-only user list the folder and upload into it, and refuses downloads", async () => {
    const dropper = keyPair("dropper");
    const spec = { description: null, expiresAt: null, permissions: [{ bucket: B, access: "write" as const }], sftp: { sshPublicKeys: [dropper.pub] } };
    await createStack(stackName(project.projectId, "user", "dropper"), userTemplate({ ...project, name: "dropper", spec }));
    const upload = join(dir, "drop.csv");
    writeFileSync(upload, "a,b\n");
    try {
      const run = await sftp(dropper.key, [`put ${upload} /${B}/drop.csv`, `ls /${B}`], "dropper");
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("report.csv");
      expect(run.stdout).toContain("drop.csv");
      const get = await sftp(dropper.key, [`get /${B}/report.csv ${join(dir, "not-for-dropper.csv")}`], "dropper");
      expect(get.code).not.toBe(0);
      expect(get.stderr).toMatch(/Permission denied/);
    } finally {
      await s3.deleteObject(physical(B), "drop.csv");
    }
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

/** An SSH key that needs no private key: its line, a signer for any data, and the key as Node's crypto reads it. */
interface Forgeable {
  line: string;
  forge(data: Buffer, hash: SigningRequestOptions["hash"]): Buffer;
  node: KeyObject;
}

/** SSH wire strings (RFC 4251 §5): each field after its uint32 length. */
const wire = (...fields: Buffer[]) =>
  Buffer.concat(fields.flatMap((field) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(field.length);
    return [length, field];
  }));
const littleEndian = (bytes: Uint8Array) => bytes.reduceRight((n, byte) => (n << 8n) | BigInt(byte), 0n);

/** RSA with e = 1: the PKCS #1 v1.5 encoding of the hash (RFC 8017 §9.2) is its own signature. */
function rsaExponentOne(): Forgeable {
  const n = randomBytes(384);
  n[0]! |= 0x80;
  n[383]! |= 1;
  const digestInfo = { sha1: "3021300906052b0e03021a05000414", sha256: "3031300d060960864801650304020105000420", sha512: "3051300d060960864801650304020305000440" };
  return {
    line: `ssh-rsa ${wire(Buffer.from("ssh-rsa"), Buffer.from([1]), Buffer.concat([Buffer.from([0]), n])).toString("base64")}`,
    forge(data, hash = "sha1") {
      const t = Buffer.concat([Buffer.from(digestInfo[hash], "hex"), createHash(hash).update(data).digest()]);
      return Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(n.length - 3 - t.length, 0xff), Buffer.from([0]), t]);
    },
    node: createPublicKey({ key: { kty: "RSA", n: n.toString("base64url"), e: "AQ" }, format: "jwk" }),
  };
}

/**
 * The all-zero Ed25519 key A, a point of order 4. Verifying (R, S) checks R = [S]B − [k]A with
 * k = SHA-512(R ‖ A ‖ M) (RFC 8032 §5.1.7). Take any real key R = [a]B and S = a: whenever
 * k ≡ 0 (mod 4), [k]A vanishes and the check passes: one fresh R in four works.
 */
function ed25519SmallOrder(): Forgeable {
  const A = Buffer.alloc(32);
  const L = 2n ** 252n + 27742317777372353535851937790883648493n;
  return {
    line: `ssh-ed25519 ${wire(Buffer.from("ssh-ed25519"), A).toString("base64")}`,
    forge(data) {
      for (let attempt = 0; attempt < 256; attempt++) {
        const jwk = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" });
        const R = Buffer.from(jwk.x ?? "", "base64url");
        const h = createHash("sha512").update(Buffer.from(jwk.d ?? "", "base64url")).digest();
        h[0]! &= 248;
        h[31]! = (h[31]! & 127) | 64;
        const k = littleEndian(createHash("sha512").update(Buffer.concat([R, A, data])).digest()) % L;
        if (k % 4n !== 0n) continue;
        const S = Buffer.from((littleEndian(h.subarray(0, 32)) % L).toString(16).padStart(64, "0"), "hex").reverse();
        return Buffer.concat([R, S]);
      }
      throw new Error("no forgery in 256 tries");
    },
    node: createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: A.toString("base64url") }, format: "jwk" }),
  };
}

/** An ssh-agent holding no private key: it offers `key` and answers every signing request with a forgery. */
class ForgingAgent extends ssh2.BaseAgent<string> {
  constructor(private readonly key: Forgeable) {
    super();
  }
  getIdentities(cb: IdentityCallback<string>): void {
    cb(null, [this.key.line]);
  }
  sign(_pubKey: string, data: Buffer, options: SigningRequestOptions | SignCallback, cb?: SignCallback): void {
    const done = typeof options === "function" ? options : cb;
    done?.(null, this.key.forge(data, typeof options === "function" ? undefined : options.hash));
  }
}

/** "signed in", or why ssh2 gave up. */
function signInWith(agent: ForgingAgent, port: number, username: string): Promise<string> {
  return new Promise((resolve) => {
    const client = new ssh2.Client();
    client.on("error", (err) => resolve(err.message));
    client.on("ready", () => {
      client.end();
      resolve("signed in");
    });
    client.connect({ host: "127.0.0.1", port, username, agent, tryKeyboard: false });
  });
}

describe("the local SFTP stand-in and keys anyone can sign for", { timeout: 60_000 }, () => {
  it("a stack declaring an RSA key with e = 1 and the small-order Ed25519 key lets no forged signature in; its good key still works; each bad key is logged once", async () => {
    const [rsa, ed] = [rsaExponentOne(), ed25519SmallOrder()];
    // The forgeries are real: Node's crypto, which ssh2 verifies with, accepts them.
    const message = randomBytes(64);
    expect(verify("sha256", message, rsa.node, rsa.forge(message, "sha256"))).toBe(true);
    expect(verify(null, message, ed.node, ed.forge(message, undefined))).toBe(true);

    // userTemplate refuses these keys now; a stack written before the check, or by hand, still holds them.
    const [honest, rsaSlot, edSlot] = [keyPair("supplier"), keyPair("slot-rsa"), keyPair("slot-ed")];
    const spec = { description: null, expiresAt: null, permissions: [{ bucket: B, access: "read" as const }], sftp: { sshPublicKeys: [honest.pub, rsaSlot.pub, edSlot.pub] } };
    const body = userTemplate({ ...project, name: "supplier", spec });
    expect(body).toContain(rsaSlot.pub);
    expect(body).toContain(edSlot.pub);
    await createStack(stackName(project.projectId, "user", "supplier"), body.replaceAll(rsaSlot.pub, rsa.line).replaceAll(edSlot.pub, ed.line));

    const logged: string[] = [];
    const standIn = await startLocalSftp({ port: 0, motoEndpoint: endpoint, ...project, log: (message) => void logged.push(message) });
    try {
      for (const forged of [rsa, ed, rsa, ed]) {
        expect(await signInWith(new ForgingAgent(forged), standIn.port, "supplier")).toMatch(/All configured authentication methods failed/);
      }
      const run = await sftp(honest.key, ["ls /"], "supplier", standIn.port);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`/${B}`);
    } finally {
      await standIn.stop();
    }
    const refusedKeys = logged.filter((line) => line.includes("never used to sign in"));
    expect(refusedKeys).toHaveLength(2);
    expect(refusedKeys).toEqual(expect.arrayContaining([
      expect.stringMatching(/^supplier: key \d of its user stack is never used to sign in\. This RSA key's public exponent is 1/),
      expect.stringMatching(/^supplier: key \d of its user stack is never used to sign in\. This ssh-ed25519 key is one of the eight weak/),
    ]));
  });
});
