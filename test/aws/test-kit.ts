/** Helpers for the AWS client tests: fresh moto accounts, an honest record of what was sent, a scripted AWS. */
import type { RetryOptions } from "../../core/aws/retry";
import type { AwsFetch, CredentialSource } from "../../core/aws/transport";
import { assumedRoleCredentials } from "../../core/aws/sts";

/** The hub credentials the tests sign with; moto accepts any. */
export const hubCredentials = { accessKeyId: "AKIAHUBTEST000000000", secretAccessKey: "hub-secret" };

/** A random 12-digit account id: moto keeps state per account, so each test file gets its own. */
export function randomAccountId(): string {
  return String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));
}

/** Credentials acting in a (fresh, by default) moto account through the project role, as the Worker gets them. */
export function motoCredentials(endpoint: string, region: string, accountId = randomAccountId()): CredentialSource {
  return assumedRoleCredentials({
    hubCredentials,
    roleArn: `arn:aws:iam::${accountId}:role/stackroom-manager`,
    externalId: "stackroom-external-id",
    sessionName: "stackroom-test",
    region,
    endpoint,
  });
}

/** A short random suffix for stack and bucket names (lowercase, digits). */
export function randomSuffix(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 12);
}

/** One request as the client sent it: the service (from its signature), method, URL and form. */
export interface SentRequest {
  service: string;
  method: string;
  url: string;
  form: URLSearchParams;
}

/** The real fetch, wrapped to record every request that goes out (bodies are read from a clone). */
export function recordingFetch(): { fetch: AwsFetch; sent: SentRequest[] } {
  const sent: SentRequest[] = [];
  const recordAndFetch: AwsFetch = async (request) => {
    const body = new TextDecoder().decode(await request.clone().arrayBuffer());
    const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(request.headers.get("authorization") ?? "");
    sent.push({ service: scope?.[1] ?? "", method: request.method, url: request.url, form: new URLSearchParams(body) });
    return fetch(request);
  };
  return { fetch: recordAndFetch, sent };
}

/** The Query-API actions among `sent`, in order. */
export function actions(sent: readonly SentRequest[]): string[] {
  return sent.map((request) => request.form.get("Action") ?? `${request.method} ${new URL(request.url).pathname}`);
}

/** A fake AWS answering requests in order from `script` (a step may throw to drop the connection); records what was sent. */
export function scriptedAws(script: Array<() => Response>): { fetch: AwsFetch; requests: Request[] } {
  const requests: Request[] = [];
  const fetch: AwsFetch = async (request) => {
    requests.push(request);
    const next = script[requests.length - 1];
    if (!next) throw new Error("more requests than scripted");
    return next();
  };
  return { fetch, requests };
}

/** Retry options that record each backoff instead of waiting, with a fixed jitter source. */
export function recordingRetry(random = 0.5): { retry: Partial<RetryOptions>; sleeps: number[] } {
  const sleeps: number[] = [];
  const retry: Partial<RetryOptions> = {
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => random,
  };
  return { retry, sleeps };
}
