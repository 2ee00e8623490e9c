// Proves a resource page's settings read as words: what was chosen, and the hardening every bucket has.
import { describe, expect, it } from "vitest";
import { bucketSettingRows, sftpSettingRows } from "./resource-settings";

describe("settings in words", () => {
  it("lists a bucket's choices and its fixed hardening", () => {
    const rows = bucketSettingRows({ versioning: true, encryption: "kms", expireAfterDays: 30 });
    expect(rows.map((r) => `${r.setting}: ${r.value}`)).toEqual([
      "Versioning: On",
      "Encryption: SSE-KMS",
      "Lifecycle: Expire after 30 days",
      "Public access: Blocked",
      "Object ownership: Bucket owner enforced",
      "Transport: TLS 1.2 or newer",
    ]);
    expect(rows[2]?.meaning).toBe("Objects expire after 30 days.");
  });

  it("says one day and no expiry in the same words as everywhere else", () => {
    expect(bucketSettingRows({ versioning: false, encryption: "s3", expireAfterDays: 1 })[2]?.value).toBe("Expire after 1 day");
    const none = bucketSettingRows({ versioning: false, encryption: "s3", expireAfterDays: null });
    expect(none[0]?.value).toBe("Off");
    expect(none[2]).toMatchObject({ value: "No expiry", meaning: "Kept until deleted." });
  });

  it("reads the SFTP server's settings", () => {
    expect(sftpSettingRows({ securityPolicy: "TransferSecurityPolicy-2024-01", logRetentionDays: 90 }).map((r) => r.value)).toEqual(["TransferSecurityPolicy-2024-01", "90 days"]);
  });
});
