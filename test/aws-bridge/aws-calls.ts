import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The AWS actions the code can call, read from the source itself so that a new call cannot slip
 * past the permission tests: every Query-API `queryAction(service, "<Action>"` of the Worker's
 * client (prefixed with the `createSend("<service>"` of its file), every JSON-API `x-amz-target`
 * of its JSON clients (the same prefix), every S3 request of its S3 client, and every JSON-API
 * `x-amz-target` the bridge sends. Anything else that reaches AWS
 * directly (aws4fetch, createSend, queryAction outside core/aws/) is reported as a stray, and so
 * is any Worker or Durable Object code calling the generic `queryClient`, whose action names are
 * the caller's (it exists for local tooling against moto) and so cannot be scanned.
 */

const root = fileURLToPath(new URL("../../", import.meta.url));
const GENERIC_CLIENT = "core/aws/query-client.ts";

function sources(folder: string): { file: string; text: string }[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.endsWith(".d.ts"))
    .map((f) => ({ file: relative(root, join(root, folder, f)), text: readFileSync(join(root, folder, f), "utf8") }));
}

/** S3 REST calls by method and sub-resource, as IAM names them. */
const S3_ACTIONS: Record<string, string> = { "GET ?versions": "s3:ListBucketVersions", "GET ?list": "s3:ListBucket" };

export interface ScannedCall {
  action: string;
  file: string;
}

/** Every action the Worker's AWS client (core/aws/) calls. Throws on a call it cannot attribute. */
export function workerAwsCalls(): ScannedCall[] {
  const calls: ScannedCall[] = [];
  for (const { file, text } of sources("core/aws").filter(({ file }) => file !== GENERIC_CLIENT)) {
    const service = /createSend\("([a-z0-9-]+)"/.exec(text)?.[1];
    // The first argument is any expression without a comma (a service, or a call building one).
    const queries = [...text.matchAll(/\bqueryAction\(\s*[^,]+,\s*"(\w+)"/g)].map((m) => m[1] ?? "");
    if (/\bqueryAction\(\s*[^,]+,\s*[^"\s]/.test(text)) throw new Error(`${file}: queryAction with a computed action name; name it literally so the permission tests see it.`);
    if (queries.length > 0 && !service) throw new Error(`${file}: queryAction calls without a createSend("<service>") in the file.`);
    calls.push(...queries.map((action) => ({ action: `${service}:${action}`, file })));
    // JSON-protocol services (Transfer Family): each call names its target literally.
    const targets = [...text.matchAll(/"x-amz-target":\s*"\w+\.(\w+)"/g)].map((m) => m[1] ?? "");
    if (targets.length > 0 && !service) throw new Error(`${file}: x-amz-target calls without a createSend("<service>") in the file.`);
    if (/"x-amz-target":\s*[^"\s]/.test(text)) throw new Error(`${file}: an x-amz-target the scan cannot read; name it literally.`);
    calls.push(...targets.map((action) => ({ action: `${service}:${action}`, file })));
    if (service === "s3") {
      const requests = [...text.matchAll(/url:\s*`[^`]*\?(\w+)[^`]*`,\s*method:\s*"(\w+)"/g)].map((m) => `${m[2]} ?${m[1]}`);
      const sends = [...text.matchAll(/\bsend\(\{/g)].length;
      if (requests.length !== sends) throw new Error(`${file}: an S3 request the scan cannot read (${sends} sends, ${requests.length} read).`);
      for (const request of requests) {
        const action = S3_ACTIONS[request];
        if (!action) throw new Error(`${file}: S3 request ${request} has no IAM action in S3_ACTIONS.`);
        calls.push({ action, file });
      }
    }
  }
  return calls;
}

/** The services (createSend("<service>")) the Worker's AWS client has a module for. */
export function workerAwsServices(): string[] {
  return sources("core/aws")
    .filter(({ file }) => file !== GENERIC_CLIENT)
    .flatMap(({ text }) => [...text.matchAll(/\bcreateSend\("([a-z0-9-]+)"/g)].map((m) => m[1] ?? ""));
}

/**
 * The JSON-API actions the bridge's code sends (the Lambda reads its secret). The local adapter's
 * and bootstrap's Query calls go to moto only and are not scanned.
 */
export function bridgeAwsCalls(): ScannedCall[] {
  return sources("aws-bridge").flatMap(({ file, text }) => [...text.matchAll(/"x-amz-target":\s*"(\w+)\.(\w+)"/g)].map((m) => ({ action: `${m[1] ?? ""}:${m[2] ?? ""}`, file })));
}

/** Files outside core/aws/ that would reach AWS without the Worker's client, or that use the generic queryClient (none may). */
export function strayAwsCallers(): string[] {
  const direct = /from "aws4fetch"|\bcreateSend\(|\bqueryAction\(|new AwsClient\(/;
  const generic = /\bqueryClient\(/;
  return [...sources("core"), ...sources("worker"), ...sources("durable-objects")]
    .filter(({ file }) => file !== GENERIC_CLIENT)
    .filter(({ file, text }) => (!file.startsWith("core/aws/") && direct.test(text)) || generic.test(text))
    .map(({ file }) => file);
}
