// Proves isBucketEmpty against moto: absent, empty, holding an object, and holding only a delete marker in a versioned bucket.
import { env } from "cloudflare:test";
import { AwsClient } from "aws4fetch";
import { expect, it } from "vitest";
import { bucketUrl, s3Client } from "./s3";
import { randomSuffix, motoCredentials } from "../../test/aws/test-kit";

const region = "eu-west-1";
const credentials = motoCredentials(env.AWS_ENDPOINT, region);
const s3 = s3Client({ region, credentials, endpoint: env.AWS_ENDPOINT });

/** Writes to S3 the way a third party would: plain aws4fetch, signed with the same role. */
async function s3Call(method: string, path: string, body?: string): Promise<void> {
  const signer = new AwsClient({ ...(await credentials.get()), service: "s3", region, retries: 0 });
  const response = await signer.fetch(`${env.AWS_ENDPOINT}${path}`, { method, body });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status}`);
}

async function createBucket(versioned: boolean): Promise<string> {
  const bucket = `stackroom-test-${randomSuffix()}`;
  await s3Call("PUT", `/${bucket}`, `<CreateBucketConfiguration><LocationConstraint>${region}</LocationConstraint></CreateBucketConfiguration>`);
  if (versioned) {
    await s3Call("PUT", `/${bucket}?versioning`, `<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>`);
  }
  return bucket;
}

it("reports a missing bucket as absent", async () => {
  await expect(s3.isBucketEmpty(`stackroom-test-missing-${randomSuffix()}`)).resolves.toEqual({ exists: false, empty: true });
});

it("sees an object put into an empty bucket", async () => {
  const bucket = await createBucket(false);
  await expect(s3.isBucketEmpty(bucket)).resolves.toEqual({ exists: true, empty: true });

  await s3Call("PUT", `/${bucket}/reports/2026.csv`, "a,b\n1,2\n");
  await expect(s3.isBucketEmpty(bucket)).resolves.toEqual({ exists: true, empty: false });
});

it("counts old versions and delete markers as content", async () => {
  const bucket = await createBucket(true);
  await s3Call("PUT", `/${bucket}/notes.txt`, "v1");
  await s3Call("DELETE", `/${bucket}/notes.txt`);

  await expect(s3.isBucketEmpty(bucket)).resolves.toEqual({ exists: true, empty: false });
});

it("uses path-style URLs with an endpoint override and virtual-hosted ones on AWS", () => {
  expect(bucketUrl("logs-1a2b", region, "http://127.0.0.1:4566/")).toBe("http://127.0.0.1:4566/logs-1a2b");
  expect(bucketUrl("logs-1a2b", region, "")).toBe("https://logs-1a2b.s3.eu-west-1.amazonaws.com");
  expect(bucketUrl("logs.example", region)).toBe("https://s3.eu-west-1.amazonaws.com/logs.example");
});

it("counts a bucket's current objects and bytes from one page, and says when there are more", async () => {
  const bucket = await createBucket(false);
  await expect(s3.bucketUsage(bucket)).resolves.toEqual({ objects: 0, bytes: 0, complete: true });
  await s3Call("PUT", `/${bucket}/a.csv`, "a,b\n1,2\n");
  await s3Call("PUT", `/${bucket}/in/b.bin`, "x".repeat(1000));
  await expect(s3.bucketUsage(bucket)).resolves.toEqual({ objects: 2, bytes: 1008, complete: true });
});
