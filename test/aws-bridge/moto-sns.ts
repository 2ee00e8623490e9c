import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import * as z from "zod";
import { queryClient } from "../../core/aws";
import { SnsHttpMessage } from "../../aws-bridge/sns-signature";

/**
 * Subscribes a throwaway HTTP server to a new moto topic, publishes `message` once and returns
 * the body moto POSTed: a real, moto-signed SNS delivery for tests to verify or replay.
 */
export async function captureMotoDelivery(motoEndpoint: string, region: string, message: string, subject?: string): Promise<{ raw: string; message: SnsHttpMessage }> {
  let resolveBody: (body: string) => void = () => {};
  const received = new Promise<string>((resolve) => (resolveBody = resolve));
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      res.end();
      resolveBody(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  try {
    const sns = queryClient("sns", { endpoint: motoEndpoint, region, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    const { TopicArn } = await sns("CreateTopic", { Name: `capture-${randomUUID()}` }, z.object({ TopicArn: z.string() }));
    await sns("Subscribe", { TopicArn, Protocol: "http", Endpoint: `http://127.0.0.1:${port}/` }, z.unknown());
    await sns("Publish", { TopicArn, Message: message, Subject: subject }, z.unknown());
    const raw = await received;
    return { raw, message: SnsHttpMessage.parse(JSON.parse(raw)) };
  } finally {
    server.close();
  }
}
