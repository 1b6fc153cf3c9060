// Plays a recorded session: the board at any seq or moment, event by event,
// or in (accelerated) real time.
//
// The state at a seq comes from the server (nearest snapshot + events, done
// there); moving forward a little applies the events themselves with the
// same board model the live client uses, so stepping and playing cost one
// small request per page of events. Every seek bumps a generation number;
// answers to older requests are dropped, so dragging the slider never shows
// a stale moment after a newer one.
import type { Event, EventPage, ReplayState } from "../gen/werkstatt/v1/protocol_pb";
import type { Timers } from "../net/connection";
import { applyOp, boardFromState, emptyBoard, type BoardModel, type BoardView } from "../state/board-model";
import { Listeners } from "../util/listeners";

export interface ReplaySource {
  state(seq: bigint): Promise<ReplayState>;
  stateAt(ms: number): Promise<ReplayState>;
  events(from: bigint, to: bigint, limit: number): Promise<EventPage>;
}

/** Events per request: a few hundred KiB at most. */
export const EVENT_PAGE = 500;
/** Forward seeks up to this many events apply them here; further ones ask
 *  the server for the state (a snapshot is cheaper than many events). */
export const MAX_FORWARD_APPLY = 1000;
/** Playback tick: smooth enough for a timer display, cheap enough to idle. */
export const TICK_MS = 100;
export const SPEEDS = [1, 10, 60] as const;

export class ReplayPlayer {
  readonly changes = new Listeners<void>();
  readonly errors = new Listeners<Error>();
  private board: BoardModel = Object.assign(emptyBoard(), { full: true });
  private seqNow = 0n;
  private time = 0;
  private clock = 0;
  private buffer: Event[] = [];
  private loading: Promise<void> | undefined;
  private generation = 0;
  private playing = false;
  private rate = 1;
  private lastTick = 0;
  private tickTimer: unknown;
  private busy = 0;

  constructor(
    private readonly source: ReplaySource,
    private head: bigint,
    private readonly timers: Timers,
  ) {}

  get model(): BoardView {
    return this.board;
  }

  get seq(): bigint {
    return this.seqNow;
  }

  get headSeq(): bigint {
    return this.head;
  }

  /** The moment shown: while playing the running clock, else the time of the
   *  last event applied (or the moment sought). */
  get timeMs(): number {
    return this.playing ? this.clock : this.time;
  }

  get isPlaying(): boolean {
    return this.playing;
  }

  get speed(): number {
    return this.rate;
  }

  get isLoading(): boolean {
    return this.busy > 0;
  }

  setHead(head: bigint): void {
    this.head = head;
  }

  setSpeed(speed: number): void {
    this.rate = speed;
    this.changes.emit();
  }

  /** The board right after event `seq` (0: before the first). */
  async seek(seq: bigint): Promise<void> {
    const target = seq < 0n ? 0n : seq > this.head ? this.head : seq;
    const gen = ++this.generation;
    this.track(async () => {
      if (target > this.seqNow && target - this.seqNow <= BigInt(MAX_FORWARD_APPLY)) {
        await this.fill(target, gen);
        if (gen !== this.generation) return;
        this.applyBuffered((e) => e.seq <= target);
      } else if (target !== this.seqNow) {
        const state = await this.source.state(target);
        if (gen !== this.generation) return;
        this.load(state);
      }
      this.clock = this.time;
      this.changes.emit();
    });
    await this.waitIdle();
  }

  /** The board at wall-clock moment `ms` (the last event at or before it). */
  async seekTime(ms: number): Promise<void> {
    const gen = ++this.generation;
    this.track(async () => {
      const state = await this.source.stateAt(ms);
      if (gen !== this.generation) return;
      this.load(state);
      this.time = ms;
      this.clock = ms;
      this.changes.emit();
    });
    await this.waitIdle();
  }

  stepForward(): Promise<void> {
    this.pause();
    return this.seek(this.seqNow + 1n);
  }

  stepBack(): Promise<void> {
    this.pause();
    return this.seek(this.seqNow - 1n);
  }

  play(): void {
    if (this.playing) return;
    if (this.seqNow >= this.head) return;
    this.playing = true;
    this.clock = this.time;
    this.lastTick = this.timers.now();
    this.schedule();
    this.changes.emit();
  }

  pause(): void {
    if (!this.playing) return;
    this.playing = false;
    this.time = this.clock;
    if (this.tickTimer !== undefined) this.timers.clearTimeout(this.tickTimer);
    this.tickTimer = undefined;
    this.changes.emit();
  }

  // ---------------------------------------------------------------- internals

  private load(state: ReplayState): void {
    this.board = state.state ? boardFromState(state.state, { full: true }) : Object.assign(emptyBoard(), { full: true });
    this.board.seq = state.seq;
    this.seqNow = state.seq;
    this.time = Number(state.timeMs);
    this.buffer = [];
  }

  private applyBuffered(until: (e: Event) => boolean): boolean {
    let applied = false;
    while (this.buffer.length > 0) {
      const next = this.buffer[0] as Event;
      if (next.seq !== this.seqNow + 1n) {
        // Not the next one (a page from before a seek): drop the buffer.
        this.buffer = [];
        break;
      }
      if (!until(next)) break;
      this.buffer.shift();
      if (next.op) applyOp(this.board, next.op, { seq: next.seq, authorId: next.authorId, timeMs: Number(next.serverTimeMs) });
      this.board.seq = next.seq;
      this.seqNow = next.seq;
      this.time = Number(next.serverTimeMs);
      applied = true;
    }
    return applied;
  }

  /** Loads events until the buffer reaches `upTo` (or the head). */
  private async fill(upTo: bigint, gen: number): Promise<void> {
    for (;;) {
      const last = this.buffer.length ? (this.buffer[this.buffer.length - 1] as Event).seq : this.seqNow;
      if (last >= upTo || last >= this.head || gen !== this.generation) return;
      await this.fetchPage(last + 1n);
    }
  }

  private fetchPage(from: bigint): Promise<void> {
    if (this.loading) return this.loading;
    const to = from + BigInt(EVENT_PAGE) - 1n;
    this.loading = this.source
      .events(from, to > this.head ? this.head : to, EVENT_PAGE)
      .then((page) => {
        if (page.headSeq > this.head) this.head = page.headSeq;
        // Only events that continue what is shown (or buffered) are kept: a
        // page asked for before a seek elsewhere does not fit and is dropped.
        for (const e of page.events) {
          const last = this.buffer.length ? (this.buffer[this.buffer.length - 1] as Event).seq : this.seqNow;
          if (e.seq === last + 1n) this.buffer.push(e);
        }
        if (page.events.length === 0 && page.headSeq > 0n && page.headSeq < from) this.head = page.headSeq;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }

  private schedule(): void {
    this.tickTimer = this.timers.setTimeout(() => this.tick(), TICK_MS);
  }

  private tick(): void {
    this.tickTimer = undefined;
    if (!this.playing) return;
    const now = this.timers.now();
    this.clock += (now - this.lastTick) * this.rate;
    this.lastTick = now;
    const clock = this.clock;
    const applied = this.applyBuffered((e) => Number(e.serverTimeMs) <= clock);
    if (this.buffer.length < EVENT_PAGE / 5 && this.seqNow < this.head && !this.loading) {
      const last = this.buffer.length ? (this.buffer[this.buffer.length - 1] as Event).seq : this.seqNow;
      if (last < this.head) this.fetchPage(last + 1n).catch((e: Error) => this.errors.emit(e));
    }
    if (this.seqNow >= this.head) {
      this.playing = false;
      this.changes.emit();
      return;
    }
    if (applied || this.rate > 0) this.changes.emit();
    this.schedule();
  }

  private track(work: () => Promise<void>): void {
    this.busy += 1;
    const run = work()
      .catch((e: Error) => this.errors.emit(e))
      .finally(() => {
        this.busy -= 1;
        this.changes.emit();
      });
    this.pending.push(run);
  }

  private pending: Promise<void>[] = [];

  private async waitIdle(): Promise<void> {
    while (this.pending.length) {
      const all = this.pending;
      this.pending = [];
      await Promise.all(all);
    }
  }
}
