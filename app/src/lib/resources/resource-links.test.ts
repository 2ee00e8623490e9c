// Proves each kind's resource page link: a bucket's and a user's page by name (escaped), the project's one SFTP server's page without one.
import { describe, expect, it } from "vitest";
import { resourceHref } from "./resource-links";

describe("resourceHref", () => {
  it("links each kind's page", () => {
    expect(resourceHref("demo", "bucket", "reports")).toBe("/projects/demo/buckets/reports");
    expect(resourceHref("demo", "user", "ann.lee@x")).toBe("/projects/demo/users/ann.lee%40x");
    expect(resourceHref("demo", "sftp", "server")).toBe("/projects/demo/sftp");
  });
});
