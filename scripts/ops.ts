/**
 * The ops CLI (`npm run ops -- <command>`), talking to a deployed (or local) Worker's ops
 * endpoints with the OPS_TOKEN bearer secret. STACKROOM_URL and OPS_TOKEN come from the env.
 *
 *   register-project <file.json>     add or replace a project record (validated; see README)
 *   list-projects                    print the registry
 *   resync <project>                 heal the project's cache from CloudFormation now
 *   bridge-parameters <project> <account> <region>
 *                                    the parameters for deploying aws-bridge/template.yaml
 */
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { ProjectRecord } from "../worker/domain/contract";
import { bucketSuffix } from "../worker/domain/naming";

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

async function main(args: string[]): Promise<void> {
  const [command, ...rest] = args;
  switch (command) {
    case "register-project": {
      const file = rest[0];
      if (!file) throw new Error("usage: register-project <file.json>");
      const record = ProjectRecord.safeParse(JSON.parse(readFileSync(file, "utf8")));
      if (!record.success) throw new Error(`invalid project record:\n${record.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n")}`);
      console.log(JSON.stringify(await call("PUT", "/projects", record.data), null, 2));
      return;
    }
    case "list-projects":
      console.log(JSON.stringify(await call("GET", "/projects"), null, 2));
      return;
    case "resync": {
      if (!rest[0]) throw new Error("usage: resync <project>");
      console.log(JSON.stringify(await call("POST", `/projects/${rest[0]}/resync`, {}), null, 2));
      return;
    }
    case "bridge-parameters": {
      const [projectId, accountId, region] = rest;
      if (!projectId || !accountId || !region) throw new Error("usage: bridge-parameters <project> <account> <region>");
      const params = {
        ProjectId: projectId,
        BucketSuffix: bucketSuffix(projectId, accountId, region),
        ExternalId: `stackroom-${projectId}-${randomBytes(12).toString("hex")}`,
        HubAccountId: "<the Worker's AWS account id>",
        WebhookUrl: "<https://your-worker/webhooks/cloudformation>",
        WebhookSecret: "<the Worker's WEBHOOK_SECRET>",
      };
      console.log(Object.entries(params).map(([k, v]) => `ParameterKey=${k},ParameterValue=${v}`).join(" "));
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
