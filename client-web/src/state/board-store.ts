// The client's board state: the server-confirmed state plus this client's
// own ops that the server has not yet answered (optimistic updates).
//
//   visible = confirmed (server state at seq N) + pending ops applied in order
//
// Confirmed state moves forward only in seq order, one seq at a time. The
// server sends every event after the Welcome gapless (protocol.proto); a gap
// or a repeated seq means this client has lost track, so the store stops
// applying, reports a Desync, and waits for a fresh Welcome (the connection
// reconnects with lastSeenSeq and the server sends what is missing).
//
// What the author of an op receives (see README.md, "Protocol assumptions"):
// the store is built for the server sending the author an Ack carrying the
// seq *instead of* the Event. On Ack(seq = N + 1) the store applies its own
// pending copy of the op to the confirmed state as the event at N + 1. It
// also works if the server sends the author the Event too, in either order:
// - Event then Ack: the event is applied; the pending op whose op equals it
//   stops being shown on top (no double vote while the Ack is on its way);
//   the Ack (seq ≤ N) then just drops it.
// - Ack then Event: the Event for a seq this store filled from an Ack is
//   skipped instead of being reported as a duplicate.
// An Ack may also run ahead of the events before it (after a resume, the
// answer to a resent op can overtake the catch-up): the op then waits,
// still shown on top, until the stream reaches its seq.
//
// Ops completed by the server (needsServerCopy: RotateJoinCode gets its code
// and Reveal its notes from the server) cannot be applied from the pending
// copy. Their Ack marks the seq as theirs; when the stream reaches it, the
// store reports a Desync ("server-copy") so that the connection resumes from
// the seq before it and the server sends the event itself. Until then the
// pending copy stays on top, so the user sees the effect at once.
//
// Resume: lastSeenSeq goes into Hello.last_seen_seq. Pending ops survive a
// reconnect; takeUnsent(session) hands out each pending op once per
// connection session, so after a reconnect every op still pending is resent
// exactly once with its original client op id (the server recognises the id
// and answers with the original seq if it had applied it already).
//
// Thread safety: single-threaded (browser main thread); listeners run
// synchronously inside the call that changed the state.
import { create, equals, type MessageInitShape } from "@bufbuild/protobuf";
import { OpSchema, type Op, type RejectCode } from "../gen/werkstatt/v1/board_pb";
import {
  OpRequestSchema,
  type Ack,
  type Event,
  type OpRequest,
  type Reject,
  type Welcome,
} from "../gen/werkstatt/v1/protocol_pb";
import { Listeners } from "../util/listeners";
import { applyOp, boardFromState, copyBoard, emptyBoard, type BoardModel, type BoardView } from "./board-model";
import { clientOpIdGenerator } from "./ids";

export type OpInit = MessageInitShape<typeof OpSchema>;

/** An own op the server refused; it has been rolled back. */
export interface Rejection {
  clientOpId: string;
  op: Op;
  code: RejectCode;
  /** English, from the server: for logs and as a fallback text. */
  reason: string;
}

/** The stream of confirmed changes broke; the store ignores events until the
 *  next Welcome. `expected` is the seq the store was waiting for. */
export type Desync =
  | { kind: "gap"; expected: bigint; received: bigint }
  | { kind: "duplicate"; expected: bigint; received: bigint }
  /** An Ack filled the next seq, but for an op this store does not hold
   *  (e.g. sent before a page reload): the event at that seq is unknown. */
  | { kind: "unknown-ack"; expected: bigint; clientOpId: string }
  /** A resume Welcome at a seq before ours: the server lost events we saw
   *  (restored from a backup). Only a full snapshot can repair that. */
  | { kind: "server-behind"; ours: bigint; server: bigint }
  /** The next seq is an own op only the server's copy of can be applied
   *  (needsServerCopy); resuming from the seq before it brings that copy. */
  | { kind: "server-copy"; expected: bigint; clientOpId: string };

/** A confirmed event, as applied (own ops too, from their Ack). For views
 *  that react to events rather than state (BringEveryoneHere, notices). */
export interface AppliedEvent {
  seq: bigint;
  authorId: string;
  op: Op;
  /** This client's own op. */
  own: boolean;
  /** Server time of the event (estimated for own ops). */
  timeMs: number;
}

/** Own ops whose confirmed form carries data only the server makes: the new
 *  join code, the revealed notes (which a facilitator may not have seen),
 *  the results of a round (hidden counts: nobody had the tallies), also of
 *  the round a closing workshop closes. */
export function needsServerCopy(op: Op): boolean {
  const k = op.kind.case;
  return k === "rotateJoinCode" || k === "reveal" || k === "closeVotingRound" || k === "closeWorkshop";
}

export interface PendingOp {
  readonly clientOpId: string;
  readonly op: Op;
}

interface PendingEntry extends PendingOp {
  /** The connection session this op was last sent in. */
  sentSession: number | undefined;
  /** Set when an Event by us with an equal op was confirmed before our Ack:
   *  the op is then part of the confirmed state and not shown again. */
  seenAtSeq: bigint | undefined;
  /** The seq of its Ack, while that is ahead of the confirmed state. */
  ackedSeq: bigint | undefined;
}

export interface BoardStoreOptions {
  /** Makes client op ids; the default is random per page load (ids.ts). */
  newClientOpId?: () => string;
  /** The client's estimate of the server's clock (ms since the epoch), for
   *  own ops applied from their Ack (phase start, timer deadline). */
  serverNow?: () => number;
}

/** Bounds the memory of "seqs filled from an Ack" kept to recognise a late
 *  Event for the same seq; that Event would arrive right after the Ack. */
const MAX_SELF_FILLED = 256;

export class BoardStore {
  /** After any change of `visible`, `confirmed` or the pending ops. */
  readonly changes = new Listeners<void>();
  readonly rejections = new Listeners<Rejection>();
  readonly desyncs = new Listeners<Desync>();
  /** Every event applied to the confirmed state, in seq order. */
  readonly applied = new Listeners<AppliedEvent>();

  private confirmedBoard: BoardModel = emptyBoard();
  private pending: PendingEntry[] = [];
  private visibleCache: BoardModel | undefined;
  private self = "";
  private history = "";
  private readonly selfFilled = new Set<bigint>();
  private desynced = false;
  private wantSnapshot = false;
  private newestEventTimeMs = 0;
  private readonly newClientOpId: () => string;
  private readonly serverNow: () => number;

  constructor(options: BoardStoreOptions = {}) {
    this.newClientOpId = options.newClientOpId ?? clientOpIdGenerator();
    this.serverNow = options.serverNow ?? (() => Date.now());
  }

  /** Our participant id, from the last Welcome ("" before the first). */
  get participantId(): string {
    return this.self;
  }

  /** The server time of the newest event applied (0: none yet). The server's
   *  clock is at least this far: a floor under the estimated clock, so a
   *  phase timer that just started never shows more than its duration. */
  get latestEventTimeMs(): number {
    return this.newestEventTimeMs;
  }

  /** For Hello.last_seen_seq: the last seq applied to the confirmed state,
   *  or 0 when only a full snapshot can bring this store back in step. */
  get lastSeenSeq(): bigint {
    return this.wantSnapshot ? 0n : this.confirmedBoard.seq;
  }

  /** True from a Desync until the next Welcome. */
  get isDesynced(): boolean {
    return this.desynced;
  }

  /** The server's state as far as this client knows it. */
  get confirmed(): BoardView {
    return this.confirmedBoard;
  }

  /** What the user sees: confirmed state with the pending ops on top. */
  get visible(): BoardView {
    if (!this.visibleCache) {
      const board = copyBoard(this.confirmedBoard);
      for (const entry of this.pending) {
        if (entry.seenAtSeq === undefined) {
          applyOp(board, entry.op, { seq: 0n, authorId: this.self, viewerId: this.self, timeMs: this.serverNow() });
        }
      }
      this.visibleCache = board;
    }
    return this.visibleCache;
  }

  /** Own ops the server has not answered yet, oldest first. */
  get pendingOps(): readonly PendingOp[] {
    return this.pending.map(({ clientOpId, op }) => ({ clientOpId, op }));
  }

  /** Applies `op` optimistically and queues it for the server. Returns its
   *  client op id. */
  propose(op: Op | OpInit): string {
    const clientOpId = this.newClientOpId();
    this.pending.push({ clientOpId, op: create(OpSchema, op), sentSession: undefined, seenAtSeq: undefined, ackedSeq: undefined });
    this.changed();
    return clientOpId;
  }

  /** Puts back ops a previous page load of this participant left
   *  unanswered, before any proposed since (they are older). Ops already
   *  pending (same client op id) are skipped. */
  restorePending(ops: readonly PendingOp[]): void {
    const known = new Set(this.pending.map((e) => e.clientOpId));
    const restored: PendingEntry[] = ops
      .filter((p) => !known.has(p.clientOpId))
      .map((p) => ({ clientOpId: p.clientOpId, op: p.op, sentSession: undefined, seenAtSeq: undefined, ackedSeq: undefined }));
    if (restored.length === 0) return;
    this.pending.unshift(...restored);
    this.changed();
  }

  /** The pending ops not yet sent in connection session `session`, as
   *  requests, marked as sent in it. Call when a session starts (after its
   *  Welcome) and after each propose while online. */
  takeUnsent(session: number): OpRequest[] {
    const out: OpRequest[] = [];
    for (const entry of this.pending) {
      if (entry.sentSession === session) continue;
      entry.sentSession = session;
      out.push(create(OpRequestSchema, { clientOpId: entry.clientOpId, op: entry.op }));
    }
    return out;
  }

  /** Forgets the confirmed seq so the next Hello asks for a full snapshot. */
  requestSnapshot(): void {
    this.wantSnapshot = true;
  }

  /** Welcome.history_id of the last Welcome ("" before the first), for
   *  Hello.history_id: the history our lastSeenSeq belongs to. */
  get historyId(): string {
    return this.history;
  }

  welcome(welcome: Welcome): void {
    this.self = welcome.participantId;
    this.selfFilled.clear();
    if (welcome.historyId !== "") this.history = welcome.historyId;
    if (welcome.historyReset && welcome.state) {
      // The history this board came from was replaced (e.g. the server
      // restored a backup): nothing of it counts. Start from the server's
      // state; ops the old history acknowledged are gone with it, and every
      // op still unanswered is sent again (new history, new ids' meaning).
      this.confirmedBoard = boardFromState(welcome.state);
      this.wantSnapshot = false;
      this.pending = this.pending
        .filter((e) => e.ackedSeq === undefined)
        .map((e) => ({ ...e, seenAtSeq: undefined, sentSession: undefined }));
      this.desynced = false;
      this.changed();
      return;
    }
    if (welcome.state) {
      this.confirmedBoard = boardFromState(welcome.state);
      this.wantSnapshot = false;
      const seq = this.confirmedBoard.seq;
      // Acked ops the snapshot contains are done; a marker past the snapshot
      // came from a server that has since lost that seq.
      this.pending = this.pending.filter((e) => e.ackedSeq === undefined || e.ackedSeq > seq);
      for (const entry of this.pending) {
        if (entry.seenAtSeq !== undefined && entry.seenAtSeq > seq) entry.seenAtSeq = undefined;
      }
    } else if (welcome.seq < this.confirmedBoard.seq) {
      this.desynced = true;
      this.wantSnapshot = true;
      this.desyncs.emit({ kind: "server-behind", ours: this.confirmedBoard.seq, server: welcome.seq });
      return;
    }
    // Without state: a resume, the events after our seq follow.
    this.desynced = false;
    this.changed();
  }

  applyEvent(event: Event): void {
    if (this.desynced) return;
    const expected = this.confirmedBoard.seq + 1n;
    if (event.seq < expected) {
      if (this.selfFilled.delete(event.seq)) return; // our own op, already applied from its Ack
      this.desync({ kind: "duplicate", expected, received: event.seq });
      return;
    }
    if (event.seq > expected) {
      this.desync({ kind: "gap", expected, received: event.seq });
      return;
    }
    const timeMs = Number(event.serverTimeMs);
    if (Number.isFinite(timeMs)) this.newestEventTimeMs = Math.max(this.newestEventTimeMs, timeMs);
    if (event.op) {
      applyOp(this.confirmedBoard, event.op, { seq: event.seq, authorId: event.authorId, viewerId: this.self, timeMs });
    }
    this.confirmedBoard.seq = event.seq;
    if (event.op && this.self !== "" && event.authorId === this.self) {
      // Our own op, sent to us as an Event: after a resume (the server's copy
      // of an op it completed), or by a server that sends authors the Event.
      const acked = this.pending.findIndex((e) => e.ackedSeq === event.seq);
      if (acked >= 0) this.pending.splice(acked, 1);
      else {
        const head = this.pending.find((e) => e.seenAtSeq === undefined && e.ackedSeq === undefined);
        if (head && (equals(OpSchema, head.op, event.op) || (needsServerCopy(head.op) && head.op.kind.case === event.op.kind.case))) {
          head.seenAtSeq = event.seq;
        }
      }
    }
    if (event.op) this.applied.emit({ seq: event.seq, authorId: event.authorId, op: event.op, own: false, timeMs });
    this.applyAckedOps();
    this.changed();
  }

  ack(ack: Ack): void {
    const index = this.pending.findIndex((e) => e.clientOpId === ack.clientOpId);
    const entry = this.pending[index];
    if (ack.seq <= this.confirmedBoard.seq) {
      // Already in the confirmed state (its Event, or a snapshot after it).
      if (entry) {
        this.pending.splice(index, 1);
        this.changed();
      }
      return;
    }
    if (this.desynced) return; // stays pending; resent after the next Welcome
    if (!entry) {
      // Nobody can fill this seq for us. If it is the next one, say so now;
      // a later seq shows up as a gap when the events pass it.
      const expected = this.confirmedBoard.seq + 1n;
      if (ack.seq === expected) this.desync({ kind: "unknown-ack", expected, clientOpId: ack.clientOpId });
      return;
    }
    // An Ack ahead of the events before it (e.g. the answer to a resent op
    // overtaking the catch-up after a resume) waits for them.
    entry.ackedSeq = ack.seq;
    if (this.applyAckedOps()) this.changed();
  }

  reject(reject: Reject): void {
    const index = this.pending.findIndex((e) => e.clientOpId === reject.clientOpId);
    const entry = this.pending[index];
    if (!entry) return; // not ours any more (e.g. from before a page reload)
    this.pending.splice(index, 1);
    this.changed();
    this.rejections.emit({ clientOpId: entry.clientOpId, op: entry.op, code: reject.code, reason: reject.reason });
  }

  /** Applies, from their pending copies, the acked own ops whose seq is
   *  next. Returns whether any was applied. */
  private applyAckedOps(): boolean {
    let applied = false;
    for (;;) {
      if (this.desynced) return applied;
      const next = this.confirmedBoard.seq + 1n;
      const index = this.pending.findIndex((e) => e.ackedSeq === next);
      const entry = this.pending[index];
      if (!entry) return applied;
      if (needsServerCopy(entry.op)) {
        // Stays pending (and shown) until the server's copy arrives.
        this.desync({ kind: "server-copy", expected: next, clientOpId: entry.clientOpId });
        return applied;
      }
      this.pending.splice(index, 1);
      const timeMs = this.serverNow();
      applyOp(this.confirmedBoard, entry.op, { seq: next, authorId: this.self, viewerId: this.self, timeMs });
      this.confirmedBoard.seq = next;
      this.applied.emit({ seq: next, authorId: this.self, op: entry.op, own: true, timeMs });
      this.selfFilled.add(next);
      if (this.selfFilled.size > MAX_SELF_FILLED) {
        const oldest = this.selfFilled.values().next().value;
        if (oldest !== undefined) this.selfFilled.delete(oldest);
      }
      applied = true;
    }
  }

  private desync(desync: Desync): void {
    this.desynced = true;
    this.desyncs.emit(desync);
  }

  private changed(): void {
    this.visibleCache = undefined;
    this.changes.emit();
  }
}
