// Proves each kind is removed by its own call and warned about in its own words: a bucket's DELETE (with its grants when asked), a user's DELETE, the SFTP server turned off; the resource each answers goes into the page's state.
import { afterEach, describe, expect, it, vi } from "vitest";
import { SFTP_SERVER_NAME, type User } from "$contract";
import type { ProjectState } from "$lib/project/project-state.svelte";
import { deleteWarning, removals } from "./removal";

afterEach(() => vi.unstubAllGlobals());

const AT = "2026-12-01T00:00:00.000Z";
const server = { name: SFTP_SERVER_NAME, spec: { securityPolicy: "TransferSecurityPolicy-2024-01", logRetentionDays: 30 }, status: "deleting", updatedAt: AT };

function fakeProject() {
  const offered: Array<[string, unknown]> = [];
  const project = { project: { id: "demo" }, offer: (kind: string, resource: unknown) => offered.push([kind, resource]) } as unknown as ProjectState;
  return { project, offered };
}

function answering(body: unknown) {
  const sent: Array<{ method: string | undefined; url: string; body: unknown }> = [];
  vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
    sent.push({ method: init.method, url, body: init.body === undefined ? undefined : JSON.parse(String(init.body)) });
    return new Response(JSON.stringify(body), { status: 202 });
  });
  return sent;
}

describe("removals", () => {
  it("deletes a bucket, with its grants when asked, and queues unless told not to", async () => {
    const sent = answering({ operationId: "op-1" });
    const { project, offered } = fakeProject();
    expect(await removals.bucket(project, "reports", { queue: false, removeGrants: true })).toEqual({ resource: undefined, operationId: "op-1" });
    await removals.bucket(project, "logs");
    expect(sent).toEqual([
      { method: "DELETE", url: "/api/projects/demo/buckets/reports?removeGrants=true&queue=false", body: undefined },
      { method: "DELETE", url: "/api/projects/demo/buckets/logs", body: undefined },
    ]);
    expect(offered).toEqual([]);
  });

  it("deletes a user, never with a bucket's grants", async () => {
    const sent = answering({ operationId: "op-2" });
    const { project } = fakeProject();
    await removals.user(project, "acme", { removeGrants: true });
    expect(sent).toEqual([{ method: "DELETE", url: "/api/projects/demo/users/acme", body: undefined }]);
  });

  it("turns the SFTP server off rather than deleting it, and offers the server it answers", async () => {
    const sent = answering({ sftp: server, operationId: "op-3" });
    const { project, offered } = fakeProject();
    const accepted = await removals.sftp(project, SFTP_SERVER_NAME, { queue: false });
    expect(sent).toEqual([{ method: "PUT", url: "/api/projects/demo/sftp", body: { enabled: false, queue: false } }]);
    expect(accepted.operationId).toBe("op-3");
    expect(offered).toEqual([["sftp", expect.objectContaining({ name: SFTP_SERVER_NAME, status: "deleting" })]]);
  });
});

describe("delete warnings", () => {
  const user = (keys: number) => ({ keys: Array.from({ length: keys }, (_, i) => ({ accessKeyId: `AKIA${i}`, status: "Active", createdAt: AT })) }) as unknown as User;

  it("say what each kind's delete does in AWS", () => {
    expect(deleteWarning("bucket", undefined)).toBe(
      "This deletes the bucket and its stack in AWS. Stackroom never destroys data silently: a bucket that still holds objects is refused, and you will be told so.",
    );
    expect(deleteWarning("sftp", undefined)).toMatch(/^This turns SFTP off/);
  });

  it("count a user's access keys, which go first", () => {
    const tail = "Share links for this user stop being useful. Buckets and their objects are not touched.";
    expect(deleteWarning("user", user(0))).toBe(`This deletes the IAM user and its stack in AWS. ${tail}`);
    expect(deleteWarning("user", undefined)).toBe(`This deletes the IAM user and its stack in AWS. ${tail}`);
    expect(deleteWarning("user", user(1))).toBe(`This deletes the IAM user and its stack in AWS. Its access key is deleted first, so anyone using it loses access at once. ${tail}`);
    expect(deleteWarning("user", user(3))).toBe(`This deletes the IAM user and its stack in AWS. Its 3 access keys are deleted first, so anyone using them loses access at once. ${tail}`);
  });
});
