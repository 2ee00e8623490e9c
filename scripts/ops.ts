/**
 * The ops CLI (`npm run ops -- <command>`), talking to a deployed (or local) Worker's ops
 * endpoints with the OPS_TOKEN bearer secret. STACKROOM_URL and OPS_TOKEN come from the env.
 *
 *   onboard <project> <account> <region>
 *                                    the parameters for deploying aws-bridge/template.yaml in the
 *                                    project account: its own webhook secret and URL, a fresh
 *                                    external id, the hub principal to trust (from the Worker)
 *   register-project <file.json>     add or replace a project record (validated; see README)
 *   list-projects                    print the registry
 *   resync <project>                 heal the project's cache from CloudFormation now
 *   quarantine                       stored rows that no longer parsed and were set aside
 *   restore-to <project> <time|bookmark>
 *                                    bring the project's room back to an ISO time within the last 30
 *                                    days (Durable Objects point-in-time recovery), or to a bookmark
 *                                    a previous restore printed (to undo it); then resync
 *   export [file.json]               the deployment's own state (registry, members, link metadata
 *                                    without ciphertext, activity) as JSON, to the file or stdout
 *   import <file.json>               restore an export into an empty deployment, then resync each
 *                                    project's resources from CloudFormation
 *   rotate-webhook-secret <project>  start rotating the project's own webhook secret: prints the
 *                                    "new,old" value for the bridge's Secrets Manager secret
 *   finish-webhook-rotation <project>
 *                                    stop accepting the old secret (after the bridge has the new)
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as z from "zod";
import { ProjectRegistration } from "../worker/domain/contract";
import { DeploymentExport } from "../worker/domain/project-export";

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Set ${name} (e.g. ${name}=... npm run ops -- ...).`);
  return value;
}

async function call(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${env("STACKROOM_URL").replace(/\/$/, "")}/api/ops${path}`, {
    method,
    headers: { authorization: `Bearer ${env("OPS_TOKEN")}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

const BridgeParameters = z.object({ parameters: z.record(z.string(), z.string()).and(z.object({ ExternalId: z.string() })) });
const Rotation = z.object({ project: z.string(), webhookSecret: z.string() });

async function main(args: string[]): Promise<void> {
  const [command, ...rest] = args;
  switch (command) {
    case "register-project": {
      const file = rest[0];
      if (!file) throw new Error("usage: register-project <file.json>");
      const record = ProjectRegistration.safeParse(JSON.parse(readFileSync(file, "utf8")));
      if (!record.success) throw new Error(`invalid project record:\n${record.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n")}`);
      console.log(JSON.stringify(await call("PUT", "/projects", record.data), null, 2));
      return;
    }
    case "list-projects":
      console.log(JSON.stringify(await call("GET", "/projects"), null, 2));
      return;
    case "export": {
      const exported = DeploymentExport.parse(await call("GET", "/export"));
      const text = `${JSON.stringify(exported, null, 2)}\n`;
      if (rest[0]) {
        writeFileSync(rest[0], text, { mode: 0o600 });
        console.log(`Exported ${exported.projects.length} project(s) to ${rest[0]}.`);
      } else process.stdout.write(text);
      return;
    }
    case "import": {
      if (!rest[0]) throw new Error("usage: import <file.json>");
      const exported = DeploymentExport.safeParse(JSON.parse(readFileSync(rest[0], "utf8")));
      if (!exported.success) throw new Error(`not a Stackroom export:\n${exported.error.issues.slice(0, 10).map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n")}`);
      console.log(JSON.stringify(await call("PUT", "/import", exported.data), null, 2));
      // Resources live in CloudFormation, not in the export: read them back now.
      for (const { project } of exported.data.projects) {
        try {
          console.log(`resync ${project.id}: ${JSON.stringify(await call("POST", `/projects/${project.id}/resync`, {}))}`);
        } catch (err) {
          console.error(`resync ${project.id} failed (run \`npm run ops -- resync ${project.id}\` again): ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      return;
    }
    case "restore-to": {
      const [project, target] = rest;
      if (!project || !target) throw new Error("usage: restore-to <project> <ISO time | bookmark>");
      const body = Number.isNaN(Date.parse(target)) ? { bookmark: target } : { at: new Date(target).toISOString() };
      const answer = z.object({ restoring: z.string(), undo: z.string() }).parse(await call("POST", `/projects/${project}/restore-to`, body));
      console.log(`The room of ${project} restarts on bookmark ${answer.restoring}.
To undo: npm run ops -- restore-to ${project} ${answer.undo}
Then heal its resources and KV copies: npm run ops -- resync ${project}`);
      return;
    }
    case "quarantine":
      console.log(JSON.stringify(await call("GET", "/quarantine"), null, 2));
      return;
    case "resync": {
      if (!rest[0]) throw new Error("usage: resync <project>");
      console.log(JSON.stringify(await call("POST", `/projects/${rest[0]}/resync`, {}), null, 2));
      return;
    }
    case "onboard": {
      const [projectId, accountId, region] = rest;
      if (!projectId || !accountId || !region) throw new Error("usage: onboard <project> <account> <region>");
      const answer = BridgeParameters.parse(await call("POST", "/bridge-parameters", { projectId, accountId, region }));
      const overrides = Object.entries(answer.parameters).map(([k, v]) => `${k}=${v}`);
      console.log(`# Deploy the bridge in account ${accountId} (${region}) with these parameters; keep them secret.
# Add CodeS3Bucket=<bucket> CodeS3Key=<key> of dist/aws-bridge.zip (npm run build), then:
#   aws cloudformation deploy --stack-name stackroom-${projectId}-bridge --template-file aws-bridge/template.yaml \\
#     --capabilities CAPABILITY_NAMED_IAM --parameter-overrides <the lines below> CodeS3Bucket=... CodeS3Key=...
# Register the project with the stack's outputs and ExternalId=${answer.parameters.ExternalId} (see README).
${overrides.join("\n")}`);
      return;
    }
    case "rotate-webhook-secret":
    case "finish-webhook-rotation": {
      if (!rest[0]) throw new Error(`usage: ${command} <project>`);
      const step = command === "rotate-webhook-secret" ? "rotate" : "finish";
      const answer = Rotation.parse(await call("POST", `/projects/${rest[0]}/webhook-secret/${step}`, {}));
      console.log(`# Put this into the bridge's secret (aws secretsmanager put-secret-value --secret-id stackroom/${answer.project}/webhook-secret --secret-string ...):
${answer.webhookSecret}`);
      return;
    }
    default:
      console.log(readFileSync(new URL(import.meta.url), "utf8").split("*/")[0]);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
