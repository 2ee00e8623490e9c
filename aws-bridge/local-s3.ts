import { AwsClient } from "aws4fetch";
import { XMLParser } from "fast-xml-parser";
import * as z from "zod";
import type { Credentials } from "../core/aws";

/**
 * The few S3 calls the local SFTP stand-in makes against moto, path-style and signed with
 * aws4fetch. Not a general client: listings are one folder level (delimiter `/`), objects are
 * whole bodies (the stand-in buffers uploads and downloads; see local-sftp.ts).
 */

class S3Error extends Error {
  override name = "S3Error";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface S3Entry {
  key: string;
  size: number;
  modified: Date;
}

interface S3Folder {
  files: S3Entry[];
  /** Sub-folder prefixes, each ending in `/`. */
  folders: string[];
}

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (name) => name === "Contents" || name === "CommonPrefixes" });

const ListPage = z.object({
  ListBucketResult: z.object({
    Contents: z.array(z.object({ Key: z.string(), Size: z.string(), LastModified: z.string() })).default([]),
    CommonPrefixes: z.array(z.object({ Prefix: z.string() })).default([]),
    IsTruncated: z.string().optional(),
    NextContinuationToken: z.string().optional(),
  }),
});

const ErrorAnswer = z.object({ Error: z.object({ Code: z.string(), Message: z.string().optional() }) });

/** `a b/c.txt` -> `a%20b/c.txt`: each key segment encoded, the slashes kept. */
const keyPath = (bucket: string, key: string) => `${encodeURIComponent(bucket)}/${key.split("/").map(encodeURIComponent).join("/")}`;

export function localS3(endpoint: string, region: string, credentials: Credentials) {
  const client = new AwsClient({ ...credentials, service: "s3", region, retries: 1 });
  const base = endpoint.replace(/\/+$/, "");

  async function call(method: string, path: string, init: { query?: Record<string, string>; body?: Uint8Array; headers?: Record<string, string> } = {}): Promise<Response> {
    const query = init.query ? `?${new URLSearchParams(init.query).toString()}` : "";
    const response = await client.fetch(`${base}/${path}${query}`, { method, body: init.body, headers: init.headers, signal: AbortSignal.timeout(30_000) });
    if (response.ok) return response;
    const text = await response.text();
    let code = `Http${response.status}`;
    try {
      const parsed = ErrorAnswer.safeParse(parser.parse(text));
      if (parsed.success) code = parsed.data.Error.Code;
    } catch {
      // Not XML (HEAD answers carry no body): the status code says enough.
    }
    throw new S3Error(response.status, code, `${method} ${path} answered ${response.status} ${code}`);
  }

  return {
    /** One folder level under `prefix` (which ends in `/` or is empty), every page. */
    async listFolder(bucket: string, prefix: string): Promise<S3Folder> {
      const folder: S3Folder = { files: [], folders: [] };
      let token: string | undefined;
      do {
        const query: Record<string, string> = { "list-type": "2", delimiter: "/", prefix, ...(token ? { "continuation-token": token } : {}) };
        const response = await call("GET", encodeURIComponent(bucket), { query });
        const page = ListPage.parse(parser.parse(await response.text())).ListBucketResult;
        for (const c of page.Contents) folder.files.push({ key: c.Key, size: Number(c.Size), modified: new Date(c.LastModified) });
        for (const p of page.CommonPrefixes) folder.folders.push(p.Prefix);
        token = page.IsTruncated === "true" ? page.NextContinuationToken : undefined;
      } while (token);
      return folder;
    },

    async getObject(bucket: string, key: string): Promise<Uint8Array> {
      const response = await call("GET", keyPath(bucket, key));
      return new Uint8Array(await response.arrayBuffer());
    },

    async putObject(bucket: string, key: string, body: Uint8Array): Promise<void> {
      await call("PUT", keyPath(bucket, key), { body });
    },

    async deleteObject(bucket: string, key: string): Promise<void> {
      await call("DELETE", keyPath(bucket, key));
    },

    async copyObject(bucket: string, from: string, to: string): Promise<void> {
      await call("PUT", keyPath(bucket, to), { headers: { "x-amz-copy-source": `/${keyPath(bucket, from)}` } });
    },
  };
}

export type LocalS3 = ReturnType<typeof localS3>;
