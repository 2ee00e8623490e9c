import { posix } from "node:path";
import ssh2 from "ssh2";
import type { LocalS3 } from "./local-s3";
import type { Mapping, SftpUser } from "./local-sftp-user";

/**
 * What one SFTP user sees, as Transfer Family shows a LOGICAL home over S3: `/` and the folders
 * above the mapping entries are virtual; under an entry, paths are S3 keys of the mapped bucket
 * and prefix. Each operation is allowed exactly when the user's grants allow the S3 call behind
 * it (list: s3:ListBucket with that prefix; read: s3:GetObject; write and delete: s3:PutObject /
 * s3:DeleteObject; rename: copy, which reads the source, then delete). Folders are key prefixes;
 * mkdir writes the empty `folder/` object, as Transfer Family does.
 */

const { STATUS_CODE } = ssh2.utils.sftp;

export class SftpStatus extends Error {
  override name = "SftpStatus";
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const denied = (what: string) => new SftpStatus(STATUS_CODE.PERMISSION_DENIED, `Permission denied: ${what}`);
const missing = (path: string) => new SftpStatus(STATUS_CODE.NO_SUCH_FILE, `No such file or directory: ${path}`);
const failure = (message: string) => new SftpStatus(STATUS_CODE.FAILURE, message);

export interface Entry {
  name: string;
  kind: "file" | "folder";
  size: number;
  modified: Date;
}

type Place =
  | { kind: "virtual"; path: string; children: string[] }
  | { kind: "backed"; path: string; mapping: Mapping; bucket: string; key: string; root: boolean };

/** `a/../b//c/` -> `/b/c`: absolute, no `.`/`..`, no trailing slash. */
export function normalise(path: string): string {
  const resolved = posix.resolve("/", path);
  return resolved.length > 1 ? resolved.replace(/\/+$/, "") : "/";
}

const isUnder = (path: string, entry: string) => entry === "/" || path === entry || path.startsWith(`${entry}/`);

export class SftpFileSystem {
  constructor(
    private readonly user: SftpUser,
    private readonly s3: LocalS3,
    private readonly maxObjectBytes: number,
  ) {}

  /** Where `path` leads: a virtual folder, a place in a mapped bucket, or nowhere (throws). */
  locate(rawPath: string): Place {
    const path = normalise(rawPath);
    const mapping = this.user.mappings.filter((m) => isUnder(path, m.entry)).sort((a, b) => b.entry.length - a.entry.length)[0];
    if (mapping) {
      const rest = mapping.entry === "/" ? path.slice(1) : path.slice(mapping.entry.length + 1);
      const root = rest === "";
      return { kind: "backed", path, mapping, bucket: mapping.bucket, key: root ? mapping.prefix.replace(/\/$/, "") : `${mapping.prefix}${rest}`, root };
    }
    const below = this.user.mappings.map((m) => m.entry).filter((entry) => path === "/" || entry.startsWith(`${path}/`));
    if (below.length === 0) throw missing(path);
    const depth = path === "/" ? 0 : path.split("/").length - 1;
    const children = [...new Set(below.map((entry) => entry.split("/")[depth + 1] ?? ""))].filter((c) => c !== "").sort();
    return { kind: "virtual", path, children };
  }

  /** The folder prefix a backed folder lists: `` or `in/`. */
  private folderPrefix(place: Extract<Place, { kind: "backed" }>): string {
    return place.root ? place.mapping.prefix : `${place.key}/`;
  }

  async stat(rawPath: string): Promise<Entry> {
    const place = this.locate(rawPath);
    const name = posix.basename(place.path) || "/";
    if (place.kind === "virtual" || place.root) return { name, kind: "folder", size: 0, modified: new Date(0) };
    if (!this.user.mayList(place.bucket, place.key)) throw denied(place.path);
    const found = await this.s3.listFolder(place.bucket, place.key);
    const file = found.files.find((f) => f.key === place.key);
    if (file) return { name, kind: "file", size: file.size, modified: file.modified };
    if (found.folders.includes(`${place.key}/`)) return { name, kind: "folder", size: 0, modified: new Date(0) };
    throw missing(place.path);
  }

  async list(rawPath: string): Promise<Entry[]> {
    const place = this.locate(rawPath);
    if (place.kind === "virtual") return place.children.map((name) => ({ name, kind: "folder", size: 0, modified: new Date(0) }));
    const entry = await this.stat(place.path);
    if (entry.kind !== "folder") throw failure(`Not a directory: ${place.path}`);
    const prefix = this.folderPrefix(place);
    if (!this.user.mayList(place.bucket, prefix)) throw denied(place.path);
    const folder = await this.s3.listFolder(place.bucket, prefix);
    return [
      ...folder.folders.map((p): Entry => ({ name: p.slice(prefix.length, -1), kind: "folder", size: 0, modified: new Date(0) })),
      ...folder.files.filter((f) => f.key !== prefix).map((f): Entry => ({ name: f.key.slice(prefix.length), kind: "file", size: f.size, modified: f.modified })),
    ].filter((e) => e.name !== "");
  }

  /** The object at `path` for reading, whole (downloads are buffered; see maxObjectBytes). */
  async read(rawPath: string): Promise<Uint8Array> {
    const place = this.file(rawPath);
    if (!this.user.may("read", place.bucket, place.key)) throw denied(place.path);
    const entry = await this.stat(place.path);
    if (entry.kind !== "file") throw failure(`Not a file: ${place.path}`);
    if (entry.size > this.maxObjectBytes) throw failure(`The local SFTP stand-in serves files up to ${this.maxObjectBytes} bytes.`);
    return this.s3.getObject(place.bucket, place.key);
  }

  /** Checks an upload may start at `path`; the body is written by write(). */
  assertWritable(rawPath: string): { bucket: string; key: string } {
    const place = this.file(rawPath);
    if (!this.user.may("write", place.bucket, place.key)) throw denied(place.path);
    return { bucket: place.bucket, key: place.key };
  }

  async write(target: { bucket: string; key: string }, body: Uint8Array): Promise<void> {
    await this.s3.putObject(target.bucket, target.key, body);
  }

  async remove(rawPath: string): Promise<void> {
    const place = this.file(rawPath);
    if (!this.user.may("write", place.bucket, place.key)) throw denied(place.path);
    if ((await this.stat(place.path)).kind !== "file") throw failure(`Not a file: ${place.path}`);
    await this.s3.deleteObject(place.bucket, place.key);
  }

  async mkdir(rawPath: string): Promise<void> {
    const place = this.file(rawPath);
    if (!this.user.may("write", place.bucket, `${place.key}/`)) throw denied(place.path);
    const exists = await this.stat(place.path).then(() => true, (err: unknown) => (err instanceof SftpStatus && err.code === STATUS_CODE.NO_SUCH_FILE ? false : Promise.reject(err)));
    if (exists) throw failure(`Already exists: ${place.path}`);
    await this.s3.putObject(place.bucket, `${place.key}/`, new Uint8Array());
  }

  async rmdir(rawPath: string): Promise<void> {
    const place = this.file(rawPath);
    if (!this.user.may("write", place.bucket, `${place.key}/`)) throw denied(place.path);
    const contents = await this.list(place.path);
    if (contents.length > 0) throw failure(`Directory not empty: ${place.path}`);
    await this.s3.deleteObject(place.bucket, `${place.key}/`);
  }

  async rename(rawFrom: string, rawTo: string): Promise<void> {
    const from = this.file(rawFrom);
    const to = this.file(rawTo);
    if (from.bucket !== to.bucket) throw new SftpStatus(STATUS_CODE.OP_UNSUPPORTED, "Renaming works within one bucket only.");
    const allowed = this.user.may("read", from.bucket, from.key) && this.user.may("write", from.bucket, from.key) && this.user.may("write", to.bucket, to.key);
    if (!allowed) throw denied(`${from.path} -> ${to.path}`);
    if ((await this.stat(from.path)).kind !== "file") throw new SftpStatus(STATUS_CODE.OP_UNSUPPORTED, "Only files can be renamed.");
    const taken = await this.stat(to.path).then(() => true, () => false);
    if (taken) throw failure(`Already exists: ${to.path}`);
    await this.s3.copyObject(from.bucket, from.key, to.key);
    await this.s3.deleteObject(from.bucket, from.key);
  }

  /** A place inside a mapped bucket that can be a file: not `/`, not a virtual folder, not an entry itself. */
  private file(rawPath: string): Extract<Place, { kind: "backed" }> {
    const place = this.locate(rawPath);
    if (place.kind === "virtual" || place.root) throw denied(place.path);
    return place;
  }
}
