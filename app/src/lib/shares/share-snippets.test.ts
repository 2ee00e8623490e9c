// Proves the recipient's ready-made snippets and downloadable files carry the right keys, region and grants, under a name of the link's own (so a second link's config sits beside the first), and the SFTP server's host key where a client checks it.
import { describe, expect, it } from "vitest";
import type { SharePayload } from "./share-crypto";
import { awsCliSnippet, awsProfileFile, configName, knownHostsFile, knownHostsLine, rcloneCommands, rcloneConfigFile, rcloneSftpConfig, sftpCommands, sftpFolderOf } from "./share-snippets";

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
const name = configName("demo", "acme-uploader");

describe("configName", () => {
  it("is stackroom-<project>-<user>, so links of other users or projects do not collide", () => {
    expect(name).toBe("stackroom-demo-acme-uploader");
    expect(configName("demo", "other")).not.toBe(name);
    expect(configName("acme", "acme-uploader")).not.toBe(name);
  });

  it("keeps only what the AWS CLI and rclone take in a profile or remote name", () => {
    // IAM user names may hold + = , . @ _ -; rclone refuses = , : in remote names.
    expect(configName("demo", "a+b=c,d@e.f_g")).toBe("stackroom-demo-a-b-c-d-e.f_g");
    expect(configName("demo", "--x..")).toBe("stackroom-demo-x");
    expect(configName("demo", "+++")).toBe("stackroom-demo");
  });
});

describe("credential files", () => {
  it("put the AWS keys in a credentials section and the region in a config section, under the link's own name", () => {
    const file = awsProfileFile(payload, name);
    expect(file.filename).toBe("stackroom-demo-acme-uploader-aws-profile.txt");
    const credentials = file.text.split("# --- append to ~/.aws/config ---")[0] ?? "";
    expect(credentials).toContain("[stackroom-demo-acme-uploader]\naws_access_key_id = AKIAEXAMPLE000000001\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    expect(credentials).not.toContain("region");
    expect(file.text).toContain("[profile stackroom-demo-acme-uploader]\nregion = eu-west-1");
  });

  it("make a complete rclone.conf", () => {
    const file = rcloneConfigFile(payload, name);
    expect(file.filename).toBe("stackroom-demo-acme-uploader-rclone.conf");
    expect(file.text).toMatch(/^\[stackroom-demo-acme-uploader\]\ntype = s3\nprovider = AWS\nenv_auth = false\naccess_key_id = AKIAEXAMPLE000000001\n/m);
    expect(file.text).toContain("no_check_bucket = true");
    expect(file.text).not.toContain("type = sftp");
  });
});

describe("snippets", () => {
  it("list every grant (each level may), and download or upload only where the grant allows", () => {
    const aws = awsCliSnippet(payload, name);
    expect(aws).toContain("aws s3 ls s3://uploads-1a2b3c4d/incoming/ --profile stackroom-demo-acme-uploader");
    expect(aws).toContain("aws s3 cp ./report.csv s3://uploads-1a2b3c4d/incoming/report.csv --profile stackroom-demo-acme-uploader");
    expect(aws).not.toContain("aws s3 cp s3://uploads-1a2b3c4d/incoming/report.csv .");
    expect(aws).toContain("aws s3 ls s3://reports-1a2b3c4d/ --profile stackroom-demo-acme-uploader");
    expect(aws).toContain("aws s3 cp s3://reports-1a2b3c4d/report.csv . --profile stackroom-demo-acme-uploader");
    expect(aws).not.toContain("s3://reports-1a2b3c4d/report.csv --profile");
    const rclone = rcloneCommands(payload, name);
    expect(rclone).toContain("rclone copy ./report.csv stackroom-demo-acme-uploader:uploads-1a2b3c4d/incoming/");
    expect(rclone).toContain("rclone ls stackroom-demo-acme-uploader:uploads-1a2b3c4d/incoming/");
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
  const hostKey = { type: "ssh-ed25519", fingerprint: "SHA256:7bYQTdBkE0c8d8nkyg0n6Qo2gl6d+cqJ2LaWJKIzqTY", publicKey: "AAAAC3NzaC1lZDI1NTE5AAAAIFhSf/FIyYlMIsr9Nxq9m5rDHvIk13zK+KhnjxSRS515" };

  it("connect with the key on port 22 without -P; list each folder, get only where it reads and put only where it writes", () => {
    const text = sftpCommands(sftp);
    expect(text).toContain("sftp -i ~/.ssh/id_ed25519 acme-uploader@s-0123456789abcdef0.server.transfer.eu-west-1.amazonaws.com");
    expect(text).toContain("cd /uploads/incoming\nls\nput report.csv");
    expect(text).toContain("cd /reports\nls\nget report.csv");
    expect(text).not.toContain("cd /reports\nls\nget report.csv\nput");
    expect(text).not.toContain("known_hosts");
  });

  it("name a port other than 22 (the local stand-in)", () => {
    expect(sftpCommands({ ...sftp, host: "localhost", port: 2222 })).toContain("sftp -i ~/.ssh/id_ed25519 -P 2222 acme-uploader@localhost");
    expect(rcloneSftpConfig({ ...sftp, host: "localhost", port: 2222 }, name)).toContain("host = localhost\nport = 2222\nuser = acme-uploader");
  });

  it("make an rclone remote named after the link that runs no shell commands on Transfer Family", () => {
    const config = rcloneSftpConfig(sftp, name);
    expect(config.split("\n")[0]).toBe("[stackroom-demo-acme-uploader-sftp]");
    expect(config).toContain("type = sftp");
    expect(config).toContain("shell_type = none");
    expect(config).toContain("disable_hashcheck = true");
    expect(rcloneConfigFile({ ...payload, sftp }, name).text).toContain("\n\n[stackroom-demo-acme-uploader-sftp]\ntype = sftp\n");
  });

  it("write the host key as known_hosts has it: host alone on port 22, [host]:port otherwise", () => {
    expect(knownHostsLine({ ...sftp, hostKey })).toBe(`${sftp.host} ssh-ed25519 ${hostKey.publicKey}`);
    expect(knownHostsLine({ ...sftp, host: "localhost", port: 2222, hostKey })).toBe(`[localhost]:2222 ssh-ed25519 ${hostKey.publicKey}`);
    const file = knownHostsFile({ ...sftp, host: "localhost", port: 2222, hostKey }, name);
    expect(file?.filename).toBe("stackroom-demo-acme-uploader.known_hosts");
    expect(file?.text.split("\n")).toEqual([`# SFTP server of stackroom-demo-acme-uploader, from Stackroom: ssh-ed25519 ${hostKey.fingerprint}`, `[localhost]:2222 ssh-ed25519 ${hostKey.publicKey}`, ""]);
  });

  it("trust the host key before connecting, and make rclone check it", () => {
    const text = sftpCommands({ ...sftp, host: "localhost", port: 2222, hostKey });
    expect(text.split("\n").slice(0, 2)).toEqual([`# Trust the server's host key (${hostKey.fingerprint}), once`, `echo '[localhost]:2222 ssh-ed25519 ${hostKey.publicKey}' >> ~/.ssh/known_hosts`]);
    expect(rcloneSftpConfig({ ...sftp, hostKey }, name)).toContain("known_hosts_file = ~/.ssh/known_hosts");
    expect(rcloneSftpConfig(sftp, name)).not.toContain("known_hosts_file");
  });

  it("with only the fingerprint (Transfer Family's API gives no key), say what the first connection must show", () => {
    const { publicKey: _publicKey, ...fingerprintOnly } = hostKey;
    // What healing stores from DescribeServer: the fingerprint alone.
    const withFingerprint = { ...sftp, hostKey: { fingerprint: fingerprintOnly.fingerprint } };
    expect(knownHostsLine(withFingerprint)).toBeNull();
    expect(knownHostsFile(withFingerprint, name)).toBeNull();
    expect(sftpCommands(withFingerprint).split("\n")[0]).toBe(`# On the first connection, answer yes only if sftp shows the key fingerprint ${hostKey.fingerprint}`);
  });

  it("find the SFTP folder that shows each S3 grant (the S3 name without the project's suffix)", () => {
    const folders = { ...sftp, folders: [{ path: "/reports-archive", access: "read" as const }, { path: "/reports", access: "read" as const }, { path: "/uploads/incoming", access: "write" as const }] };
    expect(sftpFolderOf({ bucket: "reports-archive-442ed694", access: "read" }, folders)).toBe("/reports-archive");
    expect(sftpFolderOf({ bucket: "reports-442ed694", access: "read" }, folders)).toBe("/reports");
    expect(sftpFolderOf({ bucket: "uploads-442ed694", access: "write", prefix: "incoming/" }, folders)).toBe("/uploads/incoming");
    expect(sftpFolderOf({ bucket: "other-442ed694", access: "read" }, folders)).toBeUndefined();
  });
});
