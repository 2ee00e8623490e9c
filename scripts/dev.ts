/**
 * `npm run dev`: the whole local Stackroom on this machine (moto as AWS, wrangler dev as
 * Cloudflare, the local bridge, the app) with the seeded demo project; Ctrl-C stops it all.
 * PORT (default 5173) is the app's port, MOTO_PORT (default 4566) moto's, SFTP_PORT (default
 * 2222) the local SFTP stand-in's (Transfer Family has no moto); STACK_HOLD_SECONDS
 * (default 0) makes the local bridge hold back each stack operation's final event, so that locks
 * and queued edits can be seen (moto finishes every operation at once).
 * AUTH_MODE=access runs the production sign-in, Cloudflare Access: against ACCESS_TEAM_DOMAIN
 * (a loopback test team; ACCESS_AUD its audience) when given, else against a local Access
 * stand-in whose login page takes any email.
 * AWS_ENDPOINT sends the Worker's AWS calls to that endpoint instead of the moto it starts (a
 * proxy in front of moto, LocalStack); the bridge and the SFTP stand-in keep using moto.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as z from "zod";
import { ROOT, startStack, type StackOptions } from "./lib/stack";
import { commandLineOf, signalGroup } from "./lib/processes";
import { DEMO } from "./lib/demo";
import { assertPortFree } from "./lib/ports";

const PID_FILE = join(ROOT, ".dev", "dev.json");
const OPS_ENV_FILE = join(ROOT, ".dev", "ops.env");
const Running = z.object({ supervisor: z.number(), url: z.string(), pids: z.record(z.string(), z.number()) });

function alive(pid: number): boolean {
  return commandLineOf(pid) !== null;
}

/** A second `npm run dev` points at the first; leftovers of a crashed run are stopped by PID. */
function handlePreviousRun(): boolean {
  if (!existsSync(PID_FILE)) return false;
  const previous = Running.safeParse(JSON.parse(readFileSync(PID_FILE, "utf8")));
  rmSync(PID_FILE, { force: true });
  if (!previous.success) return false;
  if (alive(previous.data.supervisor) && commandLineOf(previous.data.supervisor)?.includes("scripts/dev.ts")) {
    console.log(`Stackroom is already running at ${previous.data.url} (pid ${previous.data.supervisor}).`);
    writeFileSync(PID_FILE, JSON.stringify(previous.data));
    return true;
  }
  for (const [name, pid] of Object.entries(previous.data.pids)) {
    const cmd = commandLineOf(pid);
    if (cmd && /moto\.server|wrangler|vite/.test(cmd)) {
      console.log(`stopping ${name} (pid ${pid}) left over from a previous run`);
      signalGroup(pid, "SIGKILL");
    }
  }
  return false;
}

async function main(): Promise<void> {
  if (handlePreviousRun()) return;
  const port = Number(process.env.PORT ?? 5173);
  const motoPort = Number(process.env.MOTO_PORT ?? 4566);
  const sftpPort = Number(process.env.SFTP_PORT ?? 2222);
  await assertPortFree(port, "PORT");
  await assertPortFree(motoPort, "MOTO_PORT");
  await assertPortFree(sftpPort, "SFTP_PORT");
  console.log("Starting moto, the AWS bridge, wrangler dev and the app…");
  const holdSeconds = Number(process.env.STACK_HOLD_SECONDS ?? 0);
  const auth = authFromEnv();
  const stack = await startStack({
    port,
    motoPort,
    sftpPort,
    // Kept, so SFTP clients do not see a new host key at every start.
    sftpHostKeyFile: join(ROOT, ".dev", "sftp-host-key"),
    holdSeconds,
    auth,
    stateDir: join(ROOT, ".dev", "state"),
    quiet: !process.env.VERBOSE,
    awsEndpoint: awsEndpointFromEnv(),
  });
  mkdirSync(join(ROOT, ".dev"), { recursive: true });
  writeFileSync(PID_FILE, JSON.stringify({ supervisor: process.pid, url: stack.url, pids: stack.pids }));
  // The ops CLI's target for this run (the Worker itself: locally there is no Access in front of /api/ops).
  writeFileSync(OPS_ENV_FILE, `STACKROOM_URL=${stack.apiUrl}\nOPS_TOKEN=${stack.opsToken}\n`, { mode: 0o600 });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log("\nStopping…");
    await stack.stop();
    rmSync(PID_FILE, { force: true });
    rmSync(OPS_ENV_FILE, { force: true });
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  console.log(`
  Stackroom is running:  ${stack.url}

  Sign in${stack.accessTeam ? ` with Cloudflare Access (team ${stack.accessTeam.url})` : ""} as ${DEMO.members.map((m) => `${m.email} (${m.role})`).join(", ")}.
  Demo project "${DEMO.id}": AWS account ${DEMO.accountId}, ${DEMO.region}, played by moto at ${stack.motoEndpoint}.${process.env.AWS_ENDPOINT ? `\n  The Worker's AWS calls go to ${process.env.AWS_ENDPOINT} (AWS_ENDPOINT).` : ""}
  API (wrangler dev): ${stack.apiUrl}${holdSeconds > 0 ? `    Completion events held back ${holdSeconds} s.` : ""}
  Ops CLI: set -a; . .dev/ops.env; set +a   then   npm run ops -- status ${DEMO.id}
  SFTP (local stand-in for AWS Transfer Family): sftp -P ${stack.sftp.port} <user>@localhost
    for users with SSH keys, once an owner turns SFTP on; host key ${stack.sftp.hostKeyFingerprint}
  Press Ctrl-C to stop everything.
`);
}

/** AWS_ENDPOINT from the environment: an http(s) URL, or absent (the Worker talks to moto). */
function awsEndpointFromEnv(): string | undefined {
  const value = process.env.AWS_ENDPOINT?.trim();
  if (!value) return undefined;
  const url = URL.parse(value);
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) throw new Error(`AWS_ENDPOINT=${value} is not an http(s) URL; give the endpoint the Worker should send its AWS calls to, e.g. http://127.0.0.1:4577.`);
  return value.replace(/\/+$/, "");
}

/** AUTH_MODE / ACCESS_TEAM_DOMAIN / ACCESS_AUD from the environment, passed through to the Worker. */
function authFromEnv(): StackOptions["auth"] {
  const mode = process.env.AUTH_MODE ?? "dev";
  if (mode === "dev") return { mode: "dev" };
  if (mode !== "access") throw new Error(`AUTH_MODE=${mode} is not a sign-in mode; use dev (default) or access.`);
  const teamDomain = process.env.ACCESS_TEAM_DOMAIN;
  if (teamDomain && !process.env.ACCESS_AUD) throw new Error("With ACCESS_TEAM_DOMAIN, set ACCESS_AUD to the audience its tokens carry.");
  return teamDomain ? { mode: "access", teamDomain, audience: process.env.ACCESS_AUD } : { mode: "access" };
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
