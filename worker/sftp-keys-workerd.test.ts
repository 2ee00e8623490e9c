// Proves the contract's SSH key validation and fingerprint run inside workerd (the Worker bundles the contract), giving what ssh-keygen gives.
import { describe, expect, it } from "vitest";
import { CreateUserBody, keyFingerprint } from "../core/contract";

// Made with `ssh-keygen -t ed25519 -C ann@example`; `ssh-keygen -lf` printed the fingerprint below.
const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOrqTQvPVMu6nFljji66stLURQIBidk7Mndz752nKraM ann@example";
const FINGERPRINT = "SHA256:G+RePswh0vgeG5GaaKuLG2xTg8mQwLl0qfuOSr8kWaE";

describe("SSH keys in workerd", () => {
  it("validates, normalises and fingerprints a key as ssh-keygen does", () => {
    const body = CreateUserBody.parse({ name: "partner", sftp: { sshPublicKeys: [`  ${KEY}  `] } });
    expect(body.sftp).toEqual({ sshPublicKeys: [KEY] });
    expect(keyFingerprint(KEY)).toBe(FINGERPRINT);
  });

  it("refuses a private key with its position", () => {
    const result = CreateUserBody.safeParse({ name: "partner", sftp: { sshPublicKeys: [KEY, "-----BEGIN OPENSSH PRIVATE KEY-----"] } });
    expect(result.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([["sftp.sshPublicKeys.1", expect.stringMatching(/^Key 2: This is a private key/)]]);
  });
});
