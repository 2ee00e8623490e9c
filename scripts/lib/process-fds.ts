/**
 * Open-file limits and counts of local processes (Linux /proc), for the bench's socket runs.
 *
 * Why it exists: wrangler dev's entry proxy (a workerd process of its own, in front of the one
 * running the Worker and its Durable Objects) holds ~6 descriptors per proxied WebSocket (the
 * client's TCP socket, one upstream to the Worker's workerd, and two pipe pairs); with this
 * machine's 20,000 open-file limit it dies with "accept: Too many open files" at ~3,300 sockets
 * and takes every socket with it (clients see 1006, then ECONNREFUSED). That is a limit of the
 * local stand-in, not of the room: a Durable Object holds 32,768 sockets.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

export interface NoFile {
  soft: number;
  hard: number;
}

/** `pid` and every process below it (wrangler → its node child → the workerd processes). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = parentOf(Number(entry));
    if (parent !== null) children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  const tree: number[] = [];
  for (const queue = [root]; queue.length > 0; ) {
    const pid = queue.shift() ?? root;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (in parentheses) may hold spaces: the fields after it are fixed.
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return null;
  }
}

/** A short name: the executable's file name plus its first argument's (e.g. `workerd serve`, `node wrangler.js`). */
export function processName(pid: number): string {
  try {
    const [exe = "", arg = ""] = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return `${exe.split("/").pop() ?? exe} ${arg.split("/").pop() ?? arg}`.trim();
  } catch {
    return "gone";
  }
}

/** Open descriptors of `pid` now (-1 once it is gone). */
export function openFds(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return -1;
  }
}

export function noFileLimit(pid: number): NoFile | null {
  try {
    const line = readFileSync(`/proc/${pid}/limits`, "utf8").split("\n").find((l) => l.startsWith("Max open files"));
    const [soft, hard] = (line ?? "").replace("Max open files", "").trim().split(/\s+/).map((v) => (v === "unlimited" ? Infinity : Number(v)));
    return soft !== undefined && hard !== undefined && Number.isFinite(soft) ? { soft, hard } : null;
  } catch {
    return null;
  }
}

export interface Raised {
  pid: number;
  name: string;
  before: number;
  after: number;
}

/**
 * Raises the open-file limit of each process to `want` (soft and hard) with prlimit: root may
 * raise the hard limit (up to fs.nr_open); anyone else gets the soft limit raised to the hard
 * one. Answers each process's soft limit before and after.
 */
export function raiseNoFile(pids: readonly number[], want: number): Raised[] {
  const target = Math.min(want, Number(readFileSync("/proc/sys/fs/nr_open", "utf8").trim()));
  return pids.flatMap((pid) => {
    const before = noFileLimit(pid);
    if (!before) return [];
    const prlimit = (soft: number, hard: number) => execFileSync("prlimit", ["--pid", String(pid), `--nofile=${soft}:${hard}`], { stdio: "pipe" });
    if (before.soft < target) {
      try {
        prlimit(target, Math.max(target, before.hard));
      } catch {
        // Not allowed past the hard limit (or no prlimit): the soft limit up to the hard one, if that works.
        try {
          if (before.soft < before.hard) prlimit(before.hard, before.hard);
        } catch {
          // left as it is; the report shows it
        }
      }
    }
    return [{ pid, name: processName(pid), before: before.soft, after: noFileLimit(pid)?.soft ?? before.soft }];
  });
}

/** One line: what the limits were and are, e.g. "7 processes: 20000 → 84096". */
export function describeRaised(raised: readonly Raised[], want: number): string {
  const changed = raised.filter((r) => r.after !== r.before);
  const short = raised.filter((r) => r.after < want);
  const range = (values: number[]) => (Math.min(...values) === Math.max(...values) ? String(values[0]) : `${Math.min(...values)}–${Math.max(...values)}`);
  const head = changed.length ? `raised for ${changed.length} of ${raised.length} processes (prlimit): ${range(changed.map((r) => r.before))} → ${range(changed.map((r) => r.after))}` : `${raised.length} processes at ${range(raised.map((r) => r.after))}, unchanged`;
  return `${head}; wanted ${want}${short.length ? ` — still short: ${short.map((r) => `${r.name} (${r.pid}) ${r.after}`).join(", ")}` : ""}`;
}

/** TCP ports `pid` listens on (IPv4 and IPv6), from /proc/net/tcp* matched to its socket descriptors. */
export function listeningPorts(pid: number): number[] {
  let inodes: Set<string>;
  try {
    inodes = new Set(readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        return match?.[1] ? [match[1]] : [];
      } catch {
        return [];
      }
    }));
  } catch {
    return [];
  }
  const ports: number[] = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let rows: string[];
    try {
      rows = readFileSync(table, "utf8").split("\n").slice(1);
    } catch {
      continue;
    }
    for (const row of rows) {
      const cols = row.trim().split(/\s+/);
      // local_address is HEXIP:HEXPORT, st 0A is LISTEN, the inode is the tenth column.
      const [local, state, inode] = [cols[1], cols[3], cols[9]];
      if (state === "0A" && inode && inodes.has(inode) && local) ports.push(Number.parseInt(local.split(":").pop() ?? "", 16));
    }
  }
  return ports;
}
