// Proves bucket names follow S3's rules and explain themselves in words a manager understands.
import { describe, expect, it } from "vitest";
import { BucketName, CreateBucketBody } from "./bucket";

describe("BucketName", () => {
  it.each(["abc", "team-uploads", "a1-b2-c3", "x".repeat(54)])("accepts %s", (name) => {
    expect(BucketName.safeParse(name).success).toBe(true);
  });

  it.each([
    ["ab", "at least 3"],
    ["x".repeat(55), "at most 54"],
    ["Uploads", "lowercase"],
    ["my.bucket", "lowercase letters, digits and hyphens"],
    ["-abc", "Start and end"],
    ["abc-", "Start and end"],
    ["a--b", "two hyphens"],
    ["xn--abc", "reserved"],
  ])("refuses %s", (name, message) => {
    const result = BucketName.safeParse(name);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message).join(" ")).toContain(message);
  });

  it("fills defaults: versioning on, SSE-S3, no expiry, queue", () => {
    expect(CreateBucketBody.parse({ name: "abc" })).toEqual({
      name: "abc", versioning: true, encryption: "s3", expireAfterDays: null, queue: true,
    });
  });

  it("refuses unknown fields", () => {
    expect(CreateBucketBody.safeParse({ name: "abc", public: true }).success).toBe(false);
  });
});
