// Proves the layering holds: core/ imports nothing of ours outside it; the rooms, the bridge and the app point down to core/ and never at the Worker; the Worker reaches the rooms only through its entry (which exports the Durable Object classes); no runtime import circle anywhere; a kind module imports no other kind and not the orchestrator.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { posix } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const PARTS = ["core", "worker", "durable-objects", "aws-bridge", "app/src"];

interface Edge {
  from: string;
  to: string;
  /** Only types cross (erased at build: no module is loaded). */
  typeOnly: boolean;
}

/** The modules of the parts; with `tests`, their test files too. */
function sources(tests = false): string[] {
  return execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", ...PARTS], { encoding: "utf8" })
    .split("\n")
    .filter((f) => /\.(ts|svelte)$/.test(f) && (tests || !/\.test\.ts$/.test(f)) && !/\.d\.ts$/.test(f) && existsSync(f));
}

/** The app's aliases (app/svelte.config.js), so its imports through them are seen. */
const ALIASES: Array<[string, string]> = [
  ["$lib", "app/src/lib"],
  ["$contract", "core/contract"],
  ["$core", "core"],
];

function resolve(from: string, spec: string): string | null {
  const alias = ALIASES.find(([name]) => spec === name || spec.startsWith(`${name}/`));
  const path = alias ? `${alias[1]}${spec.slice(alias[0].length)}` : spec.startsWith(".") ? posix.join(posix.dirname(from), spec) : null;
  if (path === null) return null;
  const base = posix.normalize(path);
  for (const ext of ["", ".ts", ".svelte", "/index.ts"]) {
    if (existsSync(base + ext) && statSync(base + ext).isFile()) return base + ext;
  }
  return null;
}

/** The script of a .svelte file (what imports there are), or the whole .ts file. */
function code(file: string): string {
  const text = readFileSync(file, "utf8");
  if (!file.endsWith(".svelte")) return text;
  return [...text.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? "").join("\n");
}

function edges(tests = false): Edge[] {
  const out: Edge[] = [];
  for (const file of sources(tests)) {
    const source = ts.createSourceFile(file, code(file), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    for (const node of source.statements) {
      if ((!ts.isImportDeclaration(node) && !ts.isExportDeclaration(node)) || !node.moduleSpecifier || !ts.isStringLiteral(node.moduleSpecifier)) continue;
      const to = resolve(file, node.moduleSpecifier.text);
      if (!to) continue;
      let typeOnly: boolean;
      if (ts.isImportDeclaration(node)) {
        const clause = node.importClause;
        const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
        typeOnly = Boolean(clause?.isTypeOnly || (clause && !clause.name && named && named.length > 0 && named.every((e) => e.isTypeOnly)));
      } else {
        const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
        typeOnly = node.isTypeOnly || Boolean(named && named.length > 0 && named.every((e) => e.isTypeOnly));
      }
      out.push({ from: file, to, typeOnly });
    }
  }
  return out;
}

const partOf = (file: string) => PARTS.find((p) => file.startsWith(`${p}/`)) ?? file;

/** Strongly connected groups of more than one module (Tarjan), over runtime imports. */
function circles(all: Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of all) if (!e.typeOnly) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string | undefined;
    do {
      w = stack.pop();
      if (w === undefined) break;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1) found.push(group.sort());
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe("the import graph", () => {
  const all = edges();

  it("reads the project's imports (a broken reader would pass every rule below)", () => {
    expect(all.length).toBeGreaterThan(300);
    expect(all.some((e) => e.from === "durable-objects/kinds/index.ts" && e.to === "durable-objects/kinds/bucket.ts" && !e.typeOnly)).toBe(true);
    // The app's imports through its aliases are followed too.
    expect(all.some((e) => e.from.startsWith("app/src/") && e.to.startsWith("core/"))).toBe(true);
  });

  it("has no runtime import circle", () => {
    expect(circles(all)).toEqual([]);
  });

  it("keeps core/ below everything: it imports nothing of ours outside it, nor do its tests (test helpers aside)", () => {
    expect(all.filter((e) => partOf(e.from) === "core" && partOf(e.to) !== "core")).toEqual([]);
    expect(edges(true).filter((e) => partOf(e.from) === "core" && partOf(e.to) !== "core" && PARTS.includes(partOf(e.to)))).toEqual([]);
  });

  it("lets the rooms, the bridge and the app point down to core/ only, and the Worker reach the rooms only from its entry", () => {
    const across = all.filter((e) => partOf(e.from) !== partOf(e.to) && partOf(e.to) !== "core");
    const allowed = (e: Edge) => partOf(e.from) === "worker" && partOf(e.to) === "durable-objects" && (e.from === "worker/index.ts" || e.typeOnly);
    expect(across.filter((e) => !allowed(e))).toEqual([]);
  });

  it("keeps every kind module to itself: no other kind, not the orchestrator, not the registry", () => {
    const kinds = sources().filter((f) => /^durable-objects\/kinds\/[^/]+\.ts$/.test(f) && !/\/(index|kind|kit)\.ts$/.test(f));
    expect(kinds.length).toBeGreaterThanOrEqual(3);
    const allowed = new Set(["durable-objects/kinds/kind.ts", "durable-objects/kinds/kit.ts", "durable-objects/room-error.ts", "durable-objects/room-context.ts"]);
    // A kind may be more than one file: kinds/user.ts and its own kinds/user-*.ts (one concept each).
    const kindOf = (file: string) => /^durable-objects\/kinds\/([a-z]+)[-.]/.exec(file)?.[1];
    const ownPart = (e: Edge) => kinds.includes(e.to) && kindOf(e.from) === kindOf(e.to);
    const bad = all.filter((e) => kinds.includes(e.from) && partOf(e.to) === "durable-objects" && !allowed.has(e.to) && !ownPart(e));
    expect(bad).toEqual([]);
    // The room's port is seen as types only.
    expect(all.filter((e) => kinds.includes(e.from) && e.to === "durable-objects/room-context.ts" && !e.typeOnly)).toEqual([]);
  });
});
