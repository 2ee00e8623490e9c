import type { ResourceKind } from "../../core/contract";
import { kindFacts } from "../../core/kinds";
import type { KindModule } from "./kind";
import { bucketKind } from "./bucket";
import { userKind } from "./user";
import { sftpKind } from "./sftp";

/**
 * Every resource kind the room manages: the built-in modules, then any registered at run time (a
 * test's extra kind proves a kind is a plugin). Adding a kind is adding its module here (and its
 * row of the kind table, contract, template, routes and app panel); the room's operation, queue,
 * healing and views name no kind (README "Adding a resource kind" lists what does). The room finds a kind's module here by its key, wherever the key comes from (a
 * route, a stored row, a stack name).
 */
const BUILT_IN: Record<ResourceKind, KindModule> = {
  bucket: bucketKind,
  user: userKind,
  sftp: sftpKind,
};

const registered = new Map<string, KindModule>();

/**
 * Adds a kind's module at run time. Its row must be in the kind table first (core/kinds.ts
 * `registerKind`: naming and the lists' keys come from there); a kind is registered once.
 */
export function registerKindModule(module: KindModule): void {
  if (!kindFacts(module.kind)) throw new Error(`The kind ${module.kind} has no row in the kind table: register it with core/kinds.ts registerKind first.`);
  if (kindModule(module.kind)) throw new Error(`The kind ${module.kind} has a module already.`);
  registered.set(module.kind, module);
}

/** The module of a kind, built in or registered; undefined for a kind the room does not know. */
export function kindModule(kind: string): KindModule | undefined {
  return Object.hasOwn(BUILT_IN, kind) ? BUILT_IN[kind as ResourceKind] : registered.get(kind);
}

/** The module of a kind the room was handed as known (a route's checked kind, a key read back through `isKnownKind`). */
export function moduleOf(kind: ResourceKind): KindModule {
  const module = kindModule(kind);
  if (!module) throw new Error(`No module for the kind ${kind}.`);
  return module;
}

/** Whether text read back (a stored row's kind) names a kind with a module; a registered kind's key passes as a ResourceKind. */
export function isKnownKind(kind: unknown): kind is ResourceKind {
  return typeof kind === "string" && kindModule(kind) !== undefined;
}

/** Every kind's module: the built-ins in the kind table's order, then the registered ones. */
export function kindList(): KindModule[] {
  return [...Object.values(BUILT_IN), ...registered.values()];
}
