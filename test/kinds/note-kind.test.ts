// Proves a resource kind is a plugin: a test-only kind (note-kind.ts), registered at run time without touching any shared file, has its stacks named and parsed, its changes run as stack operations, its CloudFormation events reach the room through the signed webhook, its foreign stacks are healed, and its views are served in the snapshot and live frames.
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { parseStackName, stackName } from "../../core/naming";
import { projectRoom } from "../../worker/room";
import { accountClient, api, deliver, eventually, login, registerProject, stackEvent } from "../workers/harness";
import { listen, framesUntil } from "../workers/live";
import { NOTE, Note, noteTags, noteTemplate, registerNoteKind } from "./note-kind";

/** The project's notes as `GET /api/projects/:p` serves them (the KV snapshot, or the room when it has none yet). */
async function notes(cookie: string, projectId: string): Promise<Note[]> {
  const view: unknown = await (await api(cookie, `/api/projects/${projectId}`)).json();
  const list = view && typeof view === "object" && "notes" in view ? view.notes : undefined;
  return Note.array().parse(list ?? []);
}

/** The `note` field of the change frames a socket received (raw, as the room sent them). */
function noteFrames(raw: string[]): Array<Note | null> {
  return raw.flatMap((text) => {
    const frame: unknown = JSON.parse(text);
    if (!frame || typeof frame !== "object" || !("type" in frame) || frame.type !== "change" || !("note" in frame)) return [];
    return [frame.note === null ? null : Note.parse(frame.note)];
  });
}

describe("a resource kind is a plugin", () => {
  beforeAll(() => registerNoteKind());

  it("names and parses its stacks from its registered row", () => {
    expect(stackName("demo", NOTE, "todo-1")).toBe("stackroom-demo-note-todo-1");
    expect(parseStackName("stackroom-demo-note-todo-1")).toEqual({ projectId: "demo", kind: NOTE, name: "todo-1" });
    expect(parseStackName("stackroom-demo-note-Not_A_Note")).toBeNull();
  });

  it("runs its change as a stack operation; its events reach the room; it is healed; its frames and list are served", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    const socket = listen(await api(owner, `/api/projects/${project.id}/live`, { headers: { Upgrade: "websocket" } }));
    const raw: string[] = [];
    socket.ws.addEventListener("message", (e) => {
      if (typeof e.data === "string" && e.data !== "pong") raw.push(e.data);
    });

    // A change of the new kind, through the room's one entry for every kind: locked, sent to CloudFormation (moto).
    const caller = { email: "owner@example.com", sessionId: "note-test", sessionExpiresAt: Math.floor(Date.now() / 1000) + 3600 };
    const started = await projectRoom(env, project.id).submit(NOTE, { project, caller, change: { action: "create", name: "todo", text: "ship it" } });
    if (!started.ok) throw new Error(started.error.message);
    expect(started.resource).toMatchObject({ name: "todo", status: "creating", lock: { action: "create", by: "owner@example.com" } });

    // CloudFormation's completion comes back through the signed webhook, like any kind's.
    const delivered = await deliver([stackEvent(project, stackName(project.id, NOTE, "todo"), "CREATE_COMPLETE", { clientRequestToken: started.operationId })]);
    expect(delivered.status).toBe(202);
    const ready = await eventually(() => notes(owner, project.id), (list) => list.some((n) => n.name === "todo" && n.status === "ready"));
    expect(ready.find((n) => n.name === "todo")).toMatchObject({ spec: { text: "ship it" }, status: "ready" });
    expect(ready.find((n) => n.name === "todo")?.lock).toBeUndefined();

    // A note stack made outside Stackroom is adopted by healing, read back from its template.
    const cfn = await accountClient(project.accountId, "cloudformation", project.region);
    const params = new URLSearchParams({ Action: "CreateStack", Version: "2010-05-15", StackName: stackName(project.id, NOTE, "found"), TemplateBody: noteTemplate(project.id, "found", { text: "made by hand" }) });
    noteTags(project.id, "found").forEach((t, i) => {
      params.set(`Tags.member.${i + 1}.Key`, t.Key);
      params.set(`Tags.member.${i + 1}.Value`, t.Value);
    });
    expect((await cfn.fetch(env.AWS_ENDPOINT, { method: "POST", body: params.toString(), headers: { "content-type": "application/x-www-form-urlencoded" } })).status).toBe(200);
    const refreshed = await api(owner, `/api/projects/${project.id}/refresh`, { method: "POST", body: "{}" });
    expect(refreshed.status).toBe(200);
    const healed = await eventually(() => notes(owner, project.id), (list) => list.some((n) => n.name === "found"));
    expect(healed.find((n) => n.name === "found")).toMatchObject({ spec: { text: "made by hand" }, status: "ready" });

    // Every step went out live under the kind's own key, with an activity line of that kind.
    await framesUntil(socket.frames, () => noteFrames(raw).some((n) => n?.name === "found"));
    const live = noteFrames(raw);
    expect(live.map((n) => n && `${n.name}:${n.status}`)).toEqual(expect.arrayContaining(["todo:creating", "todo:ready", "found:ready"]));
    expect(socket.frames.filter((f) => f.type === "change").map((f) => f.activity.kind)).toContain(NOTE);

    // Deleting it: the stack operation, then CloudFormation's DELETE_COMPLETE through the webhook.
    const deleting = await projectRoom(env, project.id).submit(NOTE, { project, caller, change: { action: "delete", name: "todo" } });
    if (!deleting.ok) throw new Error(deleting.error.message);
    expect(deleting.resource).toMatchObject({ status: "deleting", lock: { action: "delete" } });
    await deliver([stackEvent(project, stackName(project.id, NOTE, "todo"), "DELETE_COMPLETE", { clientRequestToken: deleting.operationId })]);
    const gone = (list: Note[]) => (list.find((n) => n.name === "todo")?.status ?? "gone") === "deleted" || !list.some((n) => n.name === "todo");
    expect(gone(await eventually(() => notes(owner, project.id), gone))).toBe(true);
    await framesUntil(socket.frames, () => noteFrames(raw).some((n) => n?.name === "todo" && n.status === "deleted") || noteFrames(raw).includes(null));
    expect(noteFrames(raw).some((n) => n === null || (n.name === "todo" && n.status === "deleted"))).toBe(true);
    socket.ws.close();
  });
});
