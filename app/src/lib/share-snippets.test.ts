// Proves the recipient's ready-made snippets and downloadable files carry the right profile, keys, region and grants.
import { describe, expect, it } from "vitest";
import type { SharePayload } from "./share-crypto";
import { awsCliSnippet, awsProfileFile, rcloneCommands, rcloneConfigFile } from "./share-snippets";

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
