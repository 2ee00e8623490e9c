import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { AwsClient } from "aws4fetch";
import type { CreatedKey } from "../../core/contract";
import type { ProjectRoom } from "../../durable-objects/project-room";
import { CLOCK_OFFSET_KEY } from "../../durable-objects/room-clock";

/**
 * Time and key use for the access review and key rotation tests: the room's clock moved ahead
 * (only the review and rotations read it; durable-objects/room-clock.ts), a key used for real
 * against moto, and the room's alarm run until it has done what a test waits for.
 */
const roomOf = (projectId: string) => env.PROJECT_ROOM.get(env.PROJECT_ROOM.idFromName(projectId));

/** Puts the project room's clock `ms` ahead of the wall clock. */
export async function moveClock(projectId: string, ms: number): Promise<void> {
  await runInDurableObject(roomOf(projectId), (room: ProjectRoom) => room.store.setMeta(CLOCK_OFFSET_KEY, String(ms)));
}

/** Signs one request with the key (STS GetCallerIdentity), so IAM (moto) records its last use. */
export async function useKey(key: CreatedKey): Promise<void> {
  const client = new AwsClient({ accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, service: "sts", region: key.region, retries: 0 });
  const res = await client.fetch(env.AWS_ENDPOINT, { method: "POST", body: "Action=GetCallerIdentity&Version=2011-06-15", headers: { "content-type": "application/x-www-form-urlencoded" } });
  if (res.status !== 200) throw new Error(`GetCallerIdentity with ${key.accessKeyId} failed: ${res.status} ${await res.text()}`);
}

/**
 * Runs the room's alarm (an alarm the room set itself may be running at that moment; then it runs
 * on its own) until `read` answers what `done` waits for, at most `timeoutMs`.
 */
export async function alarmUntil<T>(projectId: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await runDurableObjectAlarm(roomOf(projectId));
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}
