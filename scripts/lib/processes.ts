import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";

export interface Managed {
  name: string;
  child: ChildProcess;
  pid: number;
}

/**
 * Spawns a long-running child with its output prefixed by `name` (or kept quiet), in its own
 * process group so that stopping it by PID also stops what it spawned (workerd under wrangler).
 */
export function startProcess(name: string, command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; quiet?: boolean; onLine?: (line: string) => void }): Managed {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const tail: string[] = [];
  const forward = (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 40) tail.shift();
      options.onLine?.(line);
      if (!options.quiet) process.stdout.write(`[${name}] ${line}\n`);
    }
  };
  child.stdout?.on("data", forward);
  child.stderr?.on("data", forward);
  child.once("exit", (code, signal) => {
    if (code !== 0 && signal === null && options.quiet) process.stderr.write(`[${name}] exited with ${code}:\n${tail.join("\n")}\n`);
  });
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  return { name, child, pid: child.pid };
}

/** Stops a process group by its leader's PID: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopProcess(proc: Managed, graceMs = 3_000): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.child.once("exit", () => resolve()));
  signalGroup(proc.pid, "SIGTERM");
  const timer = setTimeout(() => signalGroup(proc.pid, "SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
  signalGroup(proc.pid, "SIGKILL"); // stragglers of the group
}

export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // gone already
    }
  }
}

/** The command line of a live PID, or null (used to recognise our own stale processes). */
export function commandLineOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
  } catch {
    return null;
  }
}
