// Proves every template Stackroom produces (bucket and user spec variants, users with SFTP, the SFTP server, and the bridge stack) passes the AWS Control Tower proactive controls (cfn-guard), except for findings waived with a reason in guard-waivers.ts, and that no waiver is stale.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as z from "zod";
import { bucketTemplate } from "../core/bucket-template";
import type { BucketSpec } from "../core/contract/bucket";
import type { UserSpec } from "../core/contract/user";
import { KIND_KEYS } from "../core/kinds";
import { physicalBucketName } from "../core/naming";
import { sftpServerTemplate } from "../core/sftp-server-template";
import { userTemplate } from "../core/user-template";
import { GUARD_WAIVERS, type TemplateFamily } from "./guard-waivers";
import { bridgeTemplatePath } from "../test/aws-bridge/bridge-template";

const guardPackage = dirname(createRequire(import.meta.url).resolve("@cdklabs/cdk-validator-cfnguard/package.json"));
const rules = join(guardPackage, "rules", "control-tower", "cfn-guard");

/** The cfn-guard binary the package ships for this machine. */
function guardBinary(): string {
  const os = { linux: "ubuntu", darwin: "macos" }[process.platform as string];
  const arch = { x64: "x86_64", arm64: "aarch64" }[process.arch as string];
  if (!os || !arch) throw new Error(`@cdklabs/cdk-validator-cfnguard ships no cfn-guard for ${process.platform}/${process.arch}`);
  return join(guardPackage, "bin", os, arch, "cfn-guard");
}

const project = { projectId: "demo", accountId: "111111111111", region: "eu-west-1" };
const physicalName = physicalBucketName(project.projectId, project.accountId, project.region, "uploads");
const projectKey = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const bucket = (spec: BucketSpec, kmsKeyArn?: string) =>
  bucketTemplate({ projectId: project.projectId, name: "uploads", physicalName, spec, eventsTopicArn: `arn:aws:sns:${project.region}:${project.accountId}:stackroom-demo-events`, ...(kmsKeyArn ? { kmsKeyArn } : {}) });
// A public key (ssh-keygen -t ed25519); the guard only reads the template around it.
const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOrqTQvPVMu6nFljji66stLURQIBidk7Mndz752nKraM guard@check";
const user = (permissions: UserSpec["permissions"], expiresAt: string | null = null, sftp = false) =>
  userTemplate({ ...project, name: "partner", spec: { description: "Guard check", permissions, expiresAt, sftp: sftp ? { sshPublicKeys: [KEY] } : null } });
const manyGrants = Array.from({ length: 8 }, (_, i) => ({ bucket: `bucket-${i}`, access: (["read", "write", "readwrite"] as const)[i % 3] ?? "read", ...(i % 2 ? { prefix: `p${i}/` } : {}) }));

const variants: { name: string; family: TemplateFamily; body: string }[] = [
  { name: "bucket s3 versioned", family: "bucket", body: bucket({ versioning: true, encryption: "s3", expireAfterDays: null }) },
  { name: "bucket s3 unversioned expiring", family: "bucket", body: bucket({ versioning: false, encryption: "s3", expireAfterDays: 30 }) },
  { name: "bucket kms (project key) versioned expiring", family: "bucket", body: bucket({ versioning: true, encryption: "kms", expireAfterDays: 365 }, projectKey) },
  { name: "bucket kms (aws/s3) unversioned", family: "bucket", body: bucket({ versioning: false, encryption: "kms", expireAfterDays: null }) },
  { name: "user no grants", family: "user", body: user([]) },
  { name: "user read-only", family: "user", body: user([{ bucket: "reports", access: "read" }]) },
  {
    name: "user prefixes expiring",
    family: "user",
    body: user([{ bucket: "uploads", access: "write", prefix: "in/" }, { bucket: "uploads", access: "read", prefix: "out/" }], "2030-01-01T00:00:00Z"),
  },
  { name: "user many grants", family: "user", body: user(manyGrants) },
  { name: "user sftp no grants", family: "user", body: user([], null, true) },
  { name: "user sftp read-only", family: "user", body: user([{ bucket: "reports", access: "read" }], null, true) },
  {
    name: "user sftp prefixes expiring",
    family: "user",
    body: user([{ bucket: "uploads", access: "write", prefix: "in/" }, { bucket: "uploads", access: "read", prefix: "out/" }], "2030-01-01T00:00:00Z", true),
  },
  { name: "user sftp many grants", family: "user", body: user(manyGrants, null, true) },
  { name: "sftp server", family: "sftp", body: sftpServerTemplate(project) },
];

const workDir = mkdtempSync(join(tmpdir(), "stackroom-guard-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const GuardReport = z.array(z.object({ name: z.string(), status: z.string(), not_compliant: z.array(z.unknown()) }));

interface Finding {
  variant: string;
  family: TemplateFamily;
  control: string;
  resource: string;
}

/** One finding per (control, logical resource) that a failed rule names anywhere in its checks. */
function findingsOf(entry: unknown, variant: { name: string; family: TemplateFamily }): Finding[] {
  const text = JSON.stringify(entry);
  const control = /\[(CT\.[A-Z0-9]+\.PR\.\d+)\]/.exec(text)?.[1] ?? `unknown control in ${text.slice(0, 200)}`;
  const resources = [...new Set([...text.matchAll(/"\/Resources\/([A-Za-z0-9]+)/g)].map((m) => m[1] ?? ""))];
  return (resources.length > 0 ? resources : ["(template)"]).map((resource) => ({ variant: variant.name, family: variant.family, control, resource }));
}

function runGuard(): Finding[] {
  const files = new Map<string, { name: string; family: TemplateFamily }>([[bridgeTemplatePath, { name: "bridge", family: "bridge" }]]);
  for (const v of variants) {
    const file = join(workDir, `${v.name.replace(/[^a-z0-9]+/g, "-")}.json`);
    writeFileSync(file, v.body);
    files.set(file, v);
  }
  const guard = spawnSync(guardBinary(), ["validate", "--rules", rules, ...[...files.keys()].flatMap((f) => ["--data", f]), "--structured", "--output-format", "json", "--show-summary", "none"], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  // cfn-guard exits 19 when a rule fails, 0 when all pass; anything else is a broken run.
  if (guard.status !== 0 && guard.status !== 19) throw new Error(`cfn-guard exited ${guard.status}: ${guard.stderr}`);
  const report = GuardReport.parse(JSON.parse(guard.stdout));
  const missing = [...files.keys()].filter((f) => !report.some((r) => r.name === f));
  if (missing.length > 0) throw new Error(`cfn-guard did not report on ${missing.join(", ")}`);
  return report.flatMap((r) => {
    const variant = files.get(r.name);
    if (!variant) throw new Error(`cfn-guard reported on an unknown file ${r.name}`);
    return r.not_compliant.flatMap((entry) => findingsOf(entry, variant));
  });
}

const waiverVariants = (w: (typeof GUARD_WAIVERS)[number]) => w.variants ?? (w.family === "bridge" ? ["bridge"] : variants.filter((v) => v.family === w.family).map((v) => v.name));
const covers = (w: (typeof GUARD_WAIVERS)[number], f: Finding) =>
  w.family === f.family && w.control === f.control && w.resource === f.resource && waiverVariants(w).includes(f.variant);

describe("AWS Control Tower proactive controls (cfn-guard)", () => {
  let findings: Finding[] = [];
  beforeAll(() => {
    findings = runGuard();
  }, 60_000);

  it("has a reviewed waiver for every finding in every template", () => {
    expect(findings.filter((f) => !GUARD_WAIVERS.some((w) => covers(w, f)))).toEqual([]);
  });

  it("has no stale waiver: each still matches a finding in every template it names", () => {
    const stale = GUARD_WAIVERS.flatMap((w) =>
      waiverVariants(w)
        .filter((variant) => !findings.some((f) => f.variant === variant && covers(w, f)))
        .map((variant) => `${w.control} ${w.resource} in ${variant}`),
    );
    expect(stale).toEqual([]);
  });

  it("checks a template of every kind of the kind table (a new kind's template cannot be left out)", () => {
    for (const kind of KIND_KEYS) expect(variants.some((v) => v.family === kind), kind).toBe(true);
  });

  it("names only variants that exist, and gives every waiver a reason", () => {
    const names = new Set(["bridge", ...variants.map((v) => v.name)]);
    for (const w of GUARD_WAIVERS) {
      for (const v of waiverVariants(w)) expect(names.has(v), v).toBe(true);
      expect(w.reason.length).toBeGreaterThan(40);
    }
  });

  it("ran the rule packs for real: the bucket templates pass the TLS-only and public-access controls", () => {
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.filter((f) => ["CT.S3.PR.1", "CT.S3.PR.8"].includes(f.control))).toEqual([]);
  });
});
