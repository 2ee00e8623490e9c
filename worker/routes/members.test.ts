// Proves owners manage members through the API: validated, lower-cased emails; owner-only changes; the last owner can never be removed or demoted; every change is in the activity and live on every member's screen; a removed member's sockets close at once and their next request is a 404.
import { describe, expect, it } from "vitest";
import type { ActivityPage, Member, Me } from "../../core/contract";
import { api, login, registerProject } from "../../test/workers/harness";
import { closedWithin, framesUntil, listen, openWhen, presenceCounted } from "../../test/workers/live";

type Envelope = { error: { code: string; message: string; fields?: Record<string, string> } };
const put = (cookie: string, projectId: string, email: string, role: string) =>
  api(cookie, `/api/projects/${projectId}/members/${encodeURIComponent(email)}`, { method: "PUT", body: JSON.stringify({ role }) });
const remove = (cookie: string, projectId: string, email: string) =>
  api(cookie, `/api/projects/${projectId}/members/${encodeURIComponent(email)}`, { method: "DELETE" });

describe("members", () => {
  it("lists members for every member; owners add and change them with validated, lower-cased emails", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    const viewer = await login("viewer@example.com");
    const list = await (await api(viewer, `/api/projects/${project.id}/members`)).json<{ members: Member[] }>();
    expect(list.members).toEqual([
      { email: "editor@example.com", role: "editor" },
      { email: "owner@example.com", role: "owner" },
      { email: "viewer@example.com", role: "viewer" },
    ]);

    const added = await put(owner, project.id, "New.Person@Example.COM", "viewer");
    expect(added.status).toBe(200);
    expect((await added.json<{ members: Member[] }>()).members).toContainEqual({ email: "new.person@example.com", role: "viewer" });
    const promoted = await (await put(owner, project.id, "new.person@example.com", "editor")).json<{ members: Member[] }>();
    expect(promoted.members).toContainEqual({ email: "new.person@example.com", role: "editor" });

    const badEmail = await put(owner, project.id, "not-an-email", "viewer");
    expect(badEmail.status).toBe(400);
    expect((await badEmail.json<Envelope>()).error.fields?.email).toMatch(/valid email/);
    const badRole = await put(owner, project.id, "x@example.com", "admin");
    expect(badRole.status).toBe(400);
    const extra = await api(owner, `/api/projects/${project.id}/members/x%40example.com`, { method: "PUT", body: JSON.stringify({ role: "viewer", admin: true }) });
    expect(extra.status).toBe(400);
  });

  it("lets only owners change members (403 for editors and viewers; 404 outside the project)", async () => {
    const project = await registerProject();
    const other = await registerProject({ members: [{ email: "someone-else@example.com", role: "owner" }] });
    for (const who of ["editor@example.com", "viewer@example.com"]) {
      const cookie = await login(who);
      expect((await put(cookie, project.id, "x@example.com", "viewer")).status, who).toBe(403);
      expect((await remove(cookie, project.id, "viewer@example.com")).status, who).toBe(403);
    }
    const owner = await login("owner@example.com");
    expect((await put(owner, other.id, "owner@example.com", "owner")).status).toBe(404);
    expect((await api(owner, `/api/projects/${other.id}/members`)).status).toBe(404);
  });

  it("never removes or demotes the last owner (409), but lets an owner leave once another owner exists", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    const demote = await put(owner, project.id, "owner@example.com", "editor");
    expect(demote.status).toBe(409);
    expect((await demote.json<Envelope>()).error.message).toMatch(/last owner/);
    expect((await remove(owner, project.id, "owner@example.com")).status).toBe(409);
    expect((await remove(owner, project.id, "nobody@example.com")).status).toBe(404);

    expect((await put(owner, project.id, "editor@example.com", "owner")).status).toBe(200);
    expect((await remove(owner, project.id, "owner@example.com")).status).toBe(200);
    expect((await api(owner, `/api/projects/${project.id}`)).status).toBe(404);
    const newOwner = await login("editor@example.com");
    const members = await (await api(newOwner, `/api/projects/${project.id}/members`)).json<{ members: Member[] }>();
    expect(members.members.filter((m) => m.role === "owner")).toEqual([{ email: "editor@example.com", role: "owner" }]);
  });

  it("shows every change live and in the activity; a removed member is cut off at once", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    const editor = await login("editor@example.com");
    const viewer = await login("viewer@example.com");
    const editorTab = listen(await api(editor, `/api/projects/${project.id}/live`, { headers: { Upgrade: "websocket" } }));
    const viewerTab = listen(await api(viewer, `/api/projects/${project.id}/live`, { headers: { Upgrade: "websocket" } }));

    await put(owner, project.id, "dana@example.com", "viewer");
    const frames = await framesUntil(editorTab.frames, (fs) => fs.some((f) => f.type === "change" && f.activity.kind === "member"));
    const change = frames.find((f) => f.type === "change" && f.activity.kind === "member");
    expect(change).toMatchObject({ type: "change", activity: { kind: "member", name: "dana@example.com", actor: "owner@example.com" } });
    expect(change?.type === "change" ? change.members : []).toContainEqual({ email: "dana@example.com", role: "viewer" });

    expect((await remove(owner, project.id, "viewer@example.com")).status).toBe(200);
    expect(await closedWithin(viewerTab, 2_000)).toMatchObject({ code: 4404 });
    expect(await openWhen(editorTab, presenceCounted("viewer@example.com", 0))).toBe("open");
    expect((await api(viewer, `/api/projects/${project.id}`)).status).toBe(404);
    expect((await api(viewer, `/api/projects/${project.id}/activity`)).status).toBe(404);
    const me = await (await api(viewer, "/api/me")).json<Me>();
    expect(me.projects.map((p) => p.id)).not.toContain(project.id);
    // A socket opened afterwards is refused by the room itself, whatever KV says.
    const again = listen(await api(viewer, `/api/projects/${project.id}/live`, { headers: { Upgrade: "websocket" } }));
    expect(await closedWithin(again, 2_000)).toMatchObject({ code: 4404 });

    const activity = await (await api(owner, `/api/projects/${project.id}/activity`)).json<ActivityPage>();
    expect(activity.entries.map((e) => e.message)).toEqual([
      "owner@example.com removed viewer@example.com (viewer) from the project",
      "owner@example.com added dana@example.com as a viewer",
    ]);
    editorTab.ws.close();
  });
});
