import * as z from "zod";
import { ProjectId } from "../core/contract/project";
import { startLocalAdapter } from "./local-adapter";

/**
 * `tsx aws-bridge/local-adapter-main.ts`: runs the local bridge adapter from environment variables
 * (PORT, HOST, STACKROOM_WEBHOOK_URL, WEBHOOK_SECRET, WEBHOOK_SECRET_PREVIOUS, MOTO_ENDPOINT,
 * AWS_REGION, and optionally STACKROOM_PROJECT_ID + STACKROOM_ACCOUNT_ID to forward only that
 * project's stack events and put what fails for good in its DLQ in moto, as the Lambda does)
 * until SIGINT/SIGTERM.
 */
const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8790),
  HOST: z.string().default("127.0.0.1"),
  STACKROOM_WEBHOOK_URL: z.url(),
  WEBHOOK_SECRET: z.string().min(1, "Set WEBHOOK_SECRET (the Worker's webhook secret)."),
  WEBHOOK_SECRET_PREVIOUS: z.string().optional(),
  MOTO_ENDPOINT: z.url(),
  AWS_REGION: z.string().default("eu-west-1"),
  STACKROOM_PROJECT_ID: ProjectId.optional(),
  STACKROOM_ACCOUNT_ID: z.string().regex(/^\d{12}$/).optional(),
});

const parsed = Env.safeParse(process.env);
if (!parsed.success) {
  console.error(`local-adapter: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  process.exit(2);
}
const env = parsed.data;

const adapter = await startLocalAdapter({
  port: env.PORT,
  host: env.HOST,
  webhookUrl: env.STACKROOM_WEBHOOK_URL,
  secrets: [env.WEBHOOK_SECRET, env.WEBHOOK_SECRET_PREVIOUS ?? ""].filter((s) => s.length > 0),
  motoEndpoint: env.MOTO_ENDPOINT,
  region: env.AWS_REGION,
  ...(env.STACKROOM_PROJECT_ID && env.STACKROOM_ACCOUNT_ID ? { scope: { projectId: env.STACKROOM_PROJECT_ID, accountId: env.STACKROOM_ACCOUNT_ID } } : {}),
});
console.error(`local-adapter: listening on ${adapter.url}, forwarding to ${env.STACKROOM_WEBHOOK_URL}`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void adapter.stop().then(() => process.exit(0));
  });
}
