import * as z from "zod";
import { parseXml } from "./xml";

/**
 * What a failed AWS call means for Stackroom. `code` keeps AWS's own error code; `kind` is the
 * small set callers branch on.
 */
export type AwsErrorKind =
  | "StackNotFound"
  | "AlreadyExists"
  | "NoUpdates"
  | "InsufficientCapabilities"
  | "LimitExceeded"
  | "TokenAlreadyExists"
  | "AccessDenied"
  | "ExpiredToken"
  | "NoSuchBucket"
  | "NoSuchEntity"
  | "Throttled"
  | "Validation"
  | "Network"
  | "Server"
  | "MalformedResponse"
  | "Other";

/** A failed AWS call: AWS's `code` and `message`, the HTTP `status` (0 = no response), and whether a retry may help. */
export class AwsError extends Error {
  override readonly name = "AwsError";
  readonly kind: AwsErrorKind;
  readonly retryable: boolean;
  /**
   * The call may have taken effect: this attempt or an earlier one of the same call failed with no
   * answer or a 5xx, after which AWS may have done what was asked (set by withRetry). Only a
   * refusal on every attempt (throttling, a 4xx) proves that nothing ran.
   */
  mayHaveRun: boolean;

  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly requestId?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.kind = classify(code, message, status);
    this.retryable = RETRYABLE_KINDS.has(this.kind);
    this.mayHaveRun = this.kind === "Network" || this.kind === "Server";
  }
}

const RETRYABLE_KINDS = new Set<AwsErrorKind>(["Throttled", "Network", "Server"]);

const KIND_BY_CODE: Record<string, AwsErrorKind> = {
  AlreadyExistsException: "AlreadyExists",
  // IAM (409); same meaning as CloudFormation's AlreadyExistsException.
  EntityAlreadyExists: "AlreadyExists",
  InsufficientCapabilitiesException: "InsufficientCapabilities",
  LimitExceededException: "LimitExceeded",
  // IAM's own spelling (409), e.g. "Cannot exceed quota for AccessKeysPerUser: 2".
  LimitExceeded: "LimitExceeded",
  TokenAlreadyExistsException: "TokenAlreadyExists",
  AccessDenied: "AccessDenied",
  AccessDeniedException: "AccessDenied",
  ExpiredToken: "ExpiredToken",
  ExpiredTokenException: "ExpiredToken",
  NoSuchBucket: "NoSuchBucket",
  NoSuchEntity: "NoSuchEntity",
  Throttling: "Throttled",
  ThrottlingException: "Throttled",
  RequestLimitExceeded: "Throttled",
  TooManyRequestsException: "Throttled",
  SlowDown: "Throttled",
  NetworkError: "Network",
  MalformedResponse: "MalformedResponse",
};

function classify(code: string, message: string, status: number): AwsErrorKind {
  const known = KIND_BY_CODE[code];
  if (known) return known;
  if (code === "ValidationError") {
    // CloudFormation reports both as a plain ValidationError; only the message tells them apart.
    if (/^Stack with id .+ does not exist$/.test(message.trim())) return "StackNotFound";
    if (message.trim() === "No updates are to be performed.") return "NoUpdates";
    return "Validation";
  }
  if (status >= 500 || status === 429) return "Server";
  return "Other";
}

const ErrorFields = z.object({
  Code: z.string().trim().min(1),
  Message: z.string().trim().optional(),
  RequestId: z.string().trim().optional(),
});

/** `<ErrorResponse><Error>…</Error><RequestId/></ErrorResponse>` (Query API) or `<Error>…</Error>` (S3). */
const ErrorBody = z.union([
  z.object({ ErrorResponse: z.object({ Error: ErrorFields, RequestId: z.string().trim().optional() }) }),
  z.object({ Error: ErrorFields }),
]);

/**
 * Turns a non-2xx answer into an `AwsError`. Bodies that are not AWS error XML (a proxy's HTML
 * page, an empty HEAD answer) still give a typed error named after the HTTP status.
 */
export function errorFromResponse(status: number, body: string, requestIdHeader?: string | null): AwsError {
  let parsed: unknown;
  try {
    parsed = parseXml(body);
  } catch {
    parsed = undefined;
  }
  const result = ErrorBody.safeParse(parsed);
  if (!result.success) {
    const text = body.trim().slice(0, 200);
    return new AwsError(`Http${status}`, text || `AWS answered HTTP ${status}`, status, requestIdHeader ?? undefined);
  }
  const { fields, requestId } =
    "ErrorResponse" in result.data
      ? { fields: result.data.ErrorResponse.Error, requestId: result.data.ErrorResponse.RequestId }
      : { fields: result.data.Error, requestId: result.data.Error.RequestId };
  return new AwsError(fields.Code, fields.Message || fields.Code, status, requestId ?? requestIdHeader ?? undefined);
}

/** A fetch that never produced a response (DNS, connection reset, timeout). */
export function networkError(cause: unknown): AwsError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new AwsError("NetworkError", `Could not reach AWS: ${detail}`, 0, undefined, { cause });
}

/** A 2xx answer whose body did not have the shape we read. */
export function malformedResponse(action: string, detail: string): AwsError {
  return new AwsError("MalformedResponse", `Unexpected ${action} response from AWS: ${detail}`, 200);
}
