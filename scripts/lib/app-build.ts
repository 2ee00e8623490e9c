import { execFileSync } from "node:child_process";
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { bundlePages } from "./pages-bundle";
import { commandLineOf } from "./processes";

/**
 * What the app's production build is made from: its sources and config, the shared `core/` it
 * imports ($contract, $core) and the locked dependencies. Tests are left out (not bundled).
 */
const APP_INPUTS = ["app/src", "app/static", "app/svelte.config.js", "app/vite.config.ts", "app/wrangler.toml", "core", "package-lock.json"];

/** The app as Pages deploys it, written by `npm run build` (scripts/build.ts) or by `appBuildSnapshot`. */
export const appBuildDir = (root: string) => join(root, "dist", "app");

/** Why the build in dist/app cannot be served as it is (missing, or older than an input), or null. */
export function staleAppBuild(root: string): string | null {
  const marker = join(appBuildDir(root), "_worker.js");
  if (!existsSync(marker)) return `${relative(root, appBuildDir(root))} is missing`;
  const builtAt = statSync(marker).mtimeMs;
  const newer = APP_INPUTS.flatMap((input) => filesOf(join(root, input))).find((file) => statSync(file).mtimeMs > builtAt);
  return newer ? `${relative(root, appBuildDir(root))} is older than ${relative(root, newer)}` : null;
}

/**
 * A private copy of the app's current production build, for one run to serve. The build in
 * dist/app is made first when it is missing or older than any input (`onBuild` says why). The
 * copy matters: other people in the same working tree rebuild dist/app while a 15-minute browser
 * run is serving it. Check, build and copy hold a lock, so two runs starting together build once.
 */
export async function appBuildSnapshot(root: string, onBuild: (why: string) => void): Promise<string> {
  const release = await lock(join(root, ".dev", "app-build.lock"));
  try {
    const stale = staleAppBuild(root);
    if (stale) {
      onBuild(stale);
      await buildApp(root);
    }
    const snapshot = mkdtempSync(join(tmpdir(), "stackroom-app-build-"));
    cpSync(appBuildDir(root), snapshot, { recursive: true });
    return snapshot;
  } finally {
    release();
  }
}

/** `npm run build`'s app steps alone: vite build (adapter-cloudflare), then the self-contained Pages bundle into dist/app. */
async function buildApp(root: string): Promise<void> {
  // Stamped with the time the build started: an input changed meanwhile is newer, so the next run builds again.
  const started = new Date();
  try {
    execFileSync(process.execPath, [join(root, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "warn"], { cwd: join(root, "app"), stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    throw new Error(`vite build failed:\n${err instanceof Error && "stderr" in err ? String(err.stderr) : String(err)}`);
  }
  const out = appBuildDir(root);
  const next = `${out}.next-${process.pid}`;
  rmSync(next, { recursive: true, force: true });
  try {
    await bundlePages(root, next);
    utimesSync(join(next, "_worker.js"), started, started);
    rmSync(out, { recursive: true, force: true });
    renameSync(next, out);
  } finally {
    rmSync(next, { recursive: true, force: true });
  }
}

/** Every file under `path` (or `path` itself), [] when it does not exist. */
function filesOf(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.endsWith(".test.ts"))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Takes a lock file (holding our PID); one left by a process that is gone is taken over. */
async function lock(path: string): Promise<() => void> {
  mkdirSync(join(path, ".."), { recursive: true });
  // A build takes 10-30 s here; a holder far past that is not building (or its PID was reused).
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (err) {
      if (!(err instanceof Error && "code" in err && err.code === "EEXIST")) throw err;
    }
    // Empty: its holder has created it and not yet written its PID. Gone: released meanwhile.
    const held = existsSync(path) ? readFileSync(path, "utf8").trim() : "";
    const holder = Number(held);
    if (held && (!Number.isInteger(holder) || commandLineOf(holder) === null)) rmSync(path, { force: true });
    else if (Date.now() > deadline) throw new Error(`${path} is held by process ${holder} for 5 minutes; remove it if that process is not building the app`);
    else await sleep(500);
  }
}
