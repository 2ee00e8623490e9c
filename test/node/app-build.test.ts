// Proves the browser suite never serves a stale app build: dist/app counts as stale when missing or older than any app source, app config, core/ file or the lockfile, and not because of a test file.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { staleAppBuild } from "../../scripts/lib/app-build";

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A repo-shaped folder whose files all carry the time `at` (seconds). */
function tree(files: string[], at: number): string {
  const root = mkdtempSync(join(tmpdir(), "stackroom-app-build-test-"));
  roots.push(root);
  for (const file of files) touch(root, file, at);
  return root;
}

function touch(root: string, file: string, at: number): void {
  const path = join(root, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, "x");
  utimesSync(path, at, at);
}

const SOURCES = ["app/src/routes/+page.svelte", "app/svelte.config.js", "core/contract/index.ts", "package-lock.json"];

describe("staleAppBuild", () => {
  it("says the build is missing when dist/app has no _worker.js", () => {
    expect(staleAppBuild(tree(SOURCES, 1_000))).toBe("dist/app is missing");
  });

  it("is null for a build newer than every input", () => {
    const root = tree(SOURCES, 1_000);
    touch(root, "dist/app/_worker.js", 2_000);
    expect(staleAppBuild(root)).toBeNull();
  });

  it.each(["app/src/lib/api.ts", "app/static/favicon.svg", "app/vite.config.ts", "core/kinds.ts", "package-lock.json"])("names %s when it changed after the build", (file) => {
    const root = tree(SOURCES, 1_000);
    touch(root, "dist/app/_worker.js", 2_000);
    touch(root, file, 3_000);
    expect(staleAppBuild(root)).toBe(`dist/app is older than ${file}`);
  });

  it("ignores tests, which are not bundled", () => {
    const root = tree(SOURCES, 1_000);
    touch(root, "dist/app/_worker.js", 2_000);
    touch(root, "app/src/lib/plural.test.ts", 3_000);
    touch(root, "core/naming.test.ts", 3_000);
    expect(staleAppBuild(root)).toBeNull();
  });
});
