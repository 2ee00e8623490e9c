/**
 * The ops CLI: `npm run ops -- <command> [args]`, talking to a deployment's `/api/ops/*` with the
 * ops token, and through Cloudflare Access with a service token (scripts/lib/ops-client.ts).
 * Environment: STACKROOM_URL, OPS_TOKEN, and in production STACKROOM_ACCESS_CLIENT_ID /
 * STACKROOM_ACCESS_CLIENT_SECRET. Locally, `npm run dev` writes .dev/ops.env:
 * `set -a; . .dev/ops.env; set +a`. Every failure exits non-zero (1; 2 for a usage error).
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as z from "zod";
import { ProjectRegistration } from "../core/contract";
import { DeploymentExport } from "../core/project-export";
import { HealthAnswer, OffboardAnswer, ProjectStatus, ReplayAnswer } from "../core/ops-answers";
import { opsCall, OpsError, targetFromEnv, type OpsTarget } from "./lib/ops-client";

class UsageError extends Error {
  override name = "UsageError";
}

interface Command {
  usage: string;
  what: string;
  run(target: OpsTarget, args: string[]): Promise<void>;
}

const print = (value: unknown) => console.log(JSON.stringify(value, null, 2));
const call = async (target: OpsTarget, method: string, path: string, body?: unknown) => (await opsCall(target, method, path, body)).json;
const projectArg = (args: string[], usage: string): string => {
  const project = args[0];
  if (!project || project.startsWith("-")) throw new UsageError(`usage: ${usage}`);
  return project;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A project's status in lines a person reads at 3 a.m. */
const counted = (n: number, noun: string) => `${n} ${n === 1 ? noun : `${noun}s`}`;

function describeStatus(s: ProjectStatus): string {
  const counts = Object.entries(s.resources).map(([kind, byStatus]) => `${kind}: ${Object.entries(byStatus).map(([status, n]) => `${n} ${status}`).join(", ")}`);
  return [
    `Project ${s.project}`,
    `  resources   ${counts.length ? counts.join("; ") : "none"}`,
    `  locks       ${s.locks.length ? s.locks.map((l) => `${l.kind} ${l.name} (${l.action} by ${l.by} since ${l.since}, ${l.operationId})`).join("; ") : "none"}`,
    `  queued      ${counted(s.queued, "edit")}`,
    `  failures    ${s.failures.length ? s.failures.map((f) => `${f.kind} ${f.name}: ${f.stackStatus ?? f.status}${f.reason ? ` — ${f.reason}` : ""}`).join("; ") : "none"}`,
    `  last event  ${s.lastEventAt ?? "never"}`,
    `  webhooks    last delivery ${s.lastDelivery ? `${s.lastDelivery.at}, signed with secret v${s.lastDelivery.version}` : "never"}; secret v${s.webhookSecretVersion}${s.webhookPreviousSecretVersion ? ` (v${s.webhookPreviousSecretVersion} still accepted: a rotation is under way)` : ""}`,
    `  people      ${counted(s.members, "member")}, ${counted(s.liveSockets, "live socket")}, ${counted(s.pendingLinks, "link")} waiting`,
    `  storage     seq ${s.seq}, ${counted(s.quarantined, "quarantined row")}`,
  ].join("\n");
}

const COMMANDS: Record<string, Command> = {
  onboard: {
    usage: "onboard <project> <account> <region>",
    what: "the bridge stack's parameters for the project account (its own webhook secret and URL, a fresh external id, the hub principal to trust)",
    async run(target, args) {
      const [projectId, accountId, region] = args;
      if (!projectId || !accountId || !region) throw new UsageError(`usage: ${this.usage}`);
      const answer = z.object({ parameters: z.record(z.string(), z.string()).and(z.object({ ExternalId: z.string() })) }).parse(await call(target, "POST", "/bridge-parameters", { projectId, accountId, region }));
      const overrides = Object.entries(answer.parameters).map(([k, v]) => `${k}=${v}`);
      console.log(`# Deploy the bridge in account ${accountId} (${region}) with these parameters; keep them secret.
# Add CodeS3Bucket=<bucket> CodeS3Key=<key> of dist/aws-bridge.zip (npm run build) and AlarmEmail=<on-call address>, then:
#   aws cloudformation deploy --stack-name stackroom-${projectId}-bridge --template-file aws-bridge/template.yaml \\
#     --capabilities CAPABILITY_NAMED_IAM --parameter-overrides <the lines below> CodeS3Bucket=... CodeS3Key=...
# Register the project with the stack's outputs and ExternalId=${answer.parameters.ExternalId} (see README).
${overrides.join("\n")}`);
    },
  },
  "register-project": {
    usage: "register-project <file.json>",
    what: "add or replace a project record (validated; see README)",
    async run(target, args) {
      if (!args[0]) throw new UsageError(`usage: ${this.usage}`);
      const record = ProjectRegistration.safeParse(JSON.parse(readFileSync(args[0], "utf8")));
      if (!record.success) throw new OpsError(`invalid project record:\n${record.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n")}`);
      print(await call(target, "PUT", "/projects", record.data));
    },
  },
  "list-projects": { usage: "list-projects", what: "print the registry", run: async (target) => print(await call(target, "GET", "/projects")) },
  status: {
    usage: "status <project> [--json]",
    what: "resources by status, locks and queue, failures, last event and delivery, webhook secret version",
    async run(target, args) {
      const project = projectArg(args, this.usage);
      const status = ProjectStatus.parse(await call(target, "GET", `/projects/${project}/status`));
      console.log(args.includes("--json") ? JSON.stringify(status, null, 2) : describeStatus(status));
    },
  },
  health: {
    usage: "health [--deep]",
    what: "KV, the registry and a room answer (--deep: every project's role can be assumed); exits 1 when one does not",
    async run(target, args) {
      // A failed check answers 503 with the same body: show which one.
      const { json } = await opsCall(target, "GET", `/health${args.includes("--deep") ? "?deep=1" : ""}`, undefined, [503]);
      const health = HealthAnswer.parse(json);
      for (const c of health.checks) console.log(`${c.ok ? "ok  " : "FAIL"} ${c.name} (${c.ms} ms)${c.error ? `: ${c.error}` : ""}`);
      if (!health.ok) throw new OpsError("Some checks failed.");
    },
  },
  resync: {
    usage: "resync <project>",
    what: "heal the project's cache from CloudFormation now (and rewrite its KV copies)",
    run: async (target, args) => print(await call(target, "POST", `/projects/${projectArg(args, "resync <project>")}/resync`, {})),
  },
  "dlq-replay": {
    usage: "dlq-replay <project>",
    what: "replay the events waiting in the project's bridge dead-letter queue (deleted only once applied); repeats until it is empty",
    async run(target, args) {
      const project = projectArg(args, this.usage);
      for (;;) {
        const pass = ReplayAnswer.parse(await call(target, "POST", `/projects/${project}/dlq-replay`, {}));
        console.log(`replayed ${pass.replayed} of ${pass.received} message(s): ${pass.accepted} new event(s), ${pass.duplicates} already known, ${pass.unreadable} unreadable (deleted), ${pass.refused.length} refused; ${pass.remaining} left`);
        for (const r of pass.refused) console.log(`  refused ${r.messageId}: ${r.reason}`);
        if (pass.refused.length > 0) throw new OpsError("Some messages were refused and stay in the queue; see the reasons above.");
        if (pass.received === 0 || pass.remaining === 0) return;
      }
    },
  },
  offboard: {
    usage: "offboard <project> [--delete-resources]",
    what: "remove a project: refused while stacks exist unless --delete-resources (deletes them first, through the normal path); then its registry entry, members, links and room data",
    async run(target, args) {
      const project = projectArg(args, this.usage);
      const deleteResources = args.includes("--delete-resources");
      for (let round = 0; ; round++) {
        const { json } = await opsCall(target, "POST", `/projects/${project}/offboard`, { deleteResources });
        const answer = OffboardAnswer.parse(json);
        if (answer.state === "offboarded") {
          console.log(`Project ${project} is offboarded. ${answer.note}`);
          return;
        }
        for (const r of answer.started) console.log(`deleting ${r.kind} ${r.name}`);
        for (const r of answer.refused) console.log(`could not delete ${r.kind} ${r.name}: ${r.reason}`);
        if (answer.refused.length > 0) throw new OpsError("Fix what is refused above (e.g. empty the bucket), then run offboard again.");
        console.log(`${answer.remaining.length} resource(s) still stand: ${answer.remaining.map((r) => `${r.kind} ${r.name} (${r.status})`).join(", ")}`);
        if (round >= 360) throw new OpsError("Still deleting after 30 minutes; run offboard again later.");
        await sleep(5_000);
      }
    },
  },
  "rotate-webhook-secret": {
    usage: "rotate-webhook-secret <project>",
    what: "start rotating the project's own webhook secret: prints the \"new,old\" value for the bridge's Secrets Manager secret",
    async run(target, args) {
      const project = projectArg(args, this.usage);
      const answer = z.object({ project: z.string(), webhookSecret: z.string() }).parse(await call(target, "POST", `/projects/${project}/webhook-secret/rotate`, {}));
      console.log(`# Put this into the bridge's secret (aws secretsmanager put-secret-value --secret-id stackroom/${answer.project}/webhook-secret --secret-string ...).
# The bridge reads it within a minute; once it has delivered an event signed with the new version, run finish-webhook-rotation.
${answer.webhookSecret}`);
    },
  },
  "finish-webhook-rotation": {
    usage: "finish-webhook-rotation <project> [--force]",
    what: "stop accepting the old secret; refused until the bridge has delivered with the new one (--force: anyway)",
    async run(target, args) {
      const project = projectArg(args, this.usage);
      const answer = z.object({ project: z.string(), webhookSecret: z.string() }).parse(await call(target, "POST", `/projects/${project}/webhook-secret/finish`, { force: args.includes("--force") }));
      console.log(`# Only the new secret is accepted now. The bridge's secret may be just:
${answer.webhookSecret}`);
    },
  },
  quarantine: { usage: "quarantine", what: "stored rows that no longer parsed and were set aside", run: async (target) => print(await call(target, "GET", "/quarantine")) },
  export: {
    usage: "export [file.json]",
    what: "the deployment's own state (registry, members, link metadata without ciphertext, activity) as JSON, to the file or stdout",
    async run(target, args) {
      const exported = DeploymentExport.parse(await call(target, "GET", "/export"));
      const text = `${JSON.stringify(exported, null, 2)}\n`;
      if (args[0]) {
        writeFileSync(args[0], text, { mode: 0o600 });
        console.log(`Exported ${exported.projects.length} project(s) to ${args[0]}.`);
      } else process.stdout.write(text);
    },
  },
  import: {
    usage: "import <file.json>",
    what: "restore an export into an empty deployment, then resync each project's resources from CloudFormation",
    async run(target, args) {
      if (!args[0]) throw new UsageError(`usage: ${this.usage}`);
      const exported = DeploymentExport.safeParse(JSON.parse(readFileSync(args[0], "utf8")));
      if (!exported.success) throw new OpsError(`not a Stackroom export:\n${exported.error.issues.slice(0, 10).map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n")}`);
      print(await call(target, "PUT", "/import", exported.data));
      let failed = 0;
      // Resources live in CloudFormation, not in the export: read them back now.
      for (const { project } of exported.data.projects) {
        try {
          console.log(`resync ${project.id}: ${JSON.stringify(await call(target, "POST", `/projects/${project.id}/resync`, {}))}`);
        } catch (err) {
          failed++;
          console.error(`resync ${project.id} failed (run \`npm run ops -- resync ${project.id}\` again): ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      if (failed > 0) throw new OpsError(`${failed} project(s) were imported but not resynced.`);
    },
  },
  "restore-to": {
    usage: "restore-to <project> <ISO time | bookmark>",
    what: "bring the project's room back to a moment within the last 30 days (Durable Objects point-in-time recovery), or to a bookmark a previous restore printed (undo); then resync",
    async run(target, args) {
      const [project, when] = args;
      if (!project || !when) throw new UsageError(`usage: ${this.usage}`);
      const body = Number.isNaN(Date.parse(when)) ? { bookmark: when } : { at: new Date(when).toISOString() };
      const answer = z.object({ restoring: z.string(), undo: z.string() }).parse(await call(target, "POST", `/projects/${project}/restore-to`, body));
      console.log(`The room of ${project} restarts on bookmark ${answer.restoring}.
To undo: npm run ops -- restore-to ${project} ${answer.undo}
Then heal its resources and KV copies: npm run ops -- resync ${project}`);
    },
  },
};

function usage(): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.usage.length));
  return `usage: npm run ops -- <command>\n\n${Object.values(COMMANDS)
    .map((c) => `  ${c.usage.padEnd(width)}  ${c.what}`)
    .join("\n")}\n\nEnvironment: STACKROOM_URL, OPS_TOKEN; behind Cloudflare Access also STACKROOM_ACCESS_CLIENT_ID and STACKROOM_ACCESS_CLIENT_SECRET.`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "help" || name === "--help") {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`Unknown command “${name}”.\n\n${usage()}`);
    return 2;
  }
  try {
    await command.run(targetFromEnv(), args);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(err.message);
      return 2;
    }
    console.error(err instanceof Error ? err.message : String(err));
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
