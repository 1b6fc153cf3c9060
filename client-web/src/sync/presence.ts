// Presence: who is online, where their cursors and viewports are, who is
// typing into which note. Ephemeral (never journaled, never in the board
// store): the Welcome lists who is online, PresenceUpdates change it.
//
// PresenceSender throttles this client's own presence: the latest state wins
// and at most one message per PRESENCE_INTERVAL_MS goes out (the server
// forwards at most 20 updates per second per participant anyway, and drops
// what a connection sends beyond 30 per second).
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { PresenceStateSchema, type PresenceState, type PresenceUpdate } from "../gen/werkstatt/v1/protocol_pb";
import type { Timers } from "../net/connection";
import { Listeners } from "../util/listeners";

/** 50 ms: 20 updates per second, smooth enough for a cursor. */
export const PRESENCE_INTERVAL_MS = 50;

export class PresenceStore {
  readonly changes = new Listeners<void>();
  private readonly states = new Map<string, PresenceState>();

  /** Everyone online, by participant id. */
  get all(): ReadonlyMap<string, PresenceState> {
    return this.states;
  }

  /** From a Welcome: the whole list. */
  reset(online: readonly PresenceState[]): void {
    this.states.clear();
    for (const s of online) this.states.set(s.participantId, s);
    this.changes.emit();
  }

  apply(update: PresenceUpdate): void {
    for (const s of update.states) this.states.set(s.participantId, s);
    for (const id of update.gone) this.states.delete(id);
    this.changes.emit();
  }

  clear(): void {
    if (this.states.size === 0) return;
    this.states.clear();
    this.changes.emit();
  }
}

/** Notes being dragged and how far they moved so far (board units). */
export interface OwnDrag {
  noteIds: string[];
  offset: { x: number; y: number };
}

/** At most this many notes of a dragged cluster move live for others (the server's limit). */
export const MAX_DRAG_NOTES = 100;

export interface OwnPresence {
  cursor?: { x: number; y: number };
  viewport?: { x: number; y: number; width: number; height: number };
  typingNoteId?: string;
  drag?: OwnDrag;
}

export class PresenceSender {
  private latest: OwnPresence = {};
  private dirty = false;
  private timer: unknown;
  private lastSentAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly send: (p: OwnPresence) => boolean,
    private readonly timers: Timers,
    private readonly intervalMs = PRESENCE_INTERVAL_MS,
  ) {}

  /** Merges `change` into this client's presence and sends it soon. */
  update(change: OwnPresence): void {
    this.latest = { ...this.latest, ...change };
    this.dirty = true;
    this.schedule();
  }

  /** Sends the whole state again (after a reconnect: the server forgot it). */
  resend(): void {
    this.dirty = true;
    this.schedule();
  }

  get current(): Readonly<OwnPresence> {
    return this.latest;
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.lastSentAt + this.intervalMs - this.timers.now());
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }

  private flush(): void {
    if (!this.dirty) return;
    if (this.send(this.latest)) {
      this.dirty = false;
      this.lastSentAt = this.timers.now();
    }
    // Not sent (offline): stays dirty and goes out with the next resend().
  }
}

/** A presence state for tests and fakes. */
export function presenceState(init: MessageInitShape<typeof PresenceStateSchema>): PresenceState {
  return create(PresenceStateSchema, init);
}
