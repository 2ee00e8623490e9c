// Proves the contract's SSH key parser accepts exactly the keys Transfer Family takes (ed25519, ECDSA P-256/384/521, RSA ≥ 3072) as real `ssh-keygen` writes them, agrees with sshpk and `ssh-keygen -lf` on type, size and fingerprint, and refuses private keys, other formats, weak and damaged keys with a reason.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sshpk from "sshpk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyFingerprint, parseSshPublicKey, SshKeyError } from "./ssh-key";

interface Generated {
  label: string;
  pub: string;
  privateKey: string;
}

const dir = mkdtempSync(join(tmpdir(), "stackroom-ssh-key-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const accepted = [
  { label: "ed25519", args: ["-t", "ed25519"], type: "ssh-ed25519", bits: 256 },
  { label: "ecdsa-256", args: ["-t", "ecdsa", "-b", "256"], type: "ecdsa-sha2-nistp256", bits: 256 },
  { label: "ecdsa-384", args: ["-t", "ecdsa", "-b", "384"], type: "ecdsa-sha2-nistp384", bits: 384 },
  { label: "ecdsa-521", args: ["-t", "ecdsa", "-b", "521"], type: "ecdsa-sha2-nistp521", bits: 521 },
  { label: "rsa-3072", args: ["-t", "rsa", "-b", "3072"], type: "ssh-rsa", bits: 3072 },
  { label: "rsa-4096", args: ["-t", "rsa", "-b", "4096"], type: "ssh-rsa", bits: 4096 },
] as const;
const keys = new Map<string, Generated>();

function generate(label: string, args: readonly string[]): Generated {
  const file = join(dir, label);
  execFileSync("ssh-keygen", ["-q", ...args, "-N", "", "-C", `${label} test key`, "-f", file]);
  return { label, pub: readFileSync(`${file}.pub`, "utf8"), privateKey: readFileSync(file, "utf8") };
}

beforeAll(() => {
  for (const k of [...accepted, { label: "rsa-2048", args: ["-t", "rsa", "-b", "2048"] }]) keys.set(k.label, generate(k.label, k.args));
}, 60_000);

const key = (label: string) => keys.get(label) ?? (() => { throw new Error(`no key ${label}`); })();
/** The blob of a generated key, to damage on purpose. */
const blobOf = (label: string) => Buffer.from(key(label).pub.split(" ")[1] ?? "", "base64");
const line = (type: string, blob: Uint8Array, comment = "") => `${type} ${Buffer.from(blob).toString("base64")}${comment}`;
const wireString = (s: string | Uint8Array) => {
  const bytes = typeof s === "string" ? Buffer.from(s) : Buffer.from(s);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
};

describe("parseSshPublicKey on keys ssh-keygen made", () => {
  it.each(accepted)("accepts $label with the type and size sshpk reads", ({ label, type, bits }) => {
    const result = parseSshPublicKey(key(label).pub);
    expect(result).toEqual({ ok: true, key: expect.objectContaining({ type, bits, comment: `${label} test key` }) });
    const reference = sshpk.parseKey(key(label).pub, "ssh");
    expect(reference.size).toBe(bits);
  });

  it.each(accepted)("prints the fingerprint of $label exactly as ssh-keygen -lf and sshpk do", ({ label }) => {
    const printed = execFileSync("ssh-keygen", ["-lf", join(dir, `${label}.pub`)], { encoding: "utf8" }).split(" ")[1];
    expect(keyFingerprint(key(label).pub)).toBe(printed);
    expect(keyFingerprint(key(label).pub)).toBe(sshpk.parseKey(key(label).pub, "ssh").fingerprint("sha256").toString());
  });

  it("normalises whitespace to `type base64 [comment]` and keeps the comment", () => {
    const [type, data] = key("ed25519").pub.trim().split(" ");
    const parsed = parseSshPublicKey(`  ${type}\t ${data}   Ann's   laptop \n`);
    expect(parsed.ok && parsed.key.line).toBe(`${type} ${data} Ann's laptop`);
    const bare = parseSshPublicKey(`${type} ${data}`);
    expect(bare.ok && bare.key).toMatchObject({ line: `${type} ${data}`, comment: null });
  });

  it("refuses RSA below 3072 bits, naming its size (sshpk reads it as 2048)", () => {
    expect(sshpk.parseKey(key("rsa-2048").pub, "ssh").size).toBe(2048);
    expect(parseSshPublicKey(key("rsa-2048").pub)).toEqual({ ok: false, reason: expect.stringContaining("has 2048 bits") });
  });

  it.each(accepted)("refuses the private key of $label", ({ label }) => {
    expect(parseSshPublicKey(key(label).privateKey)).toEqual({ ok: false, reason: expect.stringContaining("private key") });
  });
});

describe("parseSshPublicKey refuses with a reason", () => {
  it.each([
    ["nothing", "  ", "Paste a public key"],
    ["a PEM private key", "-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n-----END RSA PRIVATE KEY-----", "private key"],
    ["a PuTTY private key", "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none", "private key"],
    ["an RFC 4716 key", '---- BEGIN SSH2 PUBLIC KEY ----\nComment: "x"\nAAAA\n---- END SSH2 PUBLIC KEY ----', "OpenSSH format"],
    ["a DSA key", "ssh-dss AAAAB3NzaC1kc3MAAACBAP1/U4EddRIpUt9KnC7s5Of2EbdSPO9EAMMeP4C2USZpRV1AIlH7WT2NWPq/xfW6MPbLm1Vs14E7 x", "DSA"],
    ["a FIDO key", "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29t x", "Security-key"],
    ["a certificate", "ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29t x", "Certificates"],
    ["an unknown type", "ssh-foo AAAA", "not a key type"],
    ["authorized_keys options", 'from="10.0.0.1" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOrqTQvPVMu6nFljji66stLURQIBidk7Mndz752nKraM', "options"],
    ["no key data", "ssh-ed25519", "missing"],
    ["two keys on two lines", "ssh-ed25519 AAAA\nssh-ed25519 BBBB", "one key per entry"],
    ["a line over 2048 characters", `ssh-rsa ${"A".repeat(2100)}`, "2048"],
    ["base64 with a stray character", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOrqTQvPVMu6nFljji66stLURQIBidk7Mndz752nKra*", "base64"],
  ])("%s", (_, input, reason) => {
    expect(parseSshPublicKey(input)).toEqual({ ok: false, reason: expect.stringContaining(reason) });
  });

  // ssh-keygen is the reference here: sshpk ignores trailing bytes, OpenSSH refuses them.
  it.each([
    ["cut short", (b: Buffer) => b.subarray(0, b.length - 3)],
    ["with trailing bytes", (b: Buffer) => Buffer.concat([b, Buffer.from([0, 0, 0, 0])])],
  ])("damaged keys of every type: %s (ssh-keygen refuses them too)", (label, damage) => {
    for (const k of accepted) {
      const damaged = line(k.type, damage(blobOf(k.label)));
      expect(parseSshPublicKey(damaged), k.label).toEqual({ ok: false, reason: expect.stringContaining("damaged") });
      const file = join(dir, `${k.label}-${label.replace(/ /g, "-")}.pub`);
      writeFileSync(file, `${damaged}\n`);
      expect(spawnSync("ssh-keygen", ["-lf", file]).status, k.label).not.toBe(0);
    }
  });

  it("a blob of another type than its line says, or another curve", () => {
    expect(parseSshPublicKey(line("ssh-rsa", blobOf("ed25519")))).toEqual({ ok: false, reason: expect.stringContaining("ssh-rsa key") });
    const p384AsP256 = Buffer.concat([wireString("ecdsa-sha2-nistp256"), ...[...readWire(blobOf("ecdsa-384"))].slice(1).map(wireString)]);
    expect(parseSshPublicKey(line("ecdsa-sha2-nistp256", p384AsP256))).toEqual({ ok: false, reason: expect.stringContaining("nistp256 key") });
  });

  it("an RSA key with an even exponent or a negative modulus", () => {
    const [type = "", e = Buffer.alloc(0), n = Buffer.alloc(0)] = readWire(blobOf("rsa-3072"));
    const even = Buffer.from(e);
    even[even.length - 1]! &= 0xfe;
    expect(parseSshPublicKey(line("ssh-rsa", Buffer.concat([wireString(type), wireString(even), wireString(n)]))).ok).toBe(false);
    expect(parseSshPublicKey(line("ssh-rsa", Buffer.concat([wireString(type), wireString(e), wireString(n.subarray(1))]))).ok).toBe(false);
  });

  it("keyFingerprint throws SshKeyError for a key it refuses", () => {
    expect(() => keyFingerprint(key("rsa-2048").pub)).toThrow(SshKeyError);
  });
});

/** The length-prefixed fields of an SSH blob (test helper, independent of the parser under test). */
function* readWire(blob: Buffer): Generator<Buffer> {
  let offset = 0;
  while (offset < blob.length) {
    const length = blob.readUInt32BE(offset);
    yield blob.subarray(offset + 4, offset + 4 + length);
    offset += 4 + length;
  }
}
