import * as z from "zod";
import { keyFingerprint, parseSshPublicKey, SSH_KEY_LINE_MAX } from "./ssh-key";

/**
 * SSH keys per SFTP user. AWS Transfer Family allows 50 per service-managed user (its quotas page;
 * AWS's own aws-ia/terraform-aws-transfer-family module validates "Maximum of 50 public keys allowed
 * per user as per AWS Transfer Family limits"). Stackroom stops at 10 because every key is written
 * twice into the user stack's TemplateBody (Metadata spec and the AWS::Transfer::User), and
 * CreateStack takes at most 51,200 bytes of TemplateBody: 10 keys of 2048 characters already use
 * 40 KB of it. Ten keys still give every party a key per machine and room to rotate.
 */
export const SFTP_KEYS_MAX = 10;

/** SFTP access as a spec stores it: read back from templates and storage, so not re-judged here. */
export const SftpAccess = z.object({
  sshPublicKeys: z.array(z.string().max(SSH_KEY_LINE_MAX)).min(1).max(SFTP_KEYS_MAX),
});
export type SftpAccess = z.infer<typeof SftpAccess>;

/**
 * The keys a manager sends: each one parsed (a refusal names its position and reason, at
 * `sftp.sshPublicKeys.<i>`), written in normal form (`type base64 [comment]`), none twice (same
 * fingerprint, whatever the comment).
 */
const SshPublicKeyLines = z
  .array(z.string({ error: "Paste each key as text." }), { error: "List the SSH public keys." })
  .min(1, "Add at least one SSH public key, or turn SFTP off.")
  .max(SFTP_KEYS_MAX, `Use at most ${SFTP_KEYS_MAX} SSH keys per user.`)
  .transform((lines, ctx) => {
    const seen = new Map<string, number>();
    const normalised: string[] = [];
    lines.forEach((line, i) => {
      const parsed = parseSshPublicKey(line);
      if (!parsed.ok) {
        ctx.addIssue({ code: "custom", path: [i], message: `Key ${i + 1}: ${parsed.reason}`, input: line });
        return;
      }
      const fingerprint = keyFingerprint(parsed.key.line);
      const first = seen.get(fingerprint);
      if (first !== undefined) {
        ctx.addIssue({ code: "custom", path: [i], message: `Key ${i + 1} is the same key as key ${first + 1} (${fingerprint}).`, input: line });
        return;
      }
      seen.set(fingerprint, i);
      normalised.push(parsed.key.line);
    });
    return normalised;
  });

export const SftpAccessInput = z.strictObject({ sshPublicKeys: SshPublicKeyLines });

/**
 * Transfer Family's user names are `[\w][\w@.-]{2,99}` (AWS::Transfer::User UserName), and it
 * refuses sign-in for names of one or two characters and for `root` (Transfer Family user guide,
 * "Managing users for server endpoints"). IAM allows more (`+=,` and short names), so SFTP is
 * offered only to users whose Stackroom name Transfer Family takes as it is.
 */
const TRANSFER_USER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_@.-]{2,99}$/;

/** Why `name` cannot have SFTP access, or null when it can. */
export function sftpUserNameProblem(name: string): string | null {
  if (name.toLowerCase() === "root") return "SFTP is not available for a user named root.";
  if (!TRANSFER_USER_NAME.test(name)) {
    return "SFTP needs a user name of at least 3 characters that starts with a letter, digit or _ and uses only letters, digits and _ @ . -";
  }
  return null;
}
