// Proves the real path end to end: API → STS → CloudFormation (moto) → SNS → local bridge → signed webhook → ProjectRoom → KV + live sockets.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { AwsClient } from "aws4fetch";
import { LiveFrame, ProjectView } from "../../core/contract";
import { startStack, type Stack } from "../../scripts/lib/stack";
import { assumeRole } from "../../core/aws/sts";
import { devSession, until } from "./stack-client";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ app: false, quiet: true });
}, 90_000);

afterAll(async () => {
  await stack?.stop();
});

const login = async (email: string) => (await devSession(stack.apiUrl, email)).cookie;

type Logged = Exclude<LiveFrame, { type: "presence" | "presence-delta" }>;

function listen(cookie: string, since: number): { frames: Logged[]; socket: WebSocket; open: Promise<void> } {
  const socket = new WebSocket(`${stack.apiUrl.replace("http", "ws")}/api/projects/demo/live?since=${since}`, { headers: { cookie }, origin: stack.apiUrl });
  const frames: Logged[] = [];
  socket.on("message", (data) => {
    const text = data.toString();
    if (text === "pong") return;
    const frame = LiveFrame.parse(JSON.parse(text));
    if (frame.type !== "presence" && frame.type !== "presence-delta") frames.push(frame);
  });
  return { frames, socket, open: new Promise((resolve, reject) => socket.once("open", () => resolve()).once("error", reject)) };
}

const statusesOf = (frames: Logged[], name: string) =>
  frames.flatMap((f) => (f.type === "change" && f.bucket?.name === name ? [f.bucket.status] : []));

describe("live bucket path against moto", () => {
  it("a bucket created by alice reaches ready on bob's socket and in the KV snapshot, and exists in moto", async () => {
    const alice = await login("alice@example.com");
    const bob = await login("bob@example.com");
    const initial = ProjectView.parse(await (await fetch(`${stack.apiUrl}/api/projects/demo`, { headers: { cookie: bob } })).json());
    const watcher = listen(bob, initial.seq);
    await watcher.open;

    const res = await fetch(`${stack.apiUrl}/api/projects/demo/buckets`, {
      method: "POST",
      headers: { cookie: alice, "content-type": "application/json", origin: stack.apiUrl },
      body: JSON.stringify({ name: "partner-drop", expireAfterDays: 14 }),
    });
    expect(res.status).toBe(202);

    await until(() => statusesOf(watcher.frames, "partner-drop").includes("ready"), Boolean, "partner-drop ready on bob's socket", 15_000);
    expect(statusesOf(watcher.frames, "partner-drop")).toEqual(["creating", "ready"]);
    watcher.socket.close();

    let view = initial;
    for (let i = 0; i < 50; i++) {
      view = ProjectView.parse(await (await fetch(`${stack.apiUrl}/api/projects/demo`, { headers: { cookie: bob } })).json());
      if (view.buckets.some((b) => b.name === "partner-drop" && b.status === "ready")) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const bucket = view.buckets.find((b) => b.name === "partner-drop");
    expect(bucket).toMatchObject({ status: "ready", spec: { expireAfterDays: 14 } });
    expect(bucket?.lock).toBeUndefined();

    // The bucket really exists in the project account (111111111111) in moto.
    const creds = await assumeRole({
      hubCredentials: { accessKeyId: "AKIATESTLIVEPATH0001", secretAccessKey: "x" },
      roleArn: "arn:aws:iam::111111111111:role/check",
      externalId: "check",
      sessionName: "check",
      region: "eu-west-1",
      endpoint: stack.motoEndpoint,
    });
    const { accessKeyId, secretAccessKey, sessionToken } = creds;
    const s3 = new AwsClient({ accessKeyId, secretAccessKey, sessionToken, service: "s3", region: "eu-west-1", retries: 0 });
    const head = await s3.fetch(`${stack.motoEndpoint}/${bucket?.physicalName}`, { method: "HEAD" });
    expect(head.status).toBe(200);
  }, 60_000);

  it("a reconnecting client with `since` receives exactly the frames it missed", async () => {
    const alice = await login("alice@example.com");
    const first = listen(alice, 0);
    await first.open;
    await until(() => first.frames.length >= 1, Boolean, "the first frame", 15_000);
    const hello = first.frames[0];
    const seenSeq = hello?.type === "hello" ? hello.seq : 0;
    first.socket.close();

    const res = await fetch(`${stack.apiUrl}/api/projects/demo/buckets`, {
      method: "POST",
      headers: { cookie: alice, "content-type": "application/json", origin: stack.apiUrl },
      body: JSON.stringify({ name: "while-away" }),
    });
    expect(res.status).toBe(202);
    const second = listen(alice, seenSeq);
    await second.open;
    await until(() => statusesOf(second.frames, "while-away").includes("ready"), Boolean, "while-away ready after the resume", 15_000);
    const seqs = second.frames.filter((f) => f.type === "change").map((f) => f.seq);
    expect(seqs[0]).toBe(seenSeq + 1);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    second.socket.close();
  }, 60_000);
});
