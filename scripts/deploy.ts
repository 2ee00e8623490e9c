/**
 * `npm run deploy -- --env staging|production [--dry-run]`: Stackroom to Cloudflare, the API
 * Worker then the app, after a preflight that refuses what would make the deployment wrong or
 * unreachable — each finding with the command that fixes it:
 *   - the environment's wrangler.toml section: no placeholder left (REPLACE_WITH_…, example.com),
 *     Access configured (AUTH_MODE=access, ACCESS_TEAM_DOMAIN, ACCESS_AUD), no workers.dev or
 *     preview URL, routes for /api/* and /webhooks/* on one host, observability on;
 *   - the Worker's secrets (`wrangler secret list --env …`);
 *   - `dist/app` built and self-contained (npm run build).
 * `--dry-run` checks the configuration offline, bundles the Worker as `wrangler deploy --dry-run`
 * does and checks the app's Pages output, and prints what a real deploy would still refuse; it
 * needs no Cloudflare account (CI runs it).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./lib/stack";
import { readAppConfig } from "./lib/pages-output";
import { appFindings, configFindings, PAGES_PROJECT, secretFindings, wrangler, type Finding } from "./lib/deploy-preflight";

function report(findings: readonly Finding[]): string {
  return findings.map((f) => `  ✗ ${f.problem}\n      fix: ${f.fix}`).join("\n");
}

async function main(argv: string[]): Promise<number> {
  const envIndex = argv.indexOf("--env");
  const env = envIndex >= 0 ? argv[envIndex + 1] : argv.find((a) => a.startsWith("--env="))?.slice("--env=".length);
  const dryRun = argv.includes("--dry-run");
  if (env !== "staging" && env !== "production") {
    console.error("usage: npm run deploy -- --env staging|production [--dry-run]\nThe top level of wrangler.toml is for local runs only; a deploy names its environment.");
    return 2;
  }
  console.log(`Stackroom → ${env}${dryRun ? " (dry run: offline checks and bundles, nothing is uploaded)" : ""}`);
  const findings = [...configFindings(env), ...(await appFindings()), ...(dryRun ? [] : secretFindings(env))];

  // The Worker as wrangler would upload it for this environment (bindings, routes, minify, source maps).
  const out = mkdtempSync(join(tmpdir(), `stackroom-deploy-${env}-`));
  try {
    const bundled = wrangler(["deploy", "--env", env, "--dry-run", "--outdir", out], { capture: true });
    if (bundled.status !== 0) {
      console.error(`wrangler deploy --dry-run --env ${env} failed:\n${bundled.stderr || bundled.stdout}`);
      return 1;
    }
    console.log(`  ✓ the Worker bundles for ${env} (${bundled.stdout.match(/Total Upload: ([^\n]+)/)?.[1] ?? "size unknown"})`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  const pages = readAppConfig(ROOT);
  console.log(`  ✓ the app is a Pages project (output ${pages.pagesBuildOutputDir.replace(`${ROOT}/`, "")}, ${pages.compatibilityDate}); it deploys as ${PAGES_PROJECT[env]}`);

  if (findings.length > 0) {
    if (dryRun) {
      console.log(`A real deploy to ${env} would refuse until these are fixed:\n${report(findings)}\n(secrets are checked only by a real deploy: they need a Cloudflare account)`);
      return 0;
    }
    console.error(`Refusing to deploy to ${env}:\n${report(findings)}`);
    return 1;
  }
  if (dryRun) {
    console.log(`Ready to deploy to ${env}.`);
    return 0;
  }

  console.log("Deploying the Worker…");
  if (wrangler(["deploy", "--env", env]).status !== 0) return 1;
  console.log("Deploying the app…");
  // From app/, so wrangler reads app/wrangler.toml (its compatibility settings) and not the Worker's.
  if (wrangler(["pages", "deploy", "../dist/app", "--project-name", PAGES_PROJECT[env], "--branch", "main", "--commit-dirty=true"], { cwd: join(ROOT, "app") }).status !== 0) {
    console.error(`The Worker is deployed, the app is not: fix the error above and run npm run deploy -- --env ${env} again (the Worker deploy is repeatable).`);
    return 1;
  }
  const version = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
  console.log(`Deployed ${version} to ${env}.
  Check:     npm run ops -- health --deep   (STACKROOM_URL of ${env}, its OPS_TOKEN and Access service token)
  Logs:      npx wrangler tail --env ${env} --format json
  Roll back: npx wrangler versions list --env ${env}; npx wrangler rollback <version-id> --env ${env}
             the app: Pages → ${PAGES_PROJECT[env]} → Deployments → Rollback`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
