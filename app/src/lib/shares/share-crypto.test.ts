// Proves the share link's cryptography: a round trip, a wrong key, tampered ciphertext, bad fragments, and passphrases that only the server can check (no verifier in the link: every guess gives a different proof, and the fragment alone proves nothing).
import { describe, expect, it } from "vitest";
import { linkSecrets, openSealedShare, parseFragment, sealShare, ShareDecryptError, toBase64Url, WrongPassphraseError, type SharePayload } from "./share-crypto";

const payload: SharePayload = {
  accessKeyId: "AKIAEXAMPLE000000001",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  region: "eu-west-1",
  user: "acme-uploader",
  grants: [{ bucket: "uploads-1a2b3c4d", access: "write", prefix: "incoming/" }],
  projectName: "Demo project",
};
/** Few iterations keep the tests fast; the construction is the same. */
const FAST = 1_000;

function flip(text: string): string {
  const last = text.at(-2) === "A" ? "B" : "A";
  return text.slice(0, -2) + last + text.slice(-1);
}

describe("share links without a passphrase", () => {
  it("open with the key in the fragment, and the proof the server stored comes from that key", async () => {
    const sealed = await sealShare(payload);
    expect(sealed.fragment).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sealed.proof).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sealed.passphrase).toBe(false);
    const fragment = parseFragment(`#${sealed.fragment}`);
    expect(fragment?.passphrase).toBe(false);
    const secrets = await linkSecrets(fragment!, null);
    expect(secrets.proof).toBe(sealed.proof);
    expect(secrets.proof).not.toBe(toBase64Url(fragment!.key));
    expect(await openSealedShare(sealed, secrets.key)).toEqual(payload);
  });

  it("refuse another key", async () => {
    const sealed = await sealShare(payload);
    const other = parseFragment(`#${(await sealShare(payload)).fragment}`)!;
    await expect(openSealedShare(sealed, other.key)).rejects.toBeInstanceOf(ShareDecryptError);
    expect((await linkSecrets(other, null)).proof).not.toBe(sealed.proof);
  });

  it("refuse tampered ciphertext", async () => {
    const sealed = await sealShare(payload);
    const key = parseFragment(sealed.fragment)!.key;
    await expect(openSealedShare({ ...sealed, ciphertext: flip(sealed.ciphertext) }, key)).rejects.toThrow(/does not open/);
    await expect(openSealedShare({ ...sealed, ciphertext: "not*base64" }, key)).rejects.toThrow(/damaged/);
  });

  it("say a damaged fragment is no fragment", () => {
    expect(parseFragment("")).toBeNull();
    expect(parseFragment("#abc")).toBeNull();
    expect(parseFragment(`#${"A".repeat(42)}`)).toBeNull();
    expect(parseFragment(`#${"A".repeat(43)}.`)).toBeNull();
    expect(parseFragment(`#${"A".repeat(43)}.p.p`)).toBeNull();
    expect(parseFragment(`#${"A".repeat(40)}+/=`)).toBeNull();
    expect(parseFragment(`#${toBase64Url(new Uint8Array(32))}`)?.key).toHaveLength(32);
  });
});

describe("share links with a passphrase", () => {
  it("carry only a marker, and open with the right passphrase", async () => {
    const sealed = await sealShare(payload, "correct horse", FAST);
    expect(sealed.fragment).toMatch(/^[A-Za-z0-9_-]{43}\.p$/);
    const fragment = parseFragment(`#${sealed.fragment}`)!;
    expect(fragment.passphrase).toBe(true);
    const secrets = await linkSecrets(fragment, "correct horse", FAST);
    expect(secrets.proof).toBe(sealed.proof);
    expect(await openSealedShare(sealed, secrets.key)).toEqual(payload);
  });

  it("give a wrong passphrase a different proof (the server refuses it) and ask for a missing one", async () => {
    const sealed = await sealShare(payload, "correct horse", FAST);
    const fragment = parseFragment(sealed.fragment)!;
    expect((await linkSecrets(fragment, "correct hose", FAST)).proof).not.toBe(sealed.proof);
    await expect(linkSecrets(fragment, "", FAST)).rejects.toBeInstanceOf(WrongPassphraseError);
    await expect(linkSecrets(fragment, null, FAST)).rejects.toBeInstanceOf(WrongPassphraseError);
  });

  it("cannot be opened or proven with the fragment key alone", async () => {
    const sealed = await sealShare(payload, "correct horse", FAST);
    const fragment = parseFragment(sealed.fragment)!;
    await expect(openSealedShare(sealed, fragment.key)).rejects.toBeInstanceOf(ShareDecryptError);
    expect((await linkSecrets({ ...fragment, passphrase: false }, null)).proof).not.toBe(sealed.proof);
  });

  it("treat composed and decomposed accents as the same passphrase", async () => {
    const sealed = await sealShare(payload, "caf\u00e9", FAST);
    const secrets = await linkSecrets(parseFragment(sealed.fragment)!, "cafe\u0301", FAST);
    expect(secrets.proof).toBe(sealed.proof);
    expect((await openSealedShare(sealed, secrets.key)).user).toBe("acme-uploader");
  });

  it("read a link made before proofs (a verifier after the dot) as needing a passphrase", () => {
    expect(parseFragment(`#${"A".repeat(43)}.AAAAAA`)?.passphrase).toBe(true);
  });
});
