// Proves the recipient's ready-made snippets and downloadable files carry the right profile, keys, region and grants.
import { describe, expect, it } from "vitest";
import type { SharePayload } from "./share-crypto";
import { awsCliSnippet, awsProfileFile, rcloneCommands, rcloneConfigFile, rcloneSftpConfig, sftpCommands } from "./share-snippets";

const payload: SharePayload = {
  accessKeyId: "AKIAEXAMPLE000000001",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  region: "eu-west-1",
  user: "acme-uploader",
  grants: [
    { bucket: "uploads-1a2b3c4d", access: "write", prefix: "incoming/" },
    { bucket: "reports-1a2b3c4d", access: "read" },
  ],
  projectName: "Demo project",
};

describe("credential files", () => {
  it("put the AWS keys in a credentials section and the region in a config section", () => {
    const file = awsProfileFile(payload);
    expect(file.filename).toBe("stackroom-acme-uploader-aws-profile.txt");
    const credentials = file.text.split("# --- append to ~/.aws/config ---")[0] ?? "";
    expect(credentials).toContain("[stackroom]\naws_access_key_id = AKIAEXAMPLE000000001\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    expect(credentials).not.toContain("region");
    expect(file.text).toContain("[profile stackroom]\nregion = eu-west-1");
  });

  it("make a complete rclone.conf", () => {
    const file = rcloneConfigFile(payload);
    expect(file.filename).toBe("stackroom-acme-uploader-rclone.conf");
    expect(file.text).toMatch(/^\[stackroom\]\ntype = s3\nprovider = AWS\nenv_auth = false\naccess_key_id = AKIAEXAMPLE000000001\n/m);
    expect(file.text).toContain("no_check_bucket = true");
  });
});

describe("snippets", () => {
  it("only offer what each grant allows", () => {
    const aws = awsCliSnippet(payload);
    expect(aws).toContain("aws s3 cp ./report.csv s3://uploads-1a2b3c4d/incoming/report.csv --profile stackroom");
    expect(aws).not.toContain("aws s3 ls s3://uploads-1a2b3c4d/");
    expect(aws).toContain("aws s3 ls s3://reports-1a2b3c4d/ --profile stackroom");
    expect(rcloneCommands(payload)).toContain("rclone copy ./report.csv stackroom:uploads-1a2b3c4d/incoming/");
  });
});

describe("SFTP snippets", () => {
  const sftp = {
    host: "s-0123456789abcdef0.server.transfer.eu-west-1.amazonaws.com",
    port: 22,
    user: "acme-uploader",
    keyFingerprints: ["SHA256:UPyelvrieWDtXZbQapggETgwSp24aiOYaZKplrW9RRI"],
    folders: [
      { path: "/uploads/incoming", access: "write" as const },
      { path: "/reports", access: "read" as const },
    ],
  };

  it("connect with the key on port 22 without -P, and only put where the folder takes writes", () => {
    const text = sftpCommands(sftp);
    expect(text).toContain("sftp -i ~/.ssh/id_ed25519 acme-uploader@s-0123456789abcdef0.server.transfer.eu-west-1.amazonaws.com");
    expect(text).toContain("cd /uploads/incoming\nput report.csv");
    expect(text).toContain("cd /reports\nls\nget report.csv");
    expect(text).not.toContain("cd /reports\nls\nget report.csv\nput");
  });

  it("name a port other than 22 (the local stand-in)", () => {
    expect(sftpCommands({ ...sftp, host: "localhost", port: 2222 })).toContain("sftp -i ~/.ssh/id_ed25519 -P 2222 acme-uploader@localhost");
    expect(rcloneSftpConfig({ ...sftp, host: "localhost", port: 2222 })).toContain("host = localhost\nport = 2222\nuser = acme-uploader");
  });

  it("make an rclone remote that runs no shell commands on Transfer Family", () => {
    const config = rcloneSftpConfig(sftp);
    expect(config.split("\n")[0]).toBe("[stackroom-sftp]");
    expect(config).toContain("type = sftp");
    expect(config).toContain("shell_type = none");
    expect(config).toContain("disable_hashcheck = true");
  });
});
