import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import ssh2, { type AuthContext, type Connection, type SFTPWrapper } from "ssh2";
import { queryClient } from "../core/aws";
import { keyFingerprint } from "../core/contract/ssh-key";
import { assumeProjectAccount, assumeRoleLocally } from "./local-bootstrap";
import { localS3 } from "./local-s3";
import { normalise, SftpFileSystem, SftpStatus, type Entry } from "./local-sftp-fs";
import { loadSftpUser, type SftpUser } from "./local-sftp-user";

/**
 * The local stand-in for AWS Transfer Family, as the local adapter is for SNS -> Lambda: an SFTP
 * server (ssh2) that knows a user only from its deployed user stack in moto's CloudFormation,
 * read at login so a user created a second ago can sign in at once. Public-key authentication
 * only, with the AWS::Transfer::User's keys; the user sees its logical home mappings and nothing
 * else, backed by moto's S3 with the rights its grants give (local-sftp-fs.ts).
 *
 * Uploads are buffered in memory and written with one PutObject on close, downloads read whole
 * on open: both capped at `maxObjectBytes` (64 MiB by default), plenty for local work.
 */

interface LocalSftpOptions {
  /** 0: any free port. */
  port: number;
  host?: string;
  motoEndpoint: string;
  projectId: string;
  accountId: string;
  region: string;
  /**
   * Where the host key lives between starts (created on first start, e.g. `.dev/sftp-host-key`),
   * so clients do not see a new host key each time. Absent: a fresh key per start.
   */
  hostKeyFile?: string;
  maxObjectBytes?: number;
  log?: (message: string) => void;
}

export interface LocalSftp {
  port: number;
  /** `SHA256:…` of the host key, as `ssh` shows it on first connection. */
  hostKeyFingerprint: string;
  /** The public host key, `type base64`, as a known_hosts line has it after the host. */
  hostKey: string;
  stop(): Promise<void>;
}

const { STATUS_CODE, OPEN_MODE } = ssh2.utils.sftp;
const DEFAULT_MAX_OBJECT_BYTES = 64 * 1024 * 1024;
const READDIR_BATCH = 100;

/**
 * A fresh ed25519 pair that ssh2 itself can read back. ssh2 1.x's generateKeyPairSync("ed25519")
 * now and then writes a private key its own parseKey calls malformed (11 in 3,000 here); the
 * server then fails to start ("Cannot parse privateKey"), so such a pair is made again.
 */
function parseableKeyPair(): { private: string; public: string } {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pair = ssh2.utils.generateKeyPairSync("ed25519");
    if (!(ssh2.utils.parseKey(pair.private) instanceof Error)) return pair;
  }
  throw new Error("Could not generate a readable ed25519 host key.");
}

function hostKey(file: string | undefined): { privateKey: string; publicKey: string } {
  if (file && existsSync(file)) {
    const parsed = ssh2.utils.parseKey(readFileSync(file, "utf8"));
    if (parsed instanceof Error) throw new Error(`Unreadable SFTP host key in ${file}: ${parsed.message}`);
    return { privateKey: readFileSync(file, "utf8"), publicKey: `${parsed.type} ${parsed.getPublicSSH().toString("base64")}` };
  }
  const pair = parseableKeyPair();
  if (file) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, pair.private, { mode: 0o600 });
  }
  return { privateKey: pair.private, publicKey: pair.public };
}

const FOLDER_MODE = 0o040755;
const FILE_MODE = 0o100644;

function attrsOf(entry: Entry) {
  const seconds = Math.floor(entry.modified.getTime() / 1000);
  return { mode: entry.kind === "folder" ? FOLDER_MODE : FILE_MODE, uid: 0, gid: 0, size: entry.size, atime: seconds, mtime: seconds };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** The `ls -l` line OpenSSH's sftp prints for a long listing. */
function longname(entry: Entry): string {
  const d = entry.modified;
  const when = `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}`;
  const mode = entry.kind === "folder" ? "drwxr-xr-x" : "-rw-r--r--";
  return `${mode}    1 sftp     sftp     ${String(entry.size).padStart(10, " ")} ${when} ${entry.name}`;
}

type Handle =
  | { kind: "read"; body: Uint8Array; entry: Entry }
  | { kind: "write"; target: { bucket: string; key: string }; chunks: Buffer; size: number; name: string }
  | { kind: "dir"; entries: Entry[]; sent: boolean };

/** Serves one authenticated user's SFTP session. */
function serveSftp(sftp: SFTPWrapper, fs: SftpFileSystem, maxObjectBytes: number, log: (message: string) => void): void {
  const handles = new Map<string, Handle>();
  let next = 0;
  const open = (handle: Handle) => {
    const id = Buffer.from(String(++next));
    handles.set(id.toString(), handle);
    return id;
  };
  /** Runs `work`; a refusal becomes its SFTP status, anything else a FAILURE. */
  const answer = (reqId: number, work: () => Promise<void>) => {
    work().catch((err: unknown) => {
      if (err instanceof SftpStatus) return sftp.status(reqId, err.code, err.message);
      log(`request failed: ${err instanceof Error ? err.message : String(err)}`);
      sftp.status(reqId, STATUS_CODE.FAILURE, "The request failed.");
    });
  };
  const handleOf = (id: Buffer) => handles.get(id.toString());
  // The client's EOF ends the session; closing our side lets `sftp -b` exit.
  sftp.once("end", () => sftp.end());
  const stat = (reqId: number, path: string) => answer(reqId, async () => sftp.attrs(reqId, attrsOf(await fs.stat(path))));

  // Home is `/` (LOGICAL), so `.` and relative paths resolve from there; the path need not exist.
  sftp.on("REALPATH", (reqId, path) => {
    const absolute = normalise(path === "" ? "." : path);
    sftp.name(reqId, [{ filename: absolute, longname: absolute, attrs: attrsOf({ name: absolute, kind: "folder", size: 0, modified: new Date(0) }) }]);
  });
  sftp.on("STAT", stat);
  sftp.on("LSTAT", stat);
  sftp.on("OPENDIR", (reqId, path) => answer(reqId, async () => sftp.handle(reqId, open({ kind: "dir", entries: await fs.list(path), sent: false }))));
  sftp.on("READDIR", (reqId, id) => {
    const handle = handleOf(id);
    if (handle?.kind !== "dir") return sftp.status(reqId, STATUS_CODE.FAILURE, "Not a directory handle.");
    if (handle.entries.length === 0) return sftp.status(reqId, STATUS_CODE.EOF);
    const batch = handle.entries.splice(0, READDIR_BATCH);
    sftp.name(reqId, batch.map((entry) => ({ filename: entry.name, longname: longname(entry), attrs: attrsOf(entry) })));
  });
  sftp.on("OPEN", (reqId, path, flags) => answer(reqId, async () => {
    if (flags & OPEN_MODE.WRITE) {
      if (flags & OPEN_MODE.READ) throw new SftpStatus(STATUS_CODE.OP_UNSUPPORTED, "Open a file for reading or for writing, not both.");
      const target = fs.assertWritable(path);
      sftp.handle(reqId, open({ kind: "write", target, chunks: Buffer.alloc(0), size: 0, name: path }));
      return;
    }
    const body = await fs.read(path);
    sftp.handle(reqId, open({ kind: "read", body, entry: await fs.stat(path) }));
  }));
  sftp.on("READ", (reqId, id, offset, length) => {
    const handle = handleOf(id);
    if (handle?.kind !== "read") return sftp.status(reqId, STATUS_CODE.FAILURE, "Not a file opened for reading.");
    if (offset >= handle.body.length) return sftp.status(reqId, STATUS_CODE.EOF);
    sftp.data(reqId, Buffer.from(handle.body.subarray(offset, Math.min(offset + length, handle.body.length))));
  });
  sftp.on("WRITE", (reqId, id, offset, data) => {
    const handle = handleOf(id);
    if (handle?.kind !== "write") return sftp.status(reqId, STATUS_CODE.FAILURE, "Not a file opened for writing.");
    const end = offset + data.length;
    if (end > maxObjectBytes) return sftp.status(reqId, STATUS_CODE.FAILURE, `The local SFTP stand-in takes files up to ${maxObjectBytes} bytes.`);
    if (end > handle.chunks.length) {
      const grown = Buffer.alloc(Math.min(maxObjectBytes, Math.max(end, handle.chunks.length * 2)));
      handle.chunks.copy(grown, 0, 0, handle.size);
      handle.chunks = grown;
    }
    data.copy(handle.chunks, offset);
    handle.size = Math.max(handle.size, end);
    sftp.status(reqId, STATUS_CODE.OK);
  });
  sftp.on("FSTAT", (reqId, id) => {
    const handle = handleOf(id);
    if (handle?.kind === "read") return sftp.attrs(reqId, attrsOf(handle.entry));
    if (handle?.kind === "write") return sftp.attrs(reqId, attrsOf({ name: handle.name, kind: "file", size: handle.size, modified: new Date() }));
    sftp.status(reqId, STATUS_CODE.FAILURE, "Unknown handle.");
  });
  // S3 keeps no modes or times of ours; accepting them keeps `sftp -p` and rclone quiet.
  sftp.on("FSETSTAT", (reqId) => sftp.status(reqId, STATUS_CODE.OK));
  sftp.on("SETSTAT", (reqId, path) => answer(reqId, async () => {
    await fs.stat(path);
    sftp.status(reqId, STATUS_CODE.OK);
  }));
  sftp.on("CLOSE", (reqId, id) => answer(reqId, async () => {
    const handle = handleOf(id);
    handles.delete(id.toString());
    if (!handle) throw new SftpStatus(STATUS_CODE.FAILURE, "Unknown handle.");
    if (handle.kind === "write") await fs.write(handle.target, handle.chunks.subarray(0, handle.size));
    sftp.status(reqId, STATUS_CODE.OK);
  }));
  sftp.on("REMOVE", (reqId, path) => answer(reqId, async () => {
    await fs.remove(path);
    sftp.status(reqId, STATUS_CODE.OK);
  }));
  sftp.on("MKDIR", (reqId, path) => answer(reqId, async () => {
    await fs.mkdir(path);
    sftp.status(reqId, STATUS_CODE.OK);
  }));
  sftp.on("RMDIR", (reqId, path) => answer(reqId, async () => {
    await fs.rmdir(path);
    sftp.status(reqId, STATUS_CODE.OK);
  }));
  sftp.on("RENAME", (reqId, from, to) => answer(reqId, async () => {
    await fs.rename(from, to);
    sftp.status(reqId, STATUS_CODE.OK);
  }));
  for (const unsupported of ["READLINK", "SYMLINK", "EXTENDED"] as const) {
    sftp.on(unsupported, (reqId: number) => sftp.status(reqId, STATUS_CODE.OP_UNSUPPORTED));
  }
}

/** Whether the client proved it holds one of the user's keys (or, without a signature yet, offers one). */
function keyAccepted(ctx: Extract<AuthContext, { method: "publickey" }>, user: SftpUser): boolean {
  const key = user.keys.find((k) => k.getPublicSSH().equals(ctx.key.data));
  if (!key) return false;
  if (!ctx.signature || !ctx.blob) return true;
  return key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true;
}

export async function startLocalSftp(options: LocalSftpOptions): Promise<LocalSftp> {
  const log = options.log ?? (() => undefined);
  const maxObjectBytes = options.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES;
  const key = hostKey(options.hostKeyFile);
  const clients = new Set<Connection>();
  /** Users are read at every login; each refused key of a user is logged the first time only. */
  const reported = new Set<string>();
  const reportRefusedKeys = (user: SftpUser) => {
    for (const { position, line, reason } of user.refusedKeys) {
      const id = `${user.name} ${line}`;
      if (reported.has(id)) continue;
      reported.add(id);
      // The reason, not the line: a refused line may hold characters that garble a terminal.
      log(`${user.name}: key ${position} of its user stack is never used to sign in. ${reason}`);
    }
  };

  /** Fresh credentials in the project account for each login (moto accepts any; AWS-like anyway). */
  const account = async () => {
    const credentials = await assumeProjectAccount({ motoEndpoint: options.motoEndpoint, accountId: options.accountId, region: options.region });
    return {
      credentials,
      cloudformation: queryClient("cloudformation", { endpoint: options.motoEndpoint, region: options.region, credentials }),
    };
  };

  const server = new ssh2.Server({ hostKeys: [key.privateKey], ident: "stackroom-local-sftp" }, (client) => {
    clients.add(client);
    client.on("close", () => clients.delete(client));
    client.on("error", (err) => log(`client error: ${err.message}`));
    let session: { user: SftpUser; fs: SftpFileSystem } | null = null;

    client.on("authentication", (ctx) => {
      if (ctx.method !== "publickey") return ctx.reject(["publickey"]);
      void (async () => {
        const { credentials, cloudformation } = await account();
        const user = await loadSftpUser({ cloudformation, projectId: options.projectId, accountId: options.accountId, region: options.region }, ctx.username);
        if (user) reportRefusedKeys(user);
        if (!user || !keyAccepted(ctx, user)) {
          log(`refused ${ctx.username}`);
          return ctx.reject(["publickey"]);
        }
        if (ctx.signature) {
          // As Transfer Family does: the session acts as the user's SftpRole (named by the user), so
          // S3's events tell its writes as that user's.
          const acting = user.roleArn ? await assumeRoleLocally(options, credentials, user.roleArn, user.name) : credentials;
          session = { user, fs: new SftpFileSystem(user, localS3(options.motoEndpoint, options.region, acting), maxObjectBytes) };
          log(`${ctx.username} signed in`);
        }
        ctx.accept();
      })().catch((err: unknown) => {
        log(`sign-in of ${ctx.username} failed: ${err instanceof Error ? err.message : String(err)}`);
        ctx.reject(["publickey"]);
      });
    });

    client.on("ready", () => {
      client.on("session", (acceptSession) => {
        const channel = acceptSession();
        channel.on("sftp", (acceptSftp) => {
          if (!session) return;
          serveSftp(acceptSftp(), session.fs, maxObjectBytes, log);
        });
        // Transfer Family offers SFTP only: no shell, no commands.
        channel.on("shell", (_accept, reject) => reject());
        channel.on("exec", (_accept, reject) => reject());
        channel.on("pty", (_accept, reject) => reject?.());
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  return {
    port,
    hostKeyFingerprint: keyFingerprint(key.publicKey),
    hostKey: key.publicKey.split(" ").slice(0, 2).join(" "),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const client of clients) client.end();
        server.close(() => resolve());
      }),
  };
}
