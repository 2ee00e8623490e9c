// Proves the unsaved-permissions guard's rule: moving between a project's page and its resource pages stays in the project; anywhere else leaves it.
import { describe, expect, it } from "vitest";
import { leavesProject } from "./project-context";

const to = (id: string | null, params: Record<string, string> | null) => ({ route: { id }, params });

describe("leavesProject", () => {
  it("stays between the project page and its own resource pages", () => {
    expect(leavesProject(to("/projects/[id]", { id: "demo" }), "demo")).toBe(false);
    expect(leavesProject(to("/projects/[id]/buckets/[name]", { id: "demo", name: "reports" }), "demo")).toBe(false);
    expect(leavesProject(to("/projects/[id]/users/[name]", { id: "demo", name: "acme" }), "demo")).toBe(false);
    expect(leavesProject(to("/projects/[id]/sftp", { id: "demo" }), "demo")).toBe(false);
  });

  it("leaves for another project, the project list, a share page or another site", () => {
    expect(leavesProject(to("/projects/[id]/buckets/[name]", { id: "other", name: "reports" }), "demo")).toBe(true);
    expect(leavesProject(to("/projects", {}), "demo")).toBe(true);
    expect(leavesProject(to("/share/[id]", { id: "x" }), "demo")).toBe(true);
    expect(leavesProject(to(null, null), "demo")).toBe(true);
    expect(leavesProject(null, "demo")).toBe(true);
  });
});
