import * as z from "zod";
import { AwsError } from "./errors";
import { readXml } from "./query";
import { createSend, serviceUrl, type ServiceOptions } from "./transport";

/** Whether a bucket holds anything; a bucket that does not exist reads `{ exists: false, empty: true }`. */
export interface BucketContents {
  exists: boolean;
  empty: boolean;
}

/** What a bucket holds now (current object versions), counted from one page of ListObjectsV2. */
export interface BucketUsage {
  objects: number;
  bytes: number;
  /** false: the bucket holds more than one page (1,000 objects); the figures are that page's. */
  complete: boolean;
}

export interface S3Client {
  /**
   * Lists at most one object version. Old versions and delete markers count: a versioned bucket
   * whose objects were all deleted still holds data (and S3 refuses to delete it).
   */
  isBucketEmpty(bucket: string): Promise<BucketContents>;
  /** One ListObjectsV2 page: cheap for the buckets Stackroom hands out, an honest lower bound beyond. */
  bucketUsage(bucket: string): Promise<BucketUsage>;
}

/** The page size of one ListObjectsV2 request (S3's maximum). */
const USAGE_PAGE = 1000;

const ObjectEntry = z.object({ Size: z.coerce.number().int().nonnegative() });
const ListBucketResult = z
  .object({
    ListBucketResult: z.object({
      Contents: z.union([ObjectEntry, z.array(ObjectEntry)]).optional(),
      IsTruncated: z.enum(["true", "false"]),
    }),
  })
  .transform((r) => r.ListBucketResult);

const VersionEntry = z.object({ Key: z.string() });
const Entries = z.union([VersionEntry, z.array(VersionEntry)]).optional();

const ListVersionsResult = z
  .object({ ListVersionsResult: z.object({ Version: Entries, DeleteMarker: Entries }) })
  .transform((r) => r.ListVersionsResult);

/**
 * The bucket's base URL. Path-style with an endpoint override (moto and other local S3s have no
 * per-bucket hostnames) and for dotted names (they break the `*.s3` TLS wildcard);
 * virtual-hosted otherwise, as AWS recommends. Append a query string or `/<key>`.
 */
export function bucketUrl(bucket: string, region: string, endpoint?: string): string {
  const base = serviceUrl("s3", region, endpoint);
  const name = encodeURIComponent(bucket);
  if (endpoint?.trim() || bucket.includes(".")) return `${base}/${name}`;
  return base.replace("https://", `https://${name}.`);
}

/** The few S3 calls the Worker makes itself (buckets are created and changed through CloudFormation). */
export function s3Client(options: ServiceOptions): S3Client {
  const send = createSend("s3", options);
  return {
    async isBucketEmpty(bucket) {
      try {
        const answer = await send({
          url: `${bucketUrl(bucket, options.region, options.endpoint)}?versions&max-keys=1`,
          method: "GET",
          action: "ListObjectVersions",
        });
        const list = readXml(answer.body, ListVersionsResult, "ListObjectVersions");
        return { exists: true, empty: list.Version === undefined && list.DeleteMarker === undefined };
      } catch (error) {
        if (error instanceof AwsError && error.kind === "NoSuchBucket") return { exists: false, empty: true };
        throw error;
      }
    },
    async bucketUsage(bucket) {
      const answer = await send({
        url: `${bucketUrl(bucket, options.region, options.endpoint)}?list-type=2&max-keys=${USAGE_PAGE}`,
        method: "GET",
        action: "ListObjectsV2",
      });
      const list = readXml(answer.body, ListBucketResult, "ListObjectsV2");
      const contents = list.Contents === undefined ? [] : Array.isArray(list.Contents) ? list.Contents : [list.Contents];
      return { objects: contents.length, bytes: contents.reduce((sum, o) => sum + o.Size, 0), complete: list.IsTruncated === "false" };
    },
  };
}
