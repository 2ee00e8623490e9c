// Proves the matrix's find and order: users by name or description, buckets by name or AWS name, users by name or by most access.
import { describe, expect, it } from "vitest";
import type { Bucket, User } from "$contract";
import { EMPTY_MATRIX_QUERY, grantLines, matrixView } from "./matrix-filter";

const user = (name: string, grants: number, description: string | null = null) =>
  ({ name, spec: { description, permissions: Array.from({ length: grants }, (_, i) => ({ bucket: `b${i}`, access: "read" })), expiresAt: null } }) as unknown as User;
const bucket = (name: string) => ({ name, physicalName: `${name}-1a2b3c4d` }) as unknown as Bucket;

const users = [user("zed", 1), user("acme", 0, "Acme Corp uploads"), user("audit-2", 3), user("audit-10", 3)];
const buckets = [bucket("logs"), bucket("archive"), bucket("reports")];

describe("matrixView", () => {
  it("orders users and buckets by name, numbers naturally", () => {
    const view = matrixView(users, buckets, EMPTY_MATRIX_QUERY);
    expect(view.users.map((u) => u.name)).toEqual(["acme", "audit-2", "audit-10", "zed"]);
    expect(view.buckets.map((b) => b.name)).toEqual(["archive", "logs", "reports"]);
  });

  it("finds users by description and buckets by AWS name", () => {
    const view = matrixView(users, buckets, { ...EMPTY_MATRIX_QUERY, user: "corp", bucket: "LOGS-1a2b" });
    expect(view.users.map((u) => u.name)).toEqual(["acme"]);
    expect(view.buckets.map((b) => b.name)).toEqual(["logs"]);
  });

  it("puts the users with most access first", () => {
    expect(matrixView(users, buckets, { ...EMPTY_MATRIX_QUERY, sort: "access" }).users.map((u) => u.name)).toEqual(["audit-2", "audit-10", "zed", "acme"]);
  });
});

describe("grantLines", () => {
  const many = [bucket("b10"), bucket("b2"), bucket("archive"), bucket("logs")];

  it("lists every bucket by name, then narrows to granted or changed ones within the search", () => {
    const all = grantLines(many, new Set(["b2", "logs"]), new Set(["logs", "archive"]), "", "all");
    expect(all.lines.map((l) => l.name)).toEqual(["archive", "b2", "b10", "logs"]);
    expect(all.counts).toEqual({ all: 4, granted: 2, changed: 2 });
    expect(grantLines(many, new Set(["b2", "logs"]), new Set(), "", "granted").lines.map((l) => l.name)).toEqual(["b2", "logs"]);
    const searched = grantLines(many, new Set(["b10", "logs"]), new Set(["logs"]), "b1", "changed");
    expect(searched.lines).toEqual([]);
    expect(searched.counts).toEqual({ all: 1, granted: 1, changed: 0 });
  });

  it("puts the saved grants first, the rest by name", () => {
    const { lines } = grantLines(many, new Set(["logs", "b2"]), new Set(), "", "all", new Set(["logs", "b10"]));
    expect(lines.map((l) => l.name)).toEqual(["b10", "logs", "archive", "b2"]);
  });

  it("keeps a granted bucket the project no longer has, without a bucket, so the grant can be removed", () => {
    const { lines } = grantLines(many, new Set(["gone", "b2"]), new Set(["gone"]), "", "granted");
    expect(lines.map((l) => [l.name, l.bucket?.name])).toEqual([["b2", "b2"], ["gone", undefined]]);
  });
});
