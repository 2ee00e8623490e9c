import { randomBytes } from "node:crypto";
import { AwsClient } from "aws4fetch";
import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { startMoto, type MotoServer } from "./moto";
import { freePort, waitForHttp } from "./ports";
import { startProcess, stopProcess, type Managed } from "./processes";
import { DEMO, demoProjectRecord } from "./demo";
import { startLocalAdapter } from "../../aws-bridge/local-adapter";
import { bootstrapProjectAccount } from "../../aws-bridge/local-bootstrap";
import { startAccessTeam } from "./access-team";
import { startPagesApp } from "./pages-app";
import { startLocalSftp } from "../../aws-bridge/local-sftp";
import { projectWebhookUrl } from "../../aws-bridge/project-scope";
import { projectWebhookSecret } from "../../core/webhook-secret";

export const ROOT = resolve(import.meta.dirname, "../..");

export interface StackOptions {
  /** Port of the app (the one origin the browser uses). 0 = any free port. */
  port?: number;
  motoPort?: number;
  /** Folder for wrangler's local KV/DO state; wiped at start because moto starts empty. */
  stateDir?: string;
  quiet?: boolean;
  /**
   * The app on the stack's one origin: "dev" (the default) is `vite dev` with HMR, as `npm run dev`
   * runs it; `{ build }` serves a production build folder (a copy made by appBuildSnapshot in
   * scripts/lib/app-build.ts) as Pages does (scripts/lib/pages-app.ts); false = API only
   * (benchmarks, API tests).
   */
  app?: false | "dev" | { build: string };
  /** Seconds the local bridge holds back each operation's final event (locks become visible). */
  holdSeconds?: number;
  /** Extra vars for the Worker. */
  workerVars?: Record<string, string>;
  /** Port of the local SFTP stand-in for Transfer Family. 0 or absent = any free port. */
  sftpPort?: number;
  /** Where the SFTP host key is kept between starts (absent: a fresh key per start). */
  sftpHostKeyFile?: string;
  /**
   * Sign-in: "dev" (the default; POST /api/dev/login) or Cloudflare Access. With Access and no
   * `teamDomain`, a local Access stand-in (scripts/lib/access-team.ts) is started; the app's dev
   * server proxies `/cdn-cgi` to the team, so its login and logout run on the app's origin.
   */
  auth?: { mode: "dev" } | { mode: "access"; teamDomain?: string; audience?: string };
  /** Every line the Worker (wrangler dev) prints: its JSON log lines, for tests that read them. */
  onWorkerLine?: (line: string) => void;
  /**
   * Where the Worker sends its AWS calls instead of the moto this stack starts (a proxy in front
   * of it, LocalStack): `AWS_ENDPOINT` of `npm run dev`. The bridge, the SFTP stand-in and the
   * bootstrap still talk to moto, as AWS's own services do.
   */
  awsEndpoint?: string;
  /**
   * The URL the local bridge posts the project's webhooks to, given the Worker's own: a test puts
   * a lossy path in between (test/webhook-chaos.ts). Absent: straight to the Worker.
   */
  webhookVia?: (webhookUrl: string) => string | Promise<string>;
}

export interface Stack {
  url: string;
  /** The Access team (local stand-in or given) when the stack signs in with Access. */
  accessTeam?: { url: string; audience: string };
  apiUrl: string;
  motoEndpoint: string;
  /** The local SFTP stand-in: `sftp -P <port> <user>@localhost`. */
  sftp: { port: number; hostKeyFingerprint: string; hostKey: string };
  opsToken: string;
  pids: Record<string, number>;
  /**
   * Stops the Worker (wrangler dev and its workerd) and starts it again on the same port and
   * state: every Durable Object instance is reset, its storage kept, as a deploy or an eviction
   * does in Cloudflare. Sockets to the rooms close; requests meanwhile fail to connect.
   */
  restartWorker(): Promise<void>;
  stop(): Promise<void>;
}

export const WRANGLER_ENV = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
};

/**
 * The whole local Stackroom: moto (AWS), the demo project's AWS side bootstrapped in moto as the
 * bridge template would in AWS, the local bridge adapter, `wrangler dev` (Worker, KV, Durable
 * Objects) and the app (vite dev, or the production build as Pages serves it, with /api going to
 * the Worker) — one origin for the browser.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  // A port chosen free can be taken by another process before ours binds it (stacks start side by
  // side in the browser suite): then the whole stack starts again on other ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startStackOnce(options);
    } catch (err) {
      if (!(err instanceof PortTaken) || attempt >= 3) throw err;
      process.stderr.write(`${err.message}; starting the stack again on other ports\n`);
    }
  }
}

/** wrangler dev could not bind its port: another process took it after it was chosen. */
class PortTaken extends Error {
  override name = "PortTaken";
}

async function startStackOnce(options: StackOptions): Promise<Stack> {
  const stopped: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stopped.reverse()) await stop().catch(() => undefined);
  };
  try {
    const motoPort = options.motoPort ?? (await freePort());
    const moto: MotoServer = await startMoto(motoPort);
    stopped.push(() => moto.stop());

    const workerPort = await freePort();
    const apiUrl = `http://127.0.0.1:${workerPort}`;
    const webhookSecret = randomBytes(24).toString("hex");
    const opsToken = randomBytes(24).toString("hex");

    const adapterPort = await freePort();
    // As in AWS: the demo project's bridge posts to the project's own webhook, signed with the
    // project's own secret (derived from the Worker's root secret, as the ops onboarding does).
    const adapter = await startLocalAdapter({
      port: adapterPort,
      webhookUrl: await (options.webhookVia ?? ((url: string) => url))(projectWebhookUrl(apiUrl, DEMO.id)),
      secrets: [await projectWebhookSecret(webhookSecret, DEMO.id, 1)],
      scope: { projectId: DEMO.id, accountId: DEMO.accountId },
      motoEndpoint: moto.endpoint,
      region: DEMO.region,
      holdCompletionSeconds: options.holdSeconds ?? 0,
    });
    stopped.push(() => adapter.stop());

    const aws = await bootstrapProjectAccount({
      motoEndpoint: moto.endpoint,
      accountId: DEMO.accountId,
      region: DEMO.region,
      projectId: DEMO.id,
      adapterUrl: adapter.url,
      externalId: DEMO.externalId,
    });
    await warmCloudFormation(moto.endpoint);

    // Transfer Family has no moto: users sign in to this stand-in with their deployed stack's keys.
    const sftp = await startLocalSftp({
      port: options.sftpPort ?? 0,
      motoEndpoint: moto.endpoint,
      projectId: DEMO.id,
      accountId: DEMO.accountId,
      region: DEMO.region,
      hostKeyFile: options.sftpHostKeyFile,
    });
    stopped.push(() => sftp.stop());

    let accessTeam: Stack["accessTeam"];
    const authVars: Record<string, string> = { AUTH_MODE: "dev" };
    if (options.auth?.mode === "access") {
      if (options.auth.teamDomain) accessTeam = { url: options.auth.teamDomain, audience: options.auth.audience ?? "" };
      else {
        const team = await startAccessTeam({ port: await freePort(), audience: options.auth.audience });
        stopped.push(() => team.stop());
        accessTeam = { url: team.url, audience: team.audience };
      }
      Object.assign(authVars, { AUTH_MODE: "access", ACCESS_TEAM_DOMAIN: accessTeam.url, ACCESS_AUD: accessTeam.audience });
    }

    const stateDir = options.stateDir ?? join(ROOT, ".dev", `state-${workerPort}`);
    rmSync(stateDir, { recursive: true, force: true });
    mkdirSync(stateDir, { recursive: true });
    // A throwaway state folder (tests, bench) goes when the stack stops (after wrangler, below).
    if (!options.stateDir) stopped.push(async () => rmSync(stateDir, { recursive: true, force: true }));
    const vars: Record<string, string> = {
      ...authVars,
      AWS_ENDPOINT: options.awsEndpoint ?? moto.endpoint,
      LOCAL_SFTP_ENDPOINT: `localhost:${sftp.port}`,
      LOCAL_SFTP_HOST_KEY: sftp.hostKey,
      SESSION_SECRET: randomBytes(32).toString("hex"),
      WEBHOOK_SECRET: webhookSecret,
      WEBHOOK_SECRET_PREVIOUS: "",
      OPS_TOKEN: opsToken,
      AWS_ACCESS_KEY_ID: "AKIASTACKROOMLOCAL01",
      AWS_SECRET_ACCESS_KEY: "local-hub-secret",
      ...options.workerVars,
    };
    const inspectorPort = await freePort();
    const worker = { process: await launchWorker({ port: workerPort, inspectorPort, stateDir, vars, options }) };
    stopped.push(() => stopProcess(worker.process));
    const restartWorker = async () => {
      await stopProcess(worker.process);
      worker.process = await launchWorker({ port: workerPort, inspectorPort, stateDir, vars, options });
    };

    await seedDemo(apiUrl, opsToken, demoProjectRecord(aws));

    let url = apiUrl;
    const pids: Record<string, number> = { moto: moto.pid, worker: worker.process.pid };
    if (options.app !== false) {
      const appPort = options.port === undefined || options.port === 0 ? await freePort() : options.port;
      if (options.app === undefined || options.app === "dev") {
        const app: Managed = startProcess("app", process.execPath, [join(ROOT, "node_modules/vite/bin/vite.js"), "dev", "--strictPort"], {
          cwd: join(ROOT, "app"),
          env: { ...process.env, PORT: String(appPort), STACKROOM_API_URL: apiUrl, ...(accessTeam ? { STACKROOM_ACCESS_TEAM_URL: accessTeam.url } : {}) },
          quiet: options.quiet,
        });
        stopped.push(() => stopProcess(app));
        pids.app = app.pid;
        url = `http://localhost:${appPort}`;
        await waitForHttp(url, 60_000);
      } else {
        const wranglerEnv = { ...process.env, ...WRANGLER_ENV, XDG_CONFIG_HOME: join(ROOT, ".dev", "xdg") };
        const app = await startPagesApp({ root: ROOT, port: appPort, buildDir: options.app.build, apiUrl, accessTeamUrl: accessTeam?.url, wranglerEnv, quiet: options.quiet }).catch((err: unknown) => {
          throw err instanceof Error && "code" in err && err.code === "EADDRINUSE" ? new PortTaken(`the app could not bind port ${appPort}`) : err;
        });
        stopped.push(() => app.stop());
        pids.app = app.pid;
        url = app.url;
      }
    }
    return { url, apiUrl, motoEndpoint: moto.endpoint, sftp: { port: sftp.port, hostKeyFingerprint: sftp.hostKeyFingerprint, hostKey: sftp.hostKey }, opsToken, pids, accessTeam, restartWorker, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * Starts `wrangler dev` and waits until it answers /api/health; fails as soon as wrangler says its
 * port is taken (PortTaken) or exits, not after the whole wait.
 */
async function launchWorker(at: { port: number; inspectorPort: number; stateDir: string; vars: Record<string, string>; options: StackOptions }): Promise<Managed> {
  let settled = false;
  let fail: (err: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    fail = (err) => {
      if (!settled) reject(err);
    };
  });
  failed.catch(() => undefined);
  const wrangler = startProcess(
    "worker",
    process.execPath,
    [
      join(ROOT, "node_modules/wrangler/bin/wrangler.js"),
      "dev",
      "--ip", "127.0.0.1",
      "--port", String(at.port),
      "--inspector-port", String(at.inspectorPort),
      "--persist-to", at.stateDir,
      "--show-interactive-dev-session=false",
      ...Object.entries(at.vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
    ],
    {
      cwd: ROOT,
      env: { ...process.env, ...WRANGLER_ENV, XDG_CONFIG_HOME: join(ROOT, ".dev", "xdg") },
      quiet: at.options.quiet,
      onLine: (line) => {
        if (/Address already in use/.test(line)) fail(new PortTaken(`wrangler dev could not bind port ${at.port}`));
        at.options.onWorkerLine?.(line);
      },
    },
  );
  // "close": after its output has been read (the port message may come in the last chunk).
  wrangler.child.once("close", (code) => fail(new Error(`wrangler dev exited (${code ?? "signal"}) before answering`)));
  try {
    await Promise.race([waitForHttp(`http://127.0.0.1:${at.port}/api/health`, 60_000), failed]);
  } catch (err) {
    await stopProcess(wrangler);
    throw err;
  }
  settled = true;
  return wrangler;
}

/**
 * moto imports and initialises its CloudFormation backend on first use, which takes seconds on
 * these machines: pay that at start-up instead of on the first bucket a manager creates.
 */
export async function warmCloudFormation(endpoint: string): Promise<void> {
  const cfn = new AwsClient({ accessKeyId: "AKIASTACKROOMWARMUP1", secretAccessKey: "x", service: "cloudformation", region: DEMO.region, retries: 0 });
  const body = new URLSearchParams({
    Action: "ValidateTemplate",
    Version: "2010-05-15",
    TemplateBody: JSON.stringify({ Resources: { Warm: { Type: "AWS::SNS::Topic" } } }),
  }).toString();
  await cfn.fetch(endpoint, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded" } });
}

async function seedDemo(apiUrl: string, opsToken: string, record: unknown): Promise<void> {
  const res = await fetch(`${apiUrl}/api/ops/projects`, {
    method: "PUT",
    headers: { authorization: `Bearer ${opsToken}`, "content-type": "application/json" },
    body: JSON.stringify(record),
  });
  if (!res.ok) throw new Error(`seeding the demo project failed: ${res.status} ${await res.text()}`);
}
