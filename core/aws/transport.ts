import { AwsClient } from "aws4fetch";
import { AwsError, errorFromResponse, networkError } from "./errors";
import { defaultRetry, withRetry, type RetryOptions } from "./retry";

/** Long-term or temporary AWS credentials. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Where a client gets its credentials from; `invalidate` drops cached ones (after ExpiredToken). */
export interface CredentialSource {
  get(): Promise<Credentials>;
  invalidate?(): void;
}

/** The fetch the clients send through; tests wrap the real one to count requests. */
export type AwsFetch = (request: Request) => Promise<Response>;

/** What every client takes. */
export interface ServiceOptions {
  region: string;
  credentials: Credentials | CredentialSource;
  /** Base URL replacing AWS (e.g. `http://127.0.0.1:4566` for moto); empty or absent = real AWS. */
  endpoint?: string;
  fetch?: AwsFetch;
  retry?: Partial<RetryOptions>;
  /** Told of every call that failed for good (after its retries): the Worker's logs and metrics. */
  onFailure?: (failure: AwsFailure) => void;
}

/** A call that failed for good: the service, the action (as AWS names it) and AWS's error. */
interface AwsFailure {
  service: string;
  action: string;
  error: AwsError;
}

/** One request before signing. */
interface AwsRequest {
  url: string;
  method: "GET" | "POST" | "PUT" | "DELETE" | "HEAD";
  headers?: Record<string, string>;
  body?: string;
  /** The action as AWS names it (`CreateStack`, `ListObjectsV2`), for logs and metrics. */
  action?: string;
  /**
   * `false` for calls AWS does not deduplicate (IAM CreateAccessKey has no idempotency token):
   * then only throttling is retried — a refusal, nothing ran. After a 5xx or a lost answer the
   * call may have taken effect, and repeating it would act twice.
   */
  idempotent?: boolean;
}

/** A 2xx answer, body read. */
interface AwsAnswer {
  status: number;
  headers: Headers;
  body: string;
}

/** Sends one request: signed, retried per policy, non-2xx thrown as `AwsError`. */
export type Send = (request: AwsRequest) => Promise<AwsAnswer>;

/** The override when set, else the regional AWS endpoint of `service` (`sts`, `cloudformation`, `s3`). */
export function serviceUrl(service: string, region: string, endpoint?: string): string {
  const override = endpoint?.trim();
  if (override) return override.replace(/\/+$/, "");
  const domain = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return `https://${service}.${region}.${domain}`;
}

/**
 * Workers subrequests have no timeout of their own; a hung attempt would hold the caller (often
 * the project's Durable Object) until the platform gives up. A timed-out attempt is a retryable
 * NetworkError; CreateStack/UpdateStack stay safe to repeat thanks to ClientRequestToken.
 */
const ATTEMPT_TIMEOUT_MS = 15_000;

function requestId(headers: Headers): string | null {
  return headers.get("x-amzn-requestid") ?? headers.get("x-amz-request-id");
}

const onlyThrottling = (error: AwsError) => error.kind === "Throttled";

function credentialSource(credentials: Credentials | CredentialSource): CredentialSource {
  if ("get" in credentials) return credentials;
  return { get: () => Promise.resolve(credentials) };
}

/**
 * Builds the `Send` of one SigV4 service. aws4fetch only signs: its own retry loop is off
 * (`retries: 0`, its default of 10 could spend 11 subrequests) and retries happen here, bounded.
 * An ExpiredToken answer drops the cached credentials and the call is made once more with fresh ones.
 */
export function createSend(service: string, options: ServiceOptions): Send {
  const source = credentialSource(options.credentials);
  const retry: RetryOptions = { ...defaultRetry, ...options.retry };
  const doFetch: AwsFetch = options.fetch ?? ((request) => fetch(request));
  const signingKeys = new Map<string, ArrayBuffer>();

  async function once(credentials: Credentials, request: AwsRequest): Promise<AwsAnswer> {
    const signer = new AwsClient({ ...credentials, service, region: options.region, retries: 0, cache: signingKeys });
    const signed = await signer.sign(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
    });
    let response: Response;
    let body: string;
    try {
      response = await doFetch(signed);
      body = await response.text();
    } catch (cause) {
      throw networkError(cause);
    }
    if (response.ok) return { status: response.status, headers: response.headers, body };
    throw errorFromResponse(response.status, body, requestId(response.headers));
  }

  async function withCredentials(request: AwsRequest): Promise<AwsAnswer> {
    const credentials = await source.get();
    const shouldRetry = request.idempotent === false ? onlyThrottling : undefined;
    return withRetry(() => once(credentials, request), retry, shouldRetry);
  }

  async function withFreshCredentials(request: AwsRequest): Promise<AwsAnswer> {
    try {
      return await withCredentials(request);
    } catch (error) {
      if (!(error instanceof AwsError && error.kind === "ExpiredToken" && source.invalidate)) throw error;
      source.invalidate();
      return withCredentials(request);
    }
  }

  return async (request) => {
    try {
      return await withFreshCredentials(request);
    } catch (error) {
      if (error instanceof AwsError) options.onFailure?.({ service, action: request.action ?? request.method, error });
      throw error;
    }
  };
}
