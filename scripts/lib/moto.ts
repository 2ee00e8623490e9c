import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { waitForHttp } from "./ports";

export interface MotoServer {
  port: number;
  endpoint: string;
  pid: number;
  stop(): Promise<void>;
}

const INSTALL_HINT = 'moto is the local AWS of Stackroom. Install it with:  pip install "moto[server]"';

/** Fails with an install hint when python3 or moto is missing. */
function assertMotoInstalled(): void {
  const probe = spawnSync("python3", ["-c", "import moto.server"], { stdio: "ignore" });
  if (probe.error) throw new Error(`python3 was not found. ${INSTALL_HINT}`);
  if (probe.status !== 0) throw new Error(`python3 cannot import moto.server. ${INSTALL_HINT}`);
}

/** moto's server with the one fix Stackroom needs (see the script's docstring). */
const MOTO_SERVER = fileURLToPath(new URL("../moto_server.py", import.meta.url));

/**
 * Starts moto's server (scripts/moto_server.py) on 127.0.0.1:`port` and waits until it answers.
 * `env` adds variables such as INITIAL_NO_AUTH_ACTION_COUNT (IAM enforcement).
 */
export async function startMoto(port: number, env: Record<string, string> = {}): Promise<MotoServer> {
  assertMotoInstalled();
  const child: ChildProcess = spawn("python3", [MOTO_SERVER, "-H", "127.0.0.1", "-p", String(port)], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`moto exited with code ${code}: ${stderr}`))),
  );
  await Promise.race([waitForHttp(`${endpoint}/moto-api/`, 30_000), exited]);
  const pid = child.pid;
  if (pid === undefined) throw new Error("moto did not start");
  return {
    port,
    endpoint,
    pid,
    stop: () => stopChild(child),
  };
}

/** SIGTERM by PID, SIGKILL after 3 s. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
