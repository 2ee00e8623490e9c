import { startMoto, type MotoServer } from "../scripts/lib/moto";
import { warmCloudFormation } from "../scripts/lib/stack";
import { startAccessTeam, type AccessTeam } from "../scripts/lib/access-team";
import { startRecordedAws, type RecordedAws } from "./recorded-aws";
import { startNotificationReceiver, type NotificationReceiver } from "./notification-receiver";

/**
 * vitest globalSetup: one moto for the run, moto with recorded answers in front of it for the
 * Worker (test/recorded-aws.ts), two local Cloudflare Access teams (one whose keys rotate
 * during a test) and the receiver of projects' notifications (test/notification-receiver.ts), on
 * the ports chosen in vitest.config.ts; all stopped at the end.
 */
let moto: MotoServer | undefined;
let recorded: RecordedAws | undefined;
let receiver: NotificationReceiver | undefined;
const teams: AccessTeam[] = [];

export async function setup(): Promise<void> {
  const port = Number(process.env.STACKROOM_TEST_MOTO_PORT);
  moto = await startMoto(port);
  await warmCloudFormation(moto.endpoint);
  recorded = await startRecordedAws(Number(process.env.STACKROOM_TEST_AWS_PORT), moto.endpoint);
  for (const [portVar, audience] of [["STACKROOM_TEST_ACCESS_PORT", "test-aud-stable"], ["STACKROOM_TEST_ACCESS_ROTATING_PORT", "test-aud-rotating"]] as const) {
    teams.push(await startAccessTeam({ port: Number(process.env[portVar]), audience, testEndpoints: true }));
  }
  receiver = await startNotificationReceiver(Number(process.env.STACKROOM_TEST_RECEIVER_PORT));
}

export async function teardown(): Promise<void> {
  await Promise.all(teams.map((t) => t.stop()));
  await receiver?.stop();
  await recorded?.stop();
  await moto?.stop();
}
