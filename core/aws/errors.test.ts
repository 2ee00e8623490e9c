// Proves AWS error answers (Query API, S3, non-XML) become AwsErrors of the right kind and retryability.
import { describe, expect, it } from "vitest";
import { errorFromResponse, networkError } from "./errors";

const queryError = (code: string, message: string) => `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
  <Error>
    <Type>Sender</Type>
    <Code>${code}</Code>
    <Message>${message}</Message>
  </Error>
  <RequestId>4af2e5b1-7d0c-4a6e-9c3e-0d1f0a2b3c4d</RequestId>
</ErrorResponse>`;

describe("errorFromResponse", () => {
  it.each([
    ["ValidationError", "Stack with id stackroom-demo-bucket-x does not exist", 400, "StackNotFound", false],
    ["ValidationError", "No updates are to be performed.", 400, "NoUpdates", false],
    ["ValidationError", "Template format error: unsupported structure.", 400, "Validation", false],
    ["AlreadyExistsException", "Stack [s] already exists", 400, "AlreadyExists", false],
    ["InsufficientCapabilitiesException", "Requires capabilities : [CAPABILITY_NAMED_IAM]", 400, "InsufficientCapabilities", false],
    ["LimitExceededException", "Cannot exceed quota for StacksPerAccount: 2000", 400, "LimitExceeded", false],
    ["TokenAlreadyExistsException", "Another CreateStack request with the same token exists", 400, "TokenAlreadyExists", false],
    ["AccessDenied", "User is not authorized to perform: sts:AssumeRole", 403, "AccessDenied", false],
    ["ExpiredToken", "The security token included in the request is expired", 400, "ExpiredToken", false],
    ["LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2", 409, "LimitExceeded", false],
    ["NoSuchEntity", "The user with name stackroom-demo-user-ana cannot be found.", 404, "NoSuchEntity", false],
    ["EntityAlreadyExists", "User with name stackroom-demo-user-ana already exists.", 409, "AlreadyExists", false],
    ["Throttling", "Rate exceeded", 400, "Throttled", true],
    ["RequestLimitExceeded", "Request limit exceeded.", 503, "Throttled", true],
    ["InternalFailure", "An internal error occurred", 500, "Server", true],
  ] as const)("%s %s", (code, message, status, kind, retryable) => {
    const error = errorFromResponse(status, queryError(code, message));
    expect(error).toMatchObject({ code, message, status, kind, retryable, requestId: "4af2e5b1-7d0c-4a6e-9c3e-0d1f0a2b3c4d" });
  });

  it("reads S3's bare <Error>", () => {
    const body = `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>b</BucketName><RequestId>R1</RequestId></Error>`;
    expect(errorFromResponse(404, body)).toMatchObject({ code: "NoSuchBucket", kind: "NoSuchBucket", requestId: "R1" });
    const slowDown = `<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`;
    expect(errorFromResponse(503, slowDown)).toMatchObject({ kind: "Throttled", retryable: true });
  });

  it("types answers that are not AWS XML by their status", () => {
    expect(errorFromResponse(502, "<html><body>Bad Gateway</body></html>", "hdr-id")).toMatchObject({
      code: "Http502",
      kind: "Server",
      retryable: true,
      requestId: "hdr-id",
    });
    expect(errorFromResponse(403, "")).toMatchObject({ code: "Http403", kind: "Other", retryable: false });
  });

  it("makes network failures retryable NetworkErrors", () => {
    const error = networkError(new TypeError("Network connection lost."));
    expect(error).toMatchObject({ code: "NetworkError", kind: "Network", status: 0, retryable: true });
    expect(error.message).toContain("Network connection lost.");
  });
});
