import { SFTP_SERVER_NAME } from "../core/contract";
import type { KindNeighbours } from "./room-context";
import type { RoomStore } from "./room-store";
import { StoredBucket } from "./kinds/bucket";
import { StoredUser } from "./kinds/user";
import { StoredSftp } from "./kinds/sftp";

/** The room's answer to what one kind reads of another (room-context.ts `KindNeighbours`), each parsed by its own kind's schema. */
export function kindNeighbours(store: RoomStore): KindNeighbours {
  return {
    buckets: () => store.listAs("bucket", StoredBucket).map((b) => b.resource),
    users: () => store.listAs("user", StoredUser).map((u) => u.resource),
    sftpServer: () => store.getAs("sftp", SFTP_SERVER_NAME, StoredSftp),
  };
}
