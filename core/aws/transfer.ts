import * as z from "zod";
import { malformedResponse } from "./errors";
import { createSend, serviceUrl, type ServiceOptions } from "./transport";

/** What Stackroom reads of a Transfer Family server. */
export interface TransferServer {
  /** As Transfer Family answers it ("Base64-encoded SHA256 fingerprint of the server's host key"); absent while it has none. */
  hostKeyFingerprint?: string;
}

export interface TransferClient {
  describeServer(serverId: string): Promise<TransferServer>;
}

const DescribeServerAnswer = z.object({ Server: z.object({ HostKeyFingerprint: z.string().nullish() }) });

/**
 * AWS Transfer Family (JSON 1.1 protocol, `X-Amz-Target: TransferService.<Action>`). The only call
 * is DescribeServer, for the server's host-key fingerprint; the manager role allows it on the
 * account's servers (template SftpServer statement). Its API never returns a host key itself
 * (DescribeServer, ListHostKeys and DescribeHostKey give fingerprints), so that is all we read.
 */
export function transferClient(options: ServiceOptions): TransferClient {
  const send = createSend("transfer", options);
  const url = serviceUrl("transfer", options.region, options.endpoint);
  return {
    async describeServer(serverId) {
      const answer = await send({
        url,
        method: "POST",
        headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "TransferService.DescribeServer" },
        body: JSON.stringify({ ServerId: serverId }),
        action: "DescribeServer",
      });
      let json: unknown;
      try {
        json = JSON.parse(answer.body);
      } catch {
        throw malformedResponse("DescribeServer", "not JSON");
      }
      const parsed = DescribeServerAnswer.safeParse(json);
      if (!parsed.success) throw malformedResponse("DescribeServer", "no Server");
      const fingerprint = parsed.data.Server.HostKeyFingerprint;
      return fingerprint ? { hostKeyFingerprint: fingerprint } : {};
    },
  };
}
