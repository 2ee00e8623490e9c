// Proves file activity end to end on the local stack: a partner uploads with the AWS CLI and with OpenSSH sftp (through the local SFTP stand-in, which acts as the user's SftpRole as Transfer Family does), deletes a file, and someone with other credentials writes one; S3's events go moto → SNS → local bridge → signed webhook → room, which names the partner, folds the partner's uploads into one line, lists the bucket's recent files, and sends exactly one digest to the project's webhook.
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as z from "zod";
import { ActivityPage, CreatedKey, FileList, NotificationsView, OUTSIDE_STACKROOM, ProjectView } from "../../core/contract";
import { freePort } from "../../scripts/lib/ports";
import { startStack, type Stack } from "../../scripts/lib/stack";
import { motoCli } from "../cloudformation-cli";
import { startNotificationReceiver, type NotificationReceiver } from "../notification-receiver";
import { devSession, until, type DevSession } from "./stack-client";

let stack: Stack;
let receiver: NotificationReceiver;
const dir = mkdtempSync(join(tmpdir(), "stackroom-file-path-"));

beforeAll(async () => {
  stack = await startStack({ app: false, quiet: true });
  receiver = await startNotificationReceiver(await freePort());
}, 90_000);

afterAll(async () => {
  await receiver?.stop();
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const view = (session: DevSession) => session.api("/api/projects/demo").then(async (r) => ProjectView.parse(await r.json()));
const send = (session: DevSession, method: string, path: string, body?: object) => session.api(path, { method, ...(body ? { body: JSON.stringify(body) } : {}) });

function sftp(key: string, user: string, batch: string[]): Promise<{ code: number; out: string }> {
  const file = join(dir, `batch-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, `${batch.join("\n")}\n`);
  const args = ["-b", file, "-i", key, "-P", String(stack.sftp.port), "-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-o", "BatchMode=yes", `${user}@127.0.0.1`];
  return new Promise((resolve) => {
    execFile("sftp", args, { timeout: 30_000 }, (error, stdout, stderr) => resolve({ code: error ? 1 : 0, out: `${stdout}${stderr}` }));
  });
}

const Received = z.object({ requests: z.array(z.object({ body: z.string(), status: z.number() })) });
const received = async (id: string) => Received.parse(await (await fetch(`${receiver.url}/__received/${id}`)).json()).requests;

describe("file activity on the local stack", () => {
  it("names a partner's uploads over S3 and SFTP, folds them, lists them, and sends one digest", { timeout: 240_000 }, async () => {
    const alice = await devSession(stack.apiUrl, "alice@example.com");
    const suffix = Math.random().toString(36).slice(2, 8);
    const bucket = `drop-${suffix}`;
    const partner = `partner-${suffix}`;
    const hook = `files-${suffix}`;

    // Owners choose where notifications go: uploads and deletes, one message per minute and bucket.
    const settings = await send(alice, "PUT", "/api/projects/demo/notifications", { webhookUrl: `${receiver.url}/hooks/${hook}`, format: "json", events: ["upload", "delete"], digestMinutes: 1 });
    expect(settings.status).toBe(200);

    if ((await view(alice)).sftpServers[0]?.status !== "ready") {
      expect((await send(alice, "PUT", "/api/projects/demo/sftp", { enabled: true })).status).toBe(202);
      await until(() => view(alice), (v) => v.sftpServers[0]?.status === "ready", "SFTP on");
    }
    expect((await send(alice, "POST", "/api/projects/demo/buckets", { name: bucket })).status).toBe(202);
    const physical = (await until(() => view(alice), (v) => v.buckets.some((b) => b.name === bucket && b.status === "ready"), "the bucket")).buckets.find((b) => b.name === bucket)?.physicalName ?? "";

    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", partner, "-f", join(dir, "key")]);
    const publicKey = readFileSync(join(dir, "key.pub"), "utf8").trim();
    const created = await send(alice, "POST", "/api/projects/demo/users", { name: partner, permissions: [{ bucket, access: "readwrite" }], sftp: { sshPublicKeys: [publicKey] } });
    expect(created.status).toBe(202);
    await until(() => view(alice), (v) => v.users.some((u) => u.name === partner && u.status === "ready"), "the partner");
    const keyRes = await send(alice, "POST", `/api/projects/demo/users/${partner}/keys`);
    expect(keyRes.status).toBe(201);
    const key = CreatedKey.parse(await keyRes.json());

    // The partner: three files with the AWS CLI, one over SFTP, then deletes one of the first.
    const asPartner = motoCli(stack.motoEndpoint, "eu-west-1", { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey });
    const local = join(dir, "report.csv");
    writeFileSync(local, "id,total\n1,42\n");
    for (const n of [1, 2, 3]) await asPartner("s3api", "put-object", "--bucket", physical, "--key", `incoming/report ${n}.csv`, "--body", local);
    const over = await sftp(join(dir, "key"), partner, [`put ${local} /${bucket}/incoming/over-sftp.csv`]);
    expect(over.code, over.out).toBe(0);
    await asPartner("s3api", "delete-object", "--bucket", physical, "--key", "incoming/report 1.csv");
    // Someone with credentials that are no Stackroom user's.
    await motoCli(stack.motoEndpoint, "eu-west-1")("s3api", "put-object", "--bucket", physical, "--key", "stranger.csv", "--body", local);

    // The bucket's recent files, newest first, each named.
    const files = await until(
      async () => FileList.parse(await (await alice.api(`/api/projects/demo/buckets/${bucket}/files`)).json()).files,
      (f) => f.length >= 6,
      "six file events",
    );
    expect(files.map((f) => [f.key, f.event, f.by])).toEqual([
      ["stranger.csv", "created", OUTSIDE_STACKROOM],
      ["incoming/report 1.csv", "removed", partner],
      ["incoming/over-sftp.csv", "created", partner],
      ["incoming/report 3.csv", "created", partner],
      ["incoming/report 2.csv", "created", partner],
      ["incoming/report 1.csv", "created", partner],
    ]);
    const filtered = FileList.parse(await (await alice.api(`/api/projects/demo/buckets/${bucket}/files?prefix=incoming/report&limit=2`)).json()).files;
    expect(filtered.map((f) => [f.key, f.event])).toEqual([["incoming/report 1.csv", "removed"], ["incoming/report 3.csv", "created"]]);

    // The activity: the partner's four uploads are one line (S3 and SFTP alike), the delete one, the stranger's one.
    const page = ActivityPage.parse(await (await alice.api(`/api/projects/demo/activity?resource=bucket:${bucket}`)).json());
    const fileLines = page.entries.filter((e) => / (uploaded|deleted) /.test(e.message)).map((e) => e.message.split(" · ")[0]);
    expect(fileLines).toEqual([
      `${OUTSIDE_STACKROOM} uploaded ${bucket}/stranger.csv (14 B)`,
      `${partner} deleted ${bucket}/incoming/report 1.csv`,
      `${partner} uploaded 4 files, 56 B, to ${bucket}/incoming/`,
    ]);

    // Exactly one message for the window and bucket, holding every event of it.
    const [digest, ...more] = await until(() => received(hook), (r) => r.length > 0, "the digest", 120_000);
    expect(more).toEqual([]);
    expect(digest?.status).toBe(200);
    const body = digest?.body ?? "";
    expect(body).toContain(partner);
    expect(body).toContain(OUTSIDE_STACKROOM);
    // The room logged that one delivery, and no second try of it is due: the receiver still has one.
    const log = await until(async () => NotificationsView.parse(await (await alice.api("/api/projects/demo/notifications")).json()).deliveries, (d) => d.length > 0, "the delivery log");
    expect(log.map((d) => [d.outcome, d.attempt, d.nextRetryAt])).toEqual([["ok", 1, undefined]]);
    expect(await received(hook)).toHaveLength(1);
  });
});
