import { startMoto, type MotoServer } from "../scripts/lib/moto";
import { warmCloudFormation } from "../scripts/lib/stack";

/** vitest globalSetup: one moto for the run, on the port chosen in vitest.config.ts, stopped by PID. */
let moto: MotoServer | undefined;

export async function setup(): Promise<void> {
  const port = Number(process.env.STACKROOM_TEST_MOTO_PORT);
  moto = await startMoto(port);
  await warmCloudFormation(moto.endpoint);
}

export async function teardown(): Promise<void> {
  await moto?.stop();
}
