// Proves the project boundary's name, path, ARN and document: S3 bucket and object actions on the project's buckets, in its account, and nothing else.
import { describe, expect, it } from "vitest";
import { bucketSuffix, physicalBucketName } from "./naming";
import { projectBoundaryArn, projectBoundaryDocument, projectBoundaryName, projectIamPath } from "./project-boundary";

/** IAM's ARN matching: `*` spans any characters, `/` included. */
const matches = (pattern: string, value: string) =>
  new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`).test(value);

describe("project boundary", () => {
  it("is named and placed deterministically, one per project", () => {
    expect(projectIamPath("demo")).toBe("/stackroom/demo/");
    expect(projectBoundaryName("demo")).toBe("stackroom-demo-boundary");
    expect(projectBoundaryArn("demo", "111111111111")).toBe("arn:aws:iam::111111111111:policy/stackroom/demo/stackroom-demo-boundary");
  });

  it("refuses an invalid project or account", () => {
    expect(() => projectBoundaryArn("Demo!", "111111111111")).toThrow();
    expect(() => projectBoundaryArn("demo", "1111")).toThrow(/account/);
    expect(() => projectBoundaryDocument("demo", "1111", "eu-west-1")).toThrow(/account/);
  });

  it("allows S3 bucket and object actions on the project's buckets in its account only", () => {
    const suffix = bucketSuffix("demo", "111111111111", "eu-west-1");
    const Condition = { StringEquals: { "aws:ResourceAccount": "111111111111" } };
    expect(projectBoundaryDocument("demo", "111111111111", "eu-west-1")).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "ProjectBuckets", Effect: "Allow", Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"], Resource: `arn:aws:s3:::*-${suffix}`, Condition },
        {
          Sid: "ProjectObjects",
          Effect: "Allow",
          Action: ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"],
          Resource: `arn:aws:s3:::*-${suffix}/*`,
          Condition,
        },
      ],
    });
    const own = `arn:aws:s3:::${physicalBucketName("demo", "111111111111", "eu-west-1", "any-bucket")}`;
    const other = `arn:aws:s3:::${physicalBucketName("other", "111111111111", "eu-west-1", "any-bucket")}`;
    expect(matches(`arn:aws:s3:::*-${suffix}`, own)).toBe(true);
    expect(matches(`arn:aws:s3:::*-${suffix}`, other)).toBe(false);
  });
});
