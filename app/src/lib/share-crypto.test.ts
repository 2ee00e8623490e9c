// Proves the share link's cryptography: a round trip, a wrong key, tampered ciphertext, bad fragments, and a passphrase checked locally (right opens, wrong throws before anything else).
import { describe, expect, it } from "vitest";
import {
  openSealedShare,
  parseFragment,
  sealShare,
  ShareDecryptError,
  toBase64Url,
  unlockKey,
  WrongPassphraseError,
  type SharePayload,
} from "./share-crypto";

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
  it("open with the key in the fragment", async () => {
    const sealed = await sealShare(payload);
    expect(sealed.fragment).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const fragment = parseFragment(`#${sealed.fragment}`);
    expect(fragment?.verifier).toBeNull();
    const key = await unlockKey(fragment!, null);
    expect(await openSealedShare(sealed, key)).toEqual(payload);
  });

  it("refuse another key", async () => {
    const sealed = await sealShare(payload);
    const other = parseFragment(`#${(await sealShare(payload)).fragment}`)!;
    await expect(openSealedShare(sealed, other.key)).rejects.toBeInstanceOf(ShareDecryptError);
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
    expect(parseFragment(`#${"A".repeat(43)}.AAAAAA.AAAAAA`)).toBeNull();
    expect(parseFragment(`#${"A".repeat(43)}.AA`)).toBeNull();
    expect(parseFragment(`#${"A".repeat(40)}+/=`)).toBeNull();
    expect(parseFragment(`#${toBase64Url(new Uint8Array(32))}`)?.key).toHaveLength(32);
  });
});

describe("share links with a passphrase", () => {
  it("carry a verifier and open with the right passphrase", async () => {
    const sealed = await sealShare(payload, "correct horse", FAST);
    const fragment = parseFragment(`#${sealed.fragment}`)!;
    expect(sealed.fragment).toMatch(/^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{6}$/);
    expect(fragment.verifier).toHaveLength(4);
    const key = await unlockKey(fragment, "correct horse", FAST);
    expect(await openSealedShare(sealed, key)).toEqual(payload);
  });

  it("reject a wrong or missing passphrase locally, before any request could be made", async () => {
    const sealed = await sealShare(payload, "correct horse", FAST);
    const fragment = parseFragment(sealed.fragment)!;
    await expect(unlockKey(fragment, "correct hose", FAST)).rejects.toBeInstanceOf(WrongPassphraseError);
    await expect(unlockKey(fragment, "", FAST)).rejects.toBeInstanceOf(WrongPassphraseError);
    await expect(unlockKey(fragment, null, FAST)).rejects.toBeInstanceOf(WrongPassphraseError);
  });

  it("cannot be opened with the fragment key alone", async () => {
    const sealed = await sealShare(payload, "correct horse", FAST);
    await expect(openSealedShare(sealed, parseFragment(sealed.fragment)!.key)).rejects.toBeInstanceOf(ShareDecryptError);
  });

  it("treat composed and decomposed accents as the same passphrase", async () => {
    const sealed = await sealShare(payload, "caf\u00e9", FAST);
    const key = await unlockKey(parseFragment(sealed.fragment)!, "cafe\u0301", FAST);
    expect((await openSealedShare(sealed, key)).user).toBe("acme-uploader");
  });
});
