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
  const line = (text: string) => {
    if (!text.trim()) return;
    tail.push(text);
    if (tail.length > 40) tail.shift();
    options.onLine?.(text);
    if (!options.quiet) process.stdout.write(`[${name}] ${text}\n`);
  };
  // A line may arrive split over two chunks: each stream keeps its unfinished last line.
  const reader = () => {
    let partial = "";
    return {
      data: (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split("\n");
        partial = lines.pop() ?? "";
        lines.forEach(line);
      },
      end: () => {
        line(partial);
        partial = "";
      },
    };
  };
  for (const stream of [child.stdout, child.stderr]) {
    const r = reader();
    stream?.on("data", r.data);
    stream?.on("end", r.end);
  }
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
