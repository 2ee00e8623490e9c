import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { unstable_readConfig } from "wrangler";
import { ROOT, WRANGLER_ENV } from "./stack";
import { API_ROUTES, importsLeaving, routesExclude } from "./pages-output";

/**
 * The deploy preflight (scripts/deploy.ts): what would make a deployment of an environment wrong
 * or unreachable, each finding with the command that fixes it.
 */
type Environment = "staging" | "production";
/** The Pages project of each environment's app (created once with `wrangler pages project create <name>`). */
export const PAGES_PROJECT: Record<Environment, string> = { staging: "stackroom-app-staging", production: "stackroom-app" };
/** What the Worker cannot run without in production (SESSION_SECRET is dev sign-in only). */
const REQUIRED_SECRETS = ["WEBHOOK_SECRET", "OPS_TOKEN", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];
const PLACEHOLDER = /REPLACE_WITH|example\.(com|org|net)|^$/;

export interface Finding {
  problem: string;
  fix: string;
}

export const wrangler = (args: string[], options: { cwd?: string; capture?: boolean } = {}) =>
  spawnSync(process.execPath, [join(ROOT, "node_modules/wrangler/bin/wrangler.js"), ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...WRANGLER_ENV, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME ?? join(ROOT, ".dev", "xdg") },
    encoding: "utf8",
    stdio: options.capture ? ["ignore", "pipe", "pipe"] : "inherit",
  });

/** Vars that point the Worker at local stand-ins (moto, the SFTP stand-in): empty in every deployed environment. */
const LOCAL_ONLY_VARS = ["AWS_ENDPOINT", "LOCAL_SFTP_ENDPOINT", "LOCAL_SFTP_HOST_KEY"] as const;

/** What the environment's configuration gets wrong, offline. */
export function configFindings(env: Environment, configPath = join(ROOT, "wrangler.toml")): Finding[] {
  const config = unstable_readConfig({ config: configPath, env }, { hideWarnings: true });
  const findings: Finding[] = [];
  const edit = `edit [env.${env}] in wrangler.toml`;
  if (config.workers_dev !== false) findings.push({ problem: "workers_dev is not false: the API (ops, webhooks, links) would also answer on *.workers.dev, outside Access", fix: `${edit}: workers_dev = false` });
  if (config.preview_urls !== false) findings.push({ problem: "preview_urls is not false", fix: `${edit}: preview_urls = false` });
  if (!config.observability?.enabled) findings.push({ problem: "Workers Logs are off", fix: "[observability] enabled = true" });
  for (const kv of config.kv_namespaces) {
    if (PLACEHOLDER.test(kv.id ?? "") || kv.id === "stackroom-local-cache") findings.push({ problem: `KV namespace ${kv.binding} has no real id (${kv.id ?? "none"})`, fix: `npx wrangler kv namespace create ${kv.binding} --env ${env}, then put its id into [[env.${env}.kv_namespaces]]` });
  }
  const vars = config.vars as Record<string, unknown>;
  if (vars.AUTH_MODE !== "access") findings.push({ problem: `AUTH_MODE is ${String(vars.AUTH_MODE)}, not access`, fix: `${edit}: [env.${env}.vars] AUTH_MODE = "access"` });
  if (PLACEHOLDER.test(String(vars.ACCESS_TEAM_DOMAIN ?? ""))) findings.push({ problem: "ACCESS_TEAM_DOMAIN is not set", fix: `${edit}: ACCESS_TEAM_DOMAIN = "https://<team>.cloudflareaccess.com" (Zero Trust → Settings → Custom Pages)` });
  // Local-only settings: a deployed Worker must talk to real AWS and Transfer Family, nothing else.
  for (const name of LOCAL_ONLY_VARS) {
    const value = String(vars[name] ?? "");
    if (value !== "") findings.push({ problem: `${name} is set (${value.slice(0, 40)}): it is for local runs only`, fix: `${edit}: ${name} = ""` });
  }
  if (PLACEHOLDER.test(String(vars.ACCESS_AUD ?? ""))) findings.push({ problem: "ACCESS_AUD is not set", fix: `${edit}: ACCESS_AUD = "<the Access application's Application Audience (AUD) tag>"` });
  const patterns: string[] = (config.routes ?? []).map((r: string | { pattern: string }) => (typeof r === "string" ? r : r.pattern));
  const hosts = new Set(patterns.map((p) => p.split("/")[0] ?? ""));
  for (const route of API_ROUTES) {
    if (!patterns.some((p) => p.endsWith(route))) findings.push({ problem: `no route for ${route}`, fix: `${edit}: routes = [{ pattern = "<app host>${route}", zone_name = "<zone>" }, …]` });
  }
  if (hosts.size > 1) findings.push({ problem: `routes on ${hosts.size} hosts (${[...hosts].join(", ")}): the app and its API must share one origin`, fix: `${edit}: one host for every route` });
  for (const host of hosts) if (PLACEHOLDER.test(host)) findings.push({ problem: `route host ${host} is a placeholder`, fix: `${edit}: the app's real host in routes` });
  return findings;
}

/** Secrets the Worker of `env` lacks (asks Cloudflare: needs `wrangler login` or CLOUDFLARE_API_TOKEN). */
export function secretFindings(env: Environment): Finding[] {
  const listed = wrangler(["secret", "list", "--env", env, "--format", "json"], { capture: true });
  if (listed.status !== 0) {
    // eslint-disable-next-line no-control-regex
    const said = `${listed.stderr}\n${listed.stdout}`.replace(/\u001b\[[0-9;]*m/g, "").split("\n").filter((l) => l.trim() && !l.includes("Logs were written"));
    return [{ problem: `could not list the Worker's secrets: ${said.slice(-2).join(" ").trim()}`, fix: "npx wrangler login (or set CLOUDFLARE_API_TOKEN), then run again" }];
  }
  let names: string[] = [];
  try {
    const parsed: unknown = JSON.parse(listed.stdout);
    names = Array.isArray(parsed) ? parsed.flatMap((s) => (typeof s === "object" && s !== null && "name" in s ? [String(s.name)] : [])) : [];
  } catch {
    return [{ problem: "wrangler secret list did not answer JSON", fix: "check wrangler's version (4.86)" }];
  }
  return REQUIRED_SECRETS.filter((n) => !names.includes(n)).map((n) => ({ problem: `secret ${n} is not set`, fix: `npx wrangler secret put ${n} --env ${env} (several at once: npx wrangler secret bulk secrets.json --env ${env})` }));
}

/** The app's Pages output, as npm run build leaves it: there, self-contained, routes left to the API. */
export async function appFindings(): Promise<Finding[]> {
  const dist = join(ROOT, "dist", "app");
  if (!existsSync(join(dist, "_worker.js"))) return [{ problem: "dist/app is not built", fix: "npm run build" }];
  const findings: Finding[] = [];
  const leaks = await importsLeaving(dist);
  if (leaks.length > 0) findings.push({ problem: `dist/app is not self-contained: ${leaks.join("; ")}`, fix: "npm run build" });
  for (const route of API_ROUTES) if (!routesExclude(dist).includes(route)) findings.push({ problem: `dist/app/_routes.json does not leave ${route} to the API Worker`, fix: "npm run build" });
  return findings;
}
