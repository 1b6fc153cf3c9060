import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { OpSchema, Role } from "../gen/werkstatt/v1/board_pb";
import { EventPageSchema, EventSchema, ReplayStateSchema, type Event, type EventPage, type ReplayState } from "../gen/werkstatt/v1/protocol_pb";
import { applyOp, emptyBoard, stateOf } from "../state/board-model";
import { FakeClock } from "../test/fake-clock";
import { ReplayPlayer, type ReplaySource } from "./replay-player";

const T0 = 1_750_000_000_000;
type OpInit = MessageInitShape<typeof OpSchema>;

/** A recorded session: one event per minute. */
function session(): Event[] {
  const ops: [string, OpInit][] = [
    ["", { kind: { case: "participantJoined", value: { participant: { id: "p1", displayName: "Anna", role: Role.PARTICIPANT } } } }],
    ["p1", { kind: { case: "createNote", value: { id: "n1", text: "Radweg", position: { x: 0, y: 0 } } } }],
    ["p1", { kind: { case: "updateNote", value: { id: "n1", mask: [1], text: "Radweg nach Süd" } } }],
    ["p1", { kind: { case: "createNote", value: { id: "n2", text: "Bahnhof", position: { x: 200, y: 0 } } } }],
    ["p1", { kind: { case: "updateNote", value: { id: "n1", mask: [1], text: "Radweg nach Süden" } } }],
  ];
  return ops.map(([authorId, op], i) => create(EventSchema, { seq: BigInt(i + 1), serverTimeMs: BigInt(T0 + i * 60_000), authorId, op: create(OpSchema, op) }));
}

class FakeSource implements ReplaySource {
  calls: string[] = [];
  gate: Promise<void> | undefined;
  constructor(readonly recorded: Event[]) {}
  private at(seq: bigint): ReplayState {
    const board = Object.assign(emptyBoard(), { full: true });
    for (const e of this.recorded.slice(0, Number(seq))) if (e.op) applyOp(board, e.op, { seq: e.seq, authorId: e.authorId, timeMs: Number(e.serverTimeMs) });
    board.seq = seq;
    return create(ReplayStateSchema, { seq, timeMs: seq > 0n ? this.recorded[Number(seq) - 1]?.serverTimeMs : 0n, state: stateOf(board) });
  }
  async state(seq: bigint): Promise<ReplayState> {
    this.calls.push(`state ${seq}`);
    await this.gate;
    return this.at(seq);
  }
  async stateAt(ms: number): Promise<ReplayState> {
    this.calls.push(`at ${ms}`);
    const last = this.recorded.filter((e) => Number(e.serverTimeMs) <= ms).at(-1);
    return this.at(last?.seq ?? 0n);
  }
  async events(from: bigint, to: bigint, limit: number): Promise<EventPage> {
    this.calls.push(`events ${from}-${to}`);
    const events = this.recorded.filter((e) => e.seq >= from && e.seq <= to).slice(0, limit);
    return create(EventPageSchema, { events, headSeq: BigInt(this.recorded.length) });
  }
}

const text = (p: ReplayPlayer) => [...p.model.notes.values()].map((n) => n.text).sort().join(" | ");

describe("ReplayPlayer", () => {
  it("shows the board at any seq: forward by applying events, backward from the server's state", async () => {
    const source = new FakeSource(session());
    const player = new ReplayPlayer(source, 5n, new FakeClock());
    await player.seek(5n);
    expect(text(player)).toBe("Bahnhof | Radweg nach Süden");
    expect(source.calls).toEqual(["events 1-5"]);
    await player.stepBack();
    expect(player.seq).toBe(4n);
    expect(text(player)).toBe("Bahnhof | Radweg nach Süd");
    expect(source.calls.at(-1)).toBe("state 4");
    await player.stepForward();
    expect(text(player)).toBe("Bahnhof | Radweg nach Süden");
    expect(player.timeMs).toBe(T0 + 4 * 60_000);
    await player.seek(0n);
    expect(text(player)).toBe("");
  });

  it("seeks by wall-clock time to the last event at or before it", async () => {
    const player = new ReplayPlayer(new FakeSource(session()), 5n, new FakeClock());
    await player.seekTime(T0 + 2.5 * 60_000);
    expect(player.seq).toBe(3n);
    expect(text(player)).toBe("Radweg nach Süd");
    expect(player.timeMs).toBe(T0 + 2.5 * 60_000);
  });

  it("plays in accelerated time and stops at the end", async () => {
    const clock = new FakeClock();
    const player = new ReplayPlayer(new FakeSource(session()), 5n, clock);
    await player.seek(1n);
    player.setSpeed(60);
    player.play();
    // 60x: one recorded minute per real second. Let the page load first.
    clock.advance(100);
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    clock.advance(1000);
    expect(player.seq).toBe(2n);
    expect(text(player)).toBe("Radweg");
    clock.advance(3000);
    expect(player.seq).toBe(5n);
    expect(player.isPlaying).toBe(false);
  });

  it("drops the answer to a seek that a newer seek overtook", async () => {
    const source = new FakeSource(session());
    const player = new ReplayPlayer(source, 5n, new FakeClock());
    await player.seek(5n);
    let open: () => void = () => undefined;
    source.gate = new Promise((r) => (open = r));
    const slow = player.seek(1n); // via state: waits for the gate
    source.gate = undefined;
    const fast = player.seekTime(T0 + 3 * 60_000);
    await fast;
    open();
    await slow;
    expect(player.seq).toBe(4n);
    expect(text(player)).toBe("Bahnhof | Radweg nach Süd");
  });
});
