// Proves the Transfer Family client speaks the JSON 1.1 protocol to a real endpoint (moto): DescribeServer answers a server's host-key fingerprint, none while it has none, and an unknown server is an AwsError.
import { env } from "cloudflare:test";
import { AwsClient } from "aws4fetch";
import { expect, it } from "vitest";
import { AwsError } from "./errors";
import { transferClient } from "./transfer";
import { motoCredentials } from "../../test/aws/test-kit";

const region = "eu-west-1";
const credentials = motoCredentials(env.AWS_ENDPOINT, region);
const transfer = transferClient({ region, credentials, endpoint: env.AWS_ENDPOINT, retry: { maxAttempts: 1 } });

/** Creates a server the way CloudFormation would, with plain aws4fetch. */
async function createServer(hostKey?: string): Promise<string> {
  const signer = new AwsClient({ ...(await credentials.get()), service: "transfer", region, retries: 0 });
  const response = await signer.fetch(env.AWS_ENDPOINT, {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "TransferService.CreateServer" },
    body: JSON.stringify({ Protocols: ["SFTP"], EndpointType: "PUBLIC", IdentityProviderType: "SERVICE_MANAGED", ...(hostKey ? { HostKey: hostKey } : {}) }),
  });
  const body: unknown = await response.json();
  if (!response.ok || typeof body !== "object" || body === null || !("ServerId" in body) || typeof body.ServerId !== "string") throw new Error(`CreateServer: HTTP ${response.status}`);
  return body.ServerId;
}

it("reads the server's host-key fingerprint", async () => {
  // moto echoes what CreateServer was given as the fingerprint; AWS computes it from the key it holds.
  const fingerprint = "SHA256:7bYQTdBkE0c8d8nkyg0n6Qo2gl6d+cqJ2LaWJKIzqTY";
  const serverId = await createServer(fingerprint);
  await expect(transfer.describeServer(serverId)).resolves.toEqual({ hostKeyFingerprint: fingerprint });
});

it("answers no fingerprint for a server without one", async () => {
  await expect(transfer.describeServer(await createServer())).resolves.toEqual({});
});

it("fails with an AwsError for a server that does not exist", async () => {
  await expect(transfer.describeServer("s-0000000000000000f")).rejects.toBeInstanceOf(AwsError);
});
