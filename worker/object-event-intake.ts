import { BucketName, EVENT_FUTURE_TOLERANCE_SECONDS, type ObjectEvent, type ProjectRecord } from "../core/contract";
import { bucketSuffix } from "../core/naming";
import { projectRoom } from "./room";
import type { Delivery, Intake } from "./signed-webhook";

/**
 * Why `event` is not of `project`; null when it is: the bucket's account must be the project's and
 * its name one the project's buckets have (`<name>-<project suffix>`, core/naming.ts), since
 * anyone who can publish to one project's topic must not be able to write into another's files.
 */
function foreignObjectReason(event: ObjectEvent, project: ProjectRecord): string | null {
  if (event.account !== project.accountId) return `account ${event.account} is not account ${project.accountId}`;
  const suffix = `-${bucketSuffix(project.id, project.accountId, project.region)}`;
  const name = event.bucket.endsWith(suffix) ? event.bucket.slice(0, -suffix.length) : "";
  if (!BucketName.safeParse(name).success) return `bucket ${event.bucket} is not a bucket of project ${project.id}`;
  return null;
}

/**
 * The one way S3 object events reach a project's room: every event must be of this project's
 * buckets in its account and not from the future, or nothing is applied. The room drops
 * duplicates by eventId and skips (counts as ignored) events of buckets it does not hold.
 */
export async function takeInObjectEvents(env: Env, project: ProjectRecord, events: readonly ObjectEvent[], delivery?: Delivery): Promise<Intake> {
  const latest = Date.now() + EVENT_FUTURE_TOLERANCE_SECONDS * 1000;
  for (const [i, event] of events.entries()) {
    const foreign = foreignObjectReason(event, project);
    if (foreign) return { ok: false, reason: "foreign", status: "forbidden", message: `Object event ${i} is not of project ${project.id}: ${foreign}. Nothing in this batch was applied.` };
    if (Date.parse(event.at) > latest) {
      return { ok: false, reason: "future", status: "invalid", message: `Object event ${i} is dated ${event.at}, more than ${EVENT_FUTURE_TOLERANCE_SECONDS / 60} minutes in the future. Nothing in this batch was applied.` };
    }
  }
  return { ok: true, ...(await projectRoom(env, project.id).applyObjectEvents(project, [...events], delivery)) };
}
