// Joins a BoardStore to a Connection: server messages go into the store, own
// ops go out, and a broken stream (Desync) makes the connection start a new
// session from the store's last confirmed seq.
//
// Sending rule: ops are sent only while online, and each pending op at most
// once per session (BoardStore.takeUnsent). Every Welcome starts a session,
// so after a reconnect each op still pending is resent exactly once, with its
// original client op id.
import type { PresenceUpdate, Error as ServerError, ServerMessage } from "../gen/werkstatt/v1/protocol_pb";
import type { Connection } from "../net/connection";
import type { BoardStore, Desync, OpInit } from "../state/board-store";
import type { Op } from "../gen/werkstatt/v1/board_pb";
import { Listeners } from "../util/listeners";

export type SyncConnection = Pick<Connection, "status" | "session" | "messages" | "send" | "resync">;

export class BoardSync {
  /** Errors the server reported (fatal or not), for display. */
  readonly serverErrors = new Listeners<ServerError>();
  /** Presence of other participants (ephemeral, never in the store). */
  readonly presence = new Listeners<PresenceUpdate>();

  private readonly unsubscribe: (() => void)[];

  constructor(
    readonly store: BoardStore,
    readonly connection: SyncConnection,
  ) {
    this.unsubscribe = [
      connection.messages.add((m) => this.onMessage(m)),
      store.desyncs.add((d) => connection.resync(describeDesync(d))),
    ];
  }

  /** Applies `op` optimistically and sends it if online. Returns its client
   *  op id (to match a later rejection). */
  propose(op: Op | OpInit): string {
    const id = this.store.propose(op);
    this.flush();
    return id;
  }

  dispose(): void {
    for (const off of this.unsubscribe) off();
  }

  private onMessage(message: ServerMessage): void {
    const body = message.body;
    switch (body.case) {
      case "welcome":
        this.store.welcome(body.value);
        this.flush();
        return;
      case "event":
        this.store.applyEvent(body.value);
        return;
      case "ack":
        this.store.ack(body.value);
        return;
      case "reject":
        this.store.reject(body.value);
        return;
      case "presence":
        this.presence.emit(body.value);
        return;
      case "error":
        this.serverErrors.emit(body.value);
        return;
      default:
        return; // pong and batch never reach here (the connection handles them)
    }
  }

  private flush(): void {
    if (this.connection.status !== "online" || this.store.isDesynced) return;
    for (const request of this.store.takeUnsent(this.connection.session)) {
      if (!this.connection.send({ body: { case: "op", value: request } })) return;
    }
  }
}

export function describeDesync(d: Desync): string {
  switch (d.kind) {
    case "gap":
      return `expected seq ${d.expected}, received ${d.received}`;
    case "duplicate":
      return `received seq ${d.received} again (expected ${d.expected})`;
    case "unknown-ack":
      return `seq ${d.expected} was acknowledged for an op this page does not know (${d.clientOpId})`;
    case "server-behind":
      return `the server is at seq ${d.server}, behind this page's ${d.ours}; loading a full snapshot`;
  }
}
