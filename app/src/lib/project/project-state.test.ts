// Proves the project state applies the room's frames as the room means them: each kind's list from the view, snapshots and change frames (under the kind table's keys), presence as a whole list on joining and deltas afterwards, member lists from change frames, and frames at or below the seen seq ignored.
import { describe, expect, it } from "vitest";
import type { Bucket, ProjectView, SftpServer, User } from "$contract";
import { ProjectState } from "./project-state.svelte";

const view: ProjectView = {
  project: { id: "demo", name: "Demo", accountId: "111111111111", region: "eu-west-1", role: "owner" },
  seq: 5,
  buckets: [],
  users: [],
  sftpServers: [],
  members: [{ email: "alice@example.com", role: "owner" }],
};
const at = (email: string, connections = 1) => ({ email, since: "2026-11-30T10:00:00.000Z", connections });

const at0 = "2026-11-30T10:00:00.000Z";
const bucket = (name: string): Bucket => ({ name, physicalName: `demo-${name}`, spec: { versioning: true, encryption: "s3", expireAfterDays: null }, status: "ready", updatedAt: at0 });
const user = (name: string): User => ({ name, path: "/stackroom/demo/", spec: { description: null, permissions: [{ bucket: "reports", access: "read" }], expiresAt: null }, status: "ready", updatedAt: at0, keys: [] });
const server: SftpServer = { name: "server", spec: { securityPolicy: "TransferSecurityPolicy-2024-01", logRetentionDays: 30 }, status: "ready", updatedAt: at0 };
const about = (seq: number, kind: "bucket" | "user" | "sftp", name: string) => ({ seq, at: at0, actor: "alice@example.com", kind, name, message: "m", tone: "info" as const });

describe("ProjectState", () => {
  it("keeps one list per kind: from the view and snapshots by list key, from change frames by kind key, null marking the entry's resource gone", () => {
    const state = new ProjectState({ ...view, buckets: [bucket("reports")], users: [user("acme")], sftpServers: [server] }, "alice@example.com");
    expect([state.buckets.map((b) => b.name), state.users.map((u) => u.name), state.sftp?.name]).toEqual([["reports"], ["acme"], "server"]);
    expect([state.count("bucket"), state.count("user"), state.count("sftp")]).toEqual([1, 1, 1]);

    state.apply({ type: "change", seq: 6, bucket: bucket("logs"), activity: about(6, "bucket", "logs") });
    state.apply({ type: "change", seq: 7, user: null, activity: about(7, "user", "acme") });
    // A null field about another resource than the entry's marks nothing gone.
    state.apply({ type: "change", seq: 8, sftp: null, activity: about(8, "bucket", "logs") });
    expect(state.buckets.map((b) => b.name)).toEqual(["logs", "reports"]);
    expect([state.user("acme")?.status, state.sftp?.status, state.count("user")]).toEqual(["deleted", "ready", 0]);

    state.apply({ type: "snapshot", seq: 9, buckets: [bucket("logs")], users: [], sftpServers: [], members: view.members });
    expect([state.bucket("reports")?.status, state.sftp?.status, state.count("bucket"), state.count("sftp")]).toEqual(["deleted", "deleted", 1, 0]);
    state.dispose();
  });

  it("drops the earlier version of a folded file-activity line when a frame replaces it", () => {
    const state = new ProjectState(view, "alice@example.com");
    state.apply({ type: "change", seq: 6, activity: { ...about(6, "bucket", "logs"), message: "partner uploaded 2 files" } });
    state.apply({ type: "change", seq: 7, activity: about(7, "user", "acme") });
    state.apply({ type: "change", seq: 8, replaces: 6, activity: { ...about(8, "bucket", "logs"), message: "partner uploaded 3 files" } });
    expect(state.activity.map((e) => [e.seq, e.message])).toEqual([
      [8, "partner uploaded 3 files"],
      [7, "m"],
    ]);
    // Remembered, for filtered pages fetched before the frame came.
    expect([...state.superseded]).toEqual([6]);
  });

  it("takes the whole presence list, then upserts and removes by deltas", () => {
    const state = new ProjectState(view, "alice@example.com");
    state.apply({ type: "presence", managers: [at("alice@example.com"), at("bob@example.com")] });
    state.apply({ type: "presence-delta", managers: [at("bob@example.com", 2), at("carol@example.com")], left: [] });
    expect(state.presence.map((m) => [m.email, m.connections]).sort()).toEqual([["alice@example.com", 1], ["bob@example.com", 2], ["carol@example.com", 1]]);
    state.apply({ type: "presence-delta", managers: [], left: ["bob@example.com"] });
    expect(state.presence.map((m) => m.email).sort()).toEqual(["alice@example.com", "carol@example.com"]);
    state.dispose();
  });

  it("replaces the member list from a change frame, once", () => {
    const state = new ProjectState(view, "alice@example.com");
    const members = [...view.members, { email: "dana@example.com", role: "viewer" as const }];
    const activity = { seq: 6, at: "2026-11-30T10:00:00.000Z", actor: "alice@example.com", kind: "member" as const, name: "dana@example.com", message: "added", tone: "info" as const };
    expect(state.apply({ type: "change", seq: 6, members, activity })).toBe("applied");
    expect(state.members).toEqual(members);
    expect(state.apply({ type: "change", seq: 6, members: view.members, activity })).toBe("ignored");
    expect(state.members).toEqual(members);
    state.dispose();
  });

  it("follows this manager's role as the room publishes it: demoted, then promoted, without a reload", () => {
    const carol = { ...view, project: { ...view.project, role: "editor" as const }, members: [...view.members, { email: "carol@example.com", role: "editor" as const }] };
    const state = new ProjectState(carol, "Carol@Example.com");
    expect([state.role, state.canWrite, state.writeBlocked]).toEqual(["editor", true, null]);
    const activity = (seq: number) => ({ seq, at: "2026-11-30T10:00:00.000Z", actor: "alice@example.com", kind: "member" as const, name: "carol@example.com", message: "role", tone: "info" as const });
    state.apply({ type: "change", seq: 6, members: [view.members[0]!, { email: "carol@example.com", role: "viewer" }], activity: activity(6) });
    expect(state.role).toBe("viewer");
    expect(state.canWrite).toBe(false);
    expect(state.writeBlocked).toMatch(/now Viewer, so you can no longer make changes/);
    expect(state.canCancel({ operationId: "o", by: "carol@example.com", since: "2026-11-30T10:00:00.000Z", action: "update", summary: "x" })).toBe(false);
    state.apply({ type: "change", seq: 7, members: [view.members[0]!, { email: "carol@example.com", role: "owner" }], activity: activity(7) });
    expect([state.role, state.canWrite, state.canManageMembers, state.writeBlocked]).toEqual(["owner", true, true, null]);
    state.dispose();
  });
});
