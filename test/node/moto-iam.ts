import { AwsClient } from "aws4fetch";

/**
 * Signed calls against a moto started with INITIAL_NO_AUTH_ACTION_COUNT (IAM enforcement on).
 * No retries anywhere: a refused call must show up as the refusal, not as a retried success.
 */

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** moto's default account: every IAM user created without credentials lives here. */
export const MOTO_ACCOUNT = "123456789012";

/** Calls the bootstrap spends unauthenticated; start moto with this INITIAL_NO_AUTH_ACTION_COUNT. */
export const BOOTSTRAP_CALLS = 3;

const API_VERSIONS = { iam: "2010-05-08", cloudformation: "2010-05-15" } as const;

export interface QueryAnswer {
  status: number;
  text: string;
  /** The error code of a refused call (`AccessDenied`, `InvalidClientTokenId`, ...). */
  code: string | undefined;
  /** The text of the first `<tag>` in the answer. */
  value(tag: string): string | undefined;
}

const firstText = (xml: string, tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];

/**
 * moto checks a form POST's signature against the form it re-encodes with Python's urlencode,
 * not against the bytes sent: `*` must go as %2A and `~` as itself (URLSearchParams does the
 * opposite), or every body with an ARN wildcard fails with SignatureDoesNotMatch. AWS accepts both.
 */
const pythonFormEncoding = (form: URLSearchParams) => form.toString().replaceAll("*", "%2A").replaceAll("%7E", "~");

/** A Query-API caller (form POST); IAM is global and signed for us-east-1. */
export function queryClient(endpoint: string, service: keyof typeof API_VERSIONS, credentials: Credentials, region = "us-east-1") {
  const client = new AwsClient({ ...credentials, service, region: service === "iam" ? "us-east-1" : region, retries: 0 });
  return async (action: string, params: Record<string, string> = {}): Promise<QueryAnswer> => {
    const response = await client.fetch(`${endpoint}/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      body: pythonFormEncoding(new URLSearchParams({ Action: action, Version: API_VERSIONS[service], ...params })),
    });
    const text = await response.text();
    return { status: response.status, text, code: response.ok ? undefined : firstText(text, "Code"), value: (tag) => firstText(text, tag) };
  };
}

export type QueryCall = ReturnType<typeof queryClient>;

/** Like a QueryCall, but throws with moto's answer unless the call succeeded. */
export function strict(call: QueryCall): QueryCall {
  return async (action, params) => {
    const answer = await call(action, params);
    if (answer.status !== 200) throw new Error(`${action} answered ${answer.status}: ${answer.text.slice(0, 500)}`);
    return answer;
  };
}

/**
 * TOOLCHAIN item 11: the first BOOTSTRAP_CALLS calls are not checked, so they create an admin
 * user with an `Action: *` inline policy and its key. The signature of these calls is not
 * verified, but moto still routes by the service in the Authorization header, so they are signed.
 */
export async function bootstrapAdmin(endpoint: string): Promise<Credentials> {
  const iam = strict(queryClient(endpoint, "iam", { accessKeyId: "AKIABOOTSTRAP0000000", secretAccessKey: "unchecked" }));
  await iam("CreateUser", { UserName: "stackroom-test-admin" });
  const everything = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
  await iam("PutUserPolicy", { UserName: "stackroom-test-admin", PolicyName: "admin", PolicyDocument: JSON.stringify(everything) });
  const key = await iam("CreateAccessKey", { UserName: "stackroom-test-admin" });
  const accessKeyId = key.value("AccessKeyId");
  const secretAccessKey = key.value("SecretAccessKey");
  if (!accessKeyId || !secretAccessKey) throw new Error(`CreateAccessKey answered without a key: ${key.text}`);
  return { accessKeyId, secretAccessKey };
}

export interface S3Request {
  query?: Record<string, string>;
  body?: string;
  headers?: Record<string, string>;
}

/** Path-style S3 calls; answers the HTTP status and body (403 = refused by IAM). */
export function s3Client(endpoint: string, credentials: Credentials, region: string) {
  const client = new AwsClient({ ...credentials, service: "s3", region, retries: 0 });
  return async (method: string, path: string, request: S3Request = {}): Promise<{ status: number; text: string }> => {
    const query = request.query ? `?${new URLSearchParams(request.query).toString()}` : "";
    const response = await client.fetch(`${endpoint}/${path}${query}`, { method, body: request.body, headers: request.headers });
    return { status: response.status, text: await response.text() };
  };
}

export type S3Call = ReturnType<typeof s3Client>;
