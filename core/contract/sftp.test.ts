// Proves the user bodies carry SFTP access as the API promises: keys normalised, a wrong or repeated key refused at `sftp.sshPublicKeys.<i>` naming its position and reason, at most 10 keys, SFTP only for names Transfer Family accepts, and null/absent meaning none (create) or remove/keep (update).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeIssues } from "../zod-issues";
import { sha256Fingerprint, SFTP_KEYS_MAX, SftpHostKey, sftpHostKey, sftpUserNameProblem } from "./sftp";
import { CreateUserBody, UpdateUserBody, UserSpec } from "./user";

const dir = mkdtempSync(join(tmpdir(), "stackroom-sftp-contract-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pub: Record<string, string> = {};
beforeAll(() => {
  for (const [label, args] of [["ed", ["-t", "ed25519"]], ["ec", ["-t", "ecdsa", "-b", "256"]], ["weak", ["-t", "rsa", "-b", "2048"]]] as const) {
    execFileSync("ssh-keygen", ["-q", ...args, "-N", "", "-C", `${label}@laptop`, "-f", join(dir, label)]);
    pub[label] = readFileSync(join(dir, `${label}.pub`), "utf8");
  }
}, 30_000);

const create = (sftp: unknown, name = "partner") => CreateUserBody.safeParse({ name, sftp });
const fields = (result: { success: boolean; error?: Parameters<typeof describeIssues>[0] }) => (result.error ? describeIssues(result.error, "The request").fields : {});

describe("CreateUserBody.sftp", () => {
  it("is null when absent or null", () => {
    expect(CreateUserBody.parse({ name: "partner" }).sftp).toBeNull();
    expect(CreateUserBody.parse({ name: "partner", sftp: null }).sftp).toBeNull();
  });

  it("normalises each key to `type base64 [comment]`", () => {
    const [type, data] = (pub.ed ?? "").trim().split(" ");
    const result = create({ sshPublicKeys: [`\t${type}   ${data}  ed@laptop \n`, pub.ec] });
    expect(result.success && result.data.sftp).toEqual({ sshPublicKeys: [`${type} ${data} ed@laptop`, (pub.ec ?? "").trim()] });
  });

  it("refuses a wrong key at sftp.sshPublicKeys.<i>, naming its position and reason", () => {
    const result = create({ sshPublicKeys: [pub.ed, pub.weak, "ssh-ed25519 not-base64!"] });
    expect(result.success).toBe(false);
    expect(fields(result)).toEqual({
      "sftp.sshPublicKeys.1": expect.stringMatching(/^Key 2: This RSA key has 2048 bits/),
      "sftp.sshPublicKeys.2": expect.stringMatching(/^Key 3: The key data is not valid base64/),
    });
    expect(result.error && describeIssues(result.error, "The request").message).toMatch(/sftp\.sshPublicKeys\.1: Key 2: /);
  });

  it("refuses the same key twice, whatever its comment", () => {
    const [type, data] = (pub.ed ?? "").trim().split(" ");
    expect(fields(create({ sshPublicKeys: [pub.ed, `${type} ${data} another comment`] }))).toEqual({
      "sftp.sshPublicKeys.1": expect.stringMatching(/^Key 2 is the same key as key 1 \(SHA256:/),
    });
  });

  it(`refuses no keys and more than ${SFTP_KEYS_MAX}, and unknown fields`, () => {
    expect(fields(create({ sshPublicKeys: [] }))).toEqual({ "sftp.sshPublicKeys": expect.stringContaining("at least one") });
    expect(fields(create({ sshPublicKeys: Array.from({ length: SFTP_KEYS_MAX + 1 }, () => pub.ed) }))).toEqual({ "sftp.sshPublicKeys": "Use at most 10 SSH keys per user." });
    expect(create({ sshPublicKeys: [pub.ed], password: "x" }).success).toBe(false);
  });

  it("is offered only to user names Transfer Family accepts", () => {
    for (const name of ["ab", "a+b", "-lead", "ann,lee", "root"]) {
      expect(fields(create({ sshPublicKeys: [pub.ed] }, name)), name).toEqual({ sftp: expect.stringMatching(/SFTP/) });
      expect(CreateUserBody.safeParse({ name }).success, `${name} without SFTP`).toBe(true);
    }
    for (const name of ["ann.lee@example.com", "partner_1", "abc"]) expect(sftpUserNameProblem(name), name).toBeNull();
  });
});

describe("UpdateUserBody.sftp", () => {
  it("null removes access, absent keeps it, and either alone is a change", () => {
    expect(UpdateUserBody.parse({ sftp: null }).sftp).toBeNull();
    expect(UpdateUserBody.parse({ description: "x" }).sftp).toBeUndefined();
    expect(UpdateUserBody.parse({ sftp: { sshPublicKeys: [pub.ec] } }).sftp).toEqual({ sshPublicKeys: [(pub.ec ?? "").trim()] });
    expect(UpdateUserBody.safeParse({}).success).toBe(false);
  });

  it("refuses a wrong key like create does", () => {
    expect(fields(UpdateUserBody.safeParse({ sftp: { sshPublicKeys: ["ssh-dss AAAA"] } }))).toEqual({ "sftp.sshPublicKeys.0": expect.stringMatching(/^Key 1: DSA/) });
  });
});

describe("UserSpec.sftp", () => {
  it("reads specs stored before SFTP existed, and stored keys as they are", () => {
    expect(UserSpec.parse({ description: null, permissions: [], expiresAt: null })).not.toHaveProperty("sftp");
    expect(UserSpec.parse({ description: null, permissions: [], expiresAt: null, sftp: { sshPublicKeys: ["ssh-ed25519 AAAA"] } }).sftp).toEqual({ sshPublicKeys: ["ssh-ed25519 AAAA"] });
  });
});

describe("sftpHostKey", () => {
  it("gives the type, the fingerprint as ssh-keygen -l prints it, and the key blob", () => {
    const line = (pub.ed ?? "").trim();
    const printed = execFileSync("ssh-keygen", ["-lf", join(dir, "ed.pub")], { encoding: "utf8" }).split(" ");
    const hostKey = sftpHostKey(line);
    expect(hostKey).toEqual({ type: "ssh-ed25519", fingerprint: printed[1], publicKey: line.split(" ")[1] });
    expect(SftpHostKey.parse(hostKey)).toEqual(hostKey);
    expect(printed.at(-1)?.trim()).toBe("(ED25519)");
  });

  it("is undefined for what is no key", () => {
    expect(sftpHostKey("")).toBeUndefined();
    expect(sftpHostKey("ssh-ed25519 AAAAnot-a-key")).toBeUndefined();
  });
});

describe("sha256Fingerprint", () => {
  const printed = "SHA256:7bYQTdBkE0c8d8nkyg0n6Qo2gl6d+cqJ2LaWJKIzqTY";
  it("writes Transfer Family's fingerprint as ssh-keygen -l prints it, with or without the prefix and padding", () => {
    expect(sha256Fingerprint(printed)).toBe(printed);
    expect(sha256Fingerprint("7bYQTdBkE0c8d8nkyg0n6Qo2gl6d+cqJ2LaWJKIzqTY=")).toBe(printed);
    expect(sha256Fingerprint(" SHA256:7bYQTdBkE0c8d8nkyg0n6Qo2gl6d+cqJ2LaWJKIzqTY= ")).toBe(printed);
  });

  it("is undefined for what is no SHA-256 fingerprint (an MD5 one, a key, nothing)", () => {
    expect(sha256Fingerprint("MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48")).toBeUndefined();
    expect(sha256Fingerprint("-----BEGIN OPENSSH PRIVATE KEY-----")).toBeUndefined();
    expect(sha256Fingerprint("")).toBeUndefined();
  });
});
