// Joins a BoardStore to a Connection: server messages go into the store, own
// ops go out, and a broken stream (Desync) makes the connection start a new
// session from the store's last confirmed seq.
//
// It also keeps the board in step where the server's view of this client
// changes: a role change (a facilitator promoted or demoted us) needs a new
// snapshot, since facilitators see more than participants; being removed by
// a facilitator ends the connection for good (`removed`).
//
// Sending rule: ops are sent only while online, and each pending op at most
// once per session (BoardStore.takeUnsent). Every Welcome starts a session,
// so after a reconnect each op still pending is resent exactly once, with its
// original client op id.
import type { PresenceUpdate, Error as ServerError, ServerMessage } from "../gen/werkstatt/v1/protocol_pb";
import type { Connection } from "../net/connection";
import type { BoardStore, Desync, OpInit } from "../state/board-store";
import { Role, SettingsField, type Op } from "../gen/werkstatt/v1/board_pb";
import { Listeners } from "../util/listeners";
import type { PendingOpStore } from "./pending-ops";
import { PresenceStore } from "./presence";

export type SyncConnection = Pick<Connection, "status" | "session" | "messages" | "send" | "resync" | "stop">;

export class BoardSync {
  /** Errors the server reported (fatal or not), for display. */
  readonly serverErrors = new Listeners<ServerError>();
  /** Presence of other participants (ephemeral, never in the store). */
  readonly presence = new Listeners<PresenceUpdate>();
  /** Who is online, with cursors and viewports. */
  readonly online = new PresenceStore();
  /** A facilitator removed this participant; the connection has stopped. */
  readonly removed = new Listeners<void>();

  private readonly unsubscribe: (() => void)[];
  /** Whether the ops stored by the last page load are back in the store. */
  private restored = false;

  /** `pendingOps`: where unanswered ops outlive the page (see pending-ops.ts). */
  constructor(
    readonly store: BoardStore,
    readonly connection: SyncConnection,
    private readonly pendingOps?: PendingOpStore,
  ) {
    this.unsubscribe = [
      // Saved only once restored: until the first Welcome names this
      // participant, saving would overwrite the last page's ops.
      store.changes.add(() => {
        if (this.restored) this.pendingOps?.save(store.participantId, store.pendingOps);
      }),
      connection.messages.add((m) => this.onMessage(m)),
      store.desyncs.add((d) => connection.resync(describeDesync(d), d.kind === "server-copy")),
      store.applied.add((e) => {
        const self = store.participantId;
        if (self === "") return;
        const op = e.op.kind;
        if (op.case === "setRole" && op.value.participantId === self) {
          // What this client may see changed: start over from a snapshot.
          store.requestSnapshot();
          connection.resync("our role changed", true);
        } else if (op.case === "updateSettings" && op.value.mask.includes(SettingsField.PSEUDONYMOUS) && !e.own) {
          // Names were masked (or not) as the server sent them; a snapshot
          // brings the names this client may see now.
          if (store.confirmed.participants.get(self)?.role !== Role.FACILITATOR) {
            store.requestSnapshot();
            connection.resync("pseudonymity changed", true);
          }
        } else if (op.case === "removeParticipant" && op.value.participantId === self) {
          connection.stop();
          this.online.clear();
          this.removed.emit();
        }
      }),
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
        if (!this.restored) {
          this.restored = true;
          // The last page's unanswered ops, if they are this participant's:
          // they go out first, with their original ids.
          this.store.restorePending(this.pendingOps?.load(body.value.participantId) ?? []);
        }
        this.online.reset(body.value.online);
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
        this.online.apply(body.value);
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
    case "server-copy":
      return `seq ${d.expected} is our op ${d.clientOpId}, completed by the server; fetching its copy`;
  }
}
