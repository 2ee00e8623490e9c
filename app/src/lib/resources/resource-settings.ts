import type { BucketSpec, SftpServerSpec } from "$contract";
import { encryptionLabel, expiryLabel } from "$lib/format";
import { counted } from "$lib/plural";

/** One line of a resource page's settings: the setting, its value, and what that means. */
export interface SettingRow {
  setting: string;
  value: string;
  meaning: string;
}

/**
 * A bucket's settings as its page lists them: what the manager chose (versioning, encryption,
 * expiry) and what every Stackroom bucket has whatever was chosen (the hardening the template
 * always applies: public access blocked, ACLs off, TLS 1.2+ only, data kept on stack deletion).
 */
export function bucketSettingRows(spec: BucketSpec): SettingRow[] {
  return [
    {
      setting: "Versioning",
      value: spec.versioning ? "On" : "Off",
      meaning: spec.versioning ? "An overwritten or deleted object keeps its earlier versions." : "An overwrite or delete replaces the object for good.",
    },
    {
      setting: "Encryption",
      value: encryptionLabel[spec.encryption],
      meaning: spec.encryption === "kms" ? "Encrypted at rest with the project’s KMS key." : "Encrypted at rest with keys S3 manages (AES-256).",
    },
    {
      setting: "Lifecycle",
      value: spec.expireAfterDays === null ? "No expiry" : `Expire after ${counted(spec.expireAfterDays, "day")}`,
      meaning: `${expiryLabel(spec.expireAfterDays)}.`,
    },
    { setting: "Public access", value: "Blocked", meaning: "All four public access blocks are on: no policy or ACL can make objects public." },
    { setting: "Object ownership", value: "Bucket owner enforced", meaning: "ACLs are off; the project’s account owns every object." },
    { setting: "Transport", value: "TLS 1.2 or newer", meaning: "The bucket policy refuses plain HTTP and older TLS." },
  ];
}

/** The SFTP server's settings: chosen by Stackroom, shown so a partner's security review can read them. */
export function sftpSettingRows(spec: SftpServerSpec): SettingRow[] {
  return [
    { setting: "Security policy", value: spec.securityPolicy, meaning: "The SSH ciphers, key exchanges and MACs AWS Transfer Family accepts." },
    { setting: "Logs kept", value: counted(spec.logRetentionDays, "day"), meaning: "Sign-ins and file operations are logged to CloudWatch for this long." },
  ];
}
