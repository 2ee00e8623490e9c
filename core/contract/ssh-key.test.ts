// Proves the contract's SSH key parser accepts exactly the keys Transfer Family takes (ed25519, ECDSA P-256/384/521, RSA ≥ 3072) as real `ssh-keygen` writes them, agrees with sshpk and `ssh-keygen -lf` on type, size and fingerprint, and refuses private keys, other formats, weak and damaged keys, keys anyone can sign for (RSA e < 65537, small-order or non-canonical Ed25519, off-curve ECDSA, checked against WebCrypto) and lines with invisible control or text-direction characters, with a reason.
import { execFileSync, spawnSync } from "node:child_process";
import { generateKeyPairSync, randomBytes, webcrypto } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sshpk from "sshpk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SftpAccessInput } from "./sftp";
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

/** An RSA blob with this exponent and modulus (mpints of RFC 4251 §5). */
const rsaBlob = (e: bigint, n: bigint) => Buffer.concat([wireString("ssh-rsa"), wireString(mpint(e)), wireString(mpint(n))]);
const mpint = (value: bigint) => {
  const bytes = Buffer.from(value.toString(16).padStart(Math.ceil(value.toString(16).length / 2) * 2, "0"), "hex");
  return bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
};
const fixed = (value: bigint, size: number) => Buffer.from(value.toString(16).padStart(size * 2, "0"), "hex");
const randomBelow = (p: bigint) => BigInt(`0x${randomBytes(80).toString("hex")}`) % p;

describe("parseSshPublicKey refuses RSA keys anyone can sign for", () => {
  const modulus = () => {
    const [, , n = Buffer.alloc(0)] = readWire(blobOf("rsa-3072"));
    return BigInt(`0x${n.toString("hex")}`);
  };

  it.each([
    ["e = 1 (any signature verifies)", 1n, "public exponent is 1; such a key accepts any signature"],
    ["e = 3", 3n, "public exponent is 3, below 65537"],
    ["e = 65535", 65535n, "public exponent is 65535, below 65537"],
    ["an even e", 65538n, "public exponent is even"],
  ])("%s", (_, e, reason) => {
    expect(parseSshPublicKey(line("ssh-rsa", rsaBlob(e, modulus())))).toEqual({ ok: false, reason: expect.stringContaining(reason) });
  });

  it("e not below n, and an even n (the factor 2 gives the private key away)", () => {
    const n = modulus();
    expect(parseSshPublicKey(line("ssh-rsa", rsaBlob(n, n)))).toEqual({ ok: false, reason: expect.stringContaining("not smaller than its modulus") });
    expect(parseSshPublicKey(line("ssh-rsa", rsaBlob(65537n, n - 1n)))).toEqual({ ok: false, reason: expect.stringContaining("modulus is even") });
  });

  it("names the exponent before the size, and still takes odd exponents from 65537 up", () => {
    const [, , n2048 = Buffer.alloc(0)] = readWire(blobOf("rsa-2048"));
    expect(parseSshPublicKey(line("ssh-rsa", rsaBlob(1n, BigInt(`0x${n2048.toString("hex")}`))))).toEqual({ ok: false, reason: expect.stringContaining("exponent is 1") });
    for (const e of [65537n, 2n ** 32n + 1n]) expect(parseSshPublicKey(line("ssh-rsa", rsaBlob(e, modulus()))), String(e)).toMatchObject({ ok: true, key: { bits: 3072 } });
  });

  it("every refusal reaches the form as `Key N:` and a reason", () => {
    const result = SftpAccessInput.safeParse({ sshPublicKeys: [key("ed25519").pub, line("ssh-rsa", rsaBlob(1n, modulus()))] });
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([
      expect.objectContaining({ path: ["sshPublicKeys", 1], message: expect.stringMatching(/^Key 2: This RSA key's public exponent is 1; .* ssh-keygen -t ed25519\.$/) }),
    ]);
  });
});

describe("parseSshPublicKey refuses Ed25519 keys that are not a sound point", () => {
  const P = 2n ** 255n - 19n;
  const D = 37095705934669439343138083508754565189542113879843219016388785533085940283555n;
  const pow = (b: bigint, e: bigint): bigint => (e === 0n ? 1n : (pow((b * b) % P, e >> 1n) * (e & 1n ? b : 1n)) % P);
  /** y little-endian with x's sign in the top bit (RFC 8032 §5.1.2), as an ssh-ed25519 line. */
  const edLine = (y: bigint, sign: 0 | 1 = 0) => {
    const bytes = fixed(y | (BigInt(sign) << 255n), 32).reverse();
    return line("ssh-ed25519", Buffer.concat([wireString("ssh-ed25519"), wireString(bytes)]));
  };
  const hexLine = (hex: string) => line("ssh-ed25519", Buffer.concat([wireString("ssh-ed25519"), wireString(Buffer.from(hex, "hex"))]));

  // The eight points of order 1, 2, 4 and 8, as listed by Chalkias et al., "Taming the many EdDSAs" (2020), and libsodium's blocklist.
  const smallOrder = [
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
  ];

  it.each(smallOrder)("the small-order point %s", (hex) => {
    expect(parseSshPublicKey(hexLine(hex))).toEqual({ ok: false, reason: expect.stringContaining("weak (small-order) points") });
  });

  it("the other spellings of small-order points: y ≥ p, and x = 0 written as negative (RFC 8032 §5.1.3)", () => {
    const spellings = [edLine(P), edLine(P, 1), edLine(P + 1n), edLine(P + 1n, 1), edLine(1n, 1), edLine(P - 1n, 1), hexLine("ff".repeat(32))];
    for (const spelling of spellings) {
      expect(parseSshPublicKey(spelling), spelling).toEqual({ ok: false, reason: expect.stringContaining("not written in the one standard form") });
    }
  });

  it("agrees with Euler's criterion on which random y have a point, and takes every key Node's crypto makes", () => {
    for (let i = 0; i < 64; i++) {
      const y = randomBelow(P);
      const y2 = (y * y) % P;
      // x² = (y² − 1)/(d·y² + 1) has a root exactly when that quotient is 0 or a square mod p.
      const quotient = ((((y2 - 1n) % P) + P) % P) * pow((D * y2 + 1n) % P, P - 2n) % P;
      const onCurve = quotient === 0n || pow(quotient, (P - 1n) / 2n) === 1n;
      const sign = (i & 1) as 0 | 1;
      expect(parseSshPublicKey(edLine(y, sign)), `y=${y}`).toEqual(onCurve ? expect.objectContaining({ ok: true }) : { ok: false, reason: expect.stringContaining("not a point on the Ed25519 curve") });
    }
    for (let i = 0; i < 32; i++) {
      const raw = Buffer.from(generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" }).x ?? "", "base64url");
      expect(parseSshPublicKey(line("ssh-ed25519", Buffer.concat([wireString("ssh-ed25519"), wireString(raw)]))).ok).toBe(true);
    }
  });
});

describe("parseSshPublicKey takes exactly the ECDSA points WebCrypto takes", () => {
  const curves = [
    { name: "nistp256", namedCurve: "P-256", size: 32, p: 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n },
    { name: "nistp384", namedCurve: "P-384", size: 48, p: 2n ** 384n - 2n ** 128n - 2n ** 96n + 2n ** 32n - 1n },
    { name: "nistp521", namedCurve: "P-521", size: 66, p: 2n ** 521n - 1n },
  ];
  const ecdsaLine = (curve: string, point: Uint8Array) =>
    line(`ecdsa-sha2-${curve}`, Buffer.concat([wireString(`ecdsa-sha2-${curve}`), wireString(curve), wireString(point)]));
  const point = (x: bigint, y: bigint, size: number) => Buffer.concat([Buffer.from([4]), fixed(x, size), fixed(y, size)]);

  it.each(curves)("$name: generated, mirrored, moved and random points", async ({ name, namedCurve, size, p }) => {
    const webCryptoTakes = (raw: Uint8Array) =>
      webcrypto.subtle.importKey("raw", raw, { name: "ECDSA", namedCurve }, true, ["verify"]).then(() => true, () => false);
    const candidates: Buffer[] = [];
    for (let i = 0; i < 8; i++) {
      const pair = await webcrypto.subtle.generateKey({ name: "ECDSA", namedCurve }, true, ["sign", "verify"]);
      const raw = Buffer.from(await webcrypto.subtle.exportKey("raw", pair.publicKey));
      const [x, y] = [BigInt(`0x${raw.subarray(1, 1 + size).toString("hex")}`), BigInt(`0x${raw.subarray(1 + size).toString("hex")}`)];
      // (x, −y) is on the curve too; (x, y + 1) is not; x + p, where it fits, is x written out of range.
      candidates.push(raw, point(x, p - y, size), point(x, (y + 1n) % p, size), point(randomBelow(p), randomBelow(p), size));
      if (x + p < 2n ** BigInt(8 * size)) candidates.push(point(x + p, y, size));
    }
    candidates.push(point(0n, 0n, size), point(p, 0n, size));
    const verdicts = await Promise.all(candidates.map(async (raw) => ({ ours: parseSshPublicKey(ecdsaLine(name, raw)).ok, webCrypto: await webCryptoTakes(raw) })));
    expect(verdicts.filter((v) => v.ours !== v.webCrypto)).toEqual([]);
    expect(verdicts.filter((v) => v.ours).length).toBe(16);
  });

  it.each(curves)("$name: names why a point is refused", ({ name, size, p }) => {
    expect(parseSshPublicKey(ecdsaLine(name, point(1n, 1n, size)))).toEqual({ ok: false, reason: expect.stringContaining(`not on the ${name} curve`) });
    expect(parseSshPublicKey(ecdsaLine(name, point(p, 1n, size)))).toEqual({ ok: false, reason: expect.stringContaining("out of range") });
    expect(parseSshPublicKey(ecdsaLine(name, Buffer.from([0])))).toEqual({ ok: false, reason: expect.stringContaining("point at infinity") });
  });
});

describe("parseSshPublicKey refuses key lines that display as something else", () => {
  // Named by code point: printed raw, these would garble the test report the same way.
  const hidden = [0x00, 0x07, 0x1b, 0x7f, 0x85, 0x9b, 0x61c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]
    .map((point) => ({ char: String.fromCodePoint(point), code: `U+${point.toString(16).toUpperCase().padStart(4, "0")}` }));

  it.each(hidden)("a comment holding $code, named by its code point", ({ char, code }) => {
    const [type, data] = key("ed25519").pub.trim().split(" ");
    expect(parseSshPublicKey(`${type} ${data} ann@laptop${char}pot-pal`)).toEqual({ ok: false, reason: expect.stringContaining(`(${code})`) });
  });

  it("a control character between type and data; comments in any script stay accepted", () => {
    const [type, data] = key("ed25519").pub.trim().split(" ");
    expect(parseSshPublicKey(`${type}\u000b${data}`)).toEqual({ ok: false, reason: expect.stringContaining("(U+000B)") });
    expect(parseSshPublicKey(`${type} ${data} Zoë’s laptop — 東京 مكتب`)).toMatchObject({ ok: true, key: { comment: "Zoë’s laptop — 東京 مكتب" } });
  });
});
