import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { beforeEach, describe, expect, it } from "vitest";
import { NoteField, ObjectKind, OpSchema, RejectCode } from "../gen/werkstatt/v1/board_pb";
import {
  AckSchema,
  EventSchema,
  RejectSchema,
  WelcomeSchema,
  type Ack,
  type Event,
  type Reject,
  type Welcome,
} from "../gen/werkstatt/v1/protocol_pb";
import { describeBoard, dotsOn } from "./board-model";
import { BoardStore, type Desync, type OpInit, type Rejection } from "./board-store";

const ME = "me";

const createNote = (id: string, text = id): OpInit => ({
  kind: { case: "createNote", value: { id, text, position: { x: 0, y: 0 } } },
});
const editText = (id: string, text: string): OpInit => ({
  kind: { case: "updateNote", value: { id, mask: [NoteField.TEXT], text } },
});
const vote = (noteId: string): OpInit => ({ kind: { case: "castVote", value: { noteId } } });
const deleteNote = (id: string): OpInit => ({
  kind: { case: "delete", value: { target: { kind: ObjectKind.NOTE, id } } },
});

const welcome = (init: MessageInitShape<typeof WelcomeSchema>): Welcome =>
  create(WelcomeSchema, { protocolVersion: 1, participantId: ME, ...init });
const snapshot = (seq: bigint, notes: { id: string; text: string }[] = []): Welcome =>
  welcome({
    seq,
    state: {
      seq,
      notes: notes.map((n) => ({ ...n, authorId: "other", createdSeq: 1n, updatedSeq: 1n })),
      rounds: [{ id: "r1", open: true, dotsPerParticipant: 10, maxDotsPerNote: 10 }],
    },
  });
const event = (seq: bigint, authorId: string, op: OpInit): Event =>
  create(EventSchema, { seq, authorId, op: create(OpSchema, op) });
const ack = (clientOpId: string, seq: bigint): Ack => create(AckSchema, { clientOpId, seq });
const reject = (clientOpId: string, code: RejectCode, reason: string): Reject =>
  create(RejectSchema, { clientOpId, code, reason });

let store: BoardStore;
let desyncs: Desync[];
let rejections: Rejection[];

function noteTexts(view = store.visible): string {
  return [...view.notes.values()]
    .filter((n) => !n.deleted)
    .map((n) => `${n.id}=${n.text}`)
    .sort()
    .join(" ");
}

beforeEach(() => {
  let n = 0;
  store = new BoardStore({ newClientOpId: () => `op${++n}` });
  desyncs = [];
  rejections = [];
  store.desyncs.add((d) => desyncs.push(d));
  store.rejections.add((r) => rejections.push(r));
  store.welcome(snapshot(5n, [{ id: "n0", text: "Leerstand" }]));
});

describe("optimistic updates", () => {
  it("shows an own op at once but keeps it out of the confirmed state", () => {
    const id = store.propose(createNote("n1", "Radwege"));
    expect(id).toBe("op1");
    expect(noteTexts()).toBe("n0=Leerstand n1=Radwege");
    expect(noteTexts(store.confirmed)).toBe("n0=Leerstand");
    expect(store.pendingOps.map((p) => p.clientOpId)).toEqual(["op1"]);
    expect(store.lastSeenSeq).toBe(5n);
  });

  it("re-applies pending ops on top of events from others", () => {
    store.propose(editText("n0", "Leerstand in Ortskernen"));
    store.applyEvent(event(6n, "other", createNote("n9", "ÖPNV")));
    expect(noteTexts()).toBe("n0=Leerstand in Ortskernen n9=ÖPNV");
    expect(store.lastSeenSeq).toBe(6n);
  });

  it("notifies listeners on every change", () => {
    let calls = 0;
    store.changes.add(() => calls++);
    store.propose(createNote("n1"));
    store.applyEvent(event(6n, "other", createNote("n2")));
    store.ack(ack("op1", 7n));
    expect(calls).toBe(3);
  });

  it("never throws for a pending op whose object someone else deleted", () => {
    store.propose(editText("n0", "mine"));
    store.propose(vote("n0"));
    store.applyEvent(event(6n, "other", deleteNote("n0")));
    expect(noteTexts()).toBe("");
    expect(store.visible.ballots.size).toBe(0);
  });
});

describe("ack (the author gets an Ack carrying the seq, not the Event)", () => {
  it("applies the pending copy to the confirmed state at the acked seq", () => {
    store.propose(createNote("n1", "Radwege"));
    store.ack(ack("op1", 6n));
    expect(store.pendingOps).toEqual([]);
    expect(store.lastSeenSeq).toBe(6n);
    const note = store.confirmed.notes.get("n1");
    expect(note).toMatchObject({ text: "Radwege", authorId: ME, createdSeq: 6n, updatedSeq: 6n });
    expect(describeBoard(store.visible)).toBe(describeBoard(store.confirmed));
  });

  it("interleaves acked own ops with other people's events in seq order", () => {
    store.propose(createNote("n1", "mine"));
    store.applyEvent(event(6n, "other", createNote("n2", "theirs")));
    store.ack(ack("op1", 7n));
    store.applyEvent(event(8n, "other", editText("n1", "edited by other")));
    expect(noteTexts(store.confirmed)).toBe("n0=Leerstand n1=edited by other n2=theirs");
    expect(store.confirmed.notes.get("n1")).toMatchObject({ createdSeq: 7n, updatedSeq: 8n });
    expect(desyncs).toEqual([]);
  });

  it("acks out of proposal order are applied at their own seqs", () => {
    store.propose(vote("n0"));
    store.propose(createNote("n1"));
    store.ack(ack("op2", 6n));
    expect(store.pendingOps.map((p) => p.clientOpId)).toEqual(["op1"]);
    expect(dotsOn(store.confirmed, "n0")).toBe(0);
    expect(dotsOn(store.visible, "n0")).toBe(1);
    store.ack(ack("op1", 7n));
    expect(dotsOn(store.confirmed, "n0")).toBe(1);
  });

  it("tolerates a server that also sends the author the Event after the Ack", () => {
    store.propose(vote("n0"));
    store.ack(ack("op1", 6n));
    store.applyEvent(event(6n, ME, vote("n0")));
    store.applyEvent(event(7n, "other", vote("n0")));
    expect(desyncs).toEqual([]);
    expect(dotsOn(store.confirmed, "n0")).toBe(2);
  });

  it("tolerates a server that sends the author the Event before the Ack, without a double vote", () => {
    store.propose(vote("n0"));
    store.applyEvent(event(6n, ME, vote("n0")));
    expect(dotsOn(store.visible, "n0")).toBe(1);
    store.ack(ack("op1", 6n));
    expect(store.pendingOps).toEqual([]);
    expect(dotsOn(store.visible, "n0")).toBe(1);
    expect(desyncs).toEqual([]);
  });
});

describe("reject", () => {
  it("drops the op, rolls the visible state back and reports code and reason", () => {
    store.propose(editText("n0", "typo"));
    expect(noteTexts()).toBe("n0=typo");
    store.reject(reject("op1", RejectCode.BOARD_LOCKED, "the board is locked by the facilitator"));
    expect(noteTexts()).toBe("n0=Leerstand");
    expect(store.pendingOps).toEqual([]);
    expect(rejections).toHaveLength(1);
    expect(rejections[0]).toMatchObject({
      clientOpId: "op1",
      code: RejectCode.BOARD_LOCKED,
      reason: "the board is locked by the facilitator",
    });
    expect(rejections[0]?.op.kind.case).toBe("updateNote");
  });

  it("rolls back only the rejected op; later pending ops stay", () => {
    store.propose(createNote("n1", "a"));
    store.propose(createNote("n2", "b"));
    store.propose(createNote("n3", "c"));
    store.reject(reject("op2", RejectCode.LIMIT_REACHED, "too many notes"));
    expect(noteTexts()).toBe("n0=Leerstand n1=a n3=c");
  });

  it("rolls back dependent ops' visible effect when their base is rejected", () => {
    store.propose(createNote("n1", "a"));
    store.propose(editText("n1", "b"));
    store.reject(reject("op1", RejectCode.DUPLICATE_ID, "id taken"));
    expect(noteTexts()).toBe("n0=Leerstand");
    expect(store.pendingOps.map((p) => p.clientOpId)).toEqual(["op2"]);
  });

  it("ignores a reject for an op it does not hold", () => {
    store.reject(reject("unknown", RejectCode.INVALID_FIELD, "x"));
    expect(rejections).toEqual([]);
  });
});

describe("gap and duplicate detection", () => {
  it("reports a gap, then ignores events until the next Welcome", () => {
    store.applyEvent(event(7n, "other", createNote("n7")));
    expect(desyncs).toEqual([{ kind: "gap", expected: 6n, received: 7n }]);
    expect(store.isDesynced).toBe(true);
    store.applyEvent(event(8n, "other", createNote("n8")));
    expect(desyncs).toHaveLength(1);
    expect(noteTexts(store.confirmed)).toBe("n0=Leerstand");
    expect(store.lastSeenSeq).toBe(5n);

    store.welcome(welcome({ seq: 8n, resumed: true }));
    expect(store.isDesynced).toBe(false);
    store.applyEvent(event(6n, "other", createNote("n6")));
    store.applyEvent(event(7n, "other", createNote("n7")));
    expect(noteTexts(store.confirmed)).toBe("n0=Leerstand n6=n6 n7=n7");
  });

  it("reports a duplicate seq", () => {
    store.applyEvent(event(6n, "other", vote("n0")));
    store.applyEvent(event(6n, "other", vote("n0")));
    expect(desyncs).toEqual([{ kind: "duplicate", expected: 7n, received: 6n }]);
    expect(dotsOn(store.confirmed, "n0")).toBe(1);
  });

  it("holds an ack that runs ahead of the stream until the events before it arrive", () => {
    store.propose(vote("n0"));
    store.ack(ack("op1", 7n));
    expect(desyncs).toEqual([]);
    expect(store.lastSeenSeq).toBe(5n);
    expect(dotsOn(store.visible, "n0")).toBe(1);
    store.applyEvent(event(6n, "other", createNote("n6")));
    expect(store.lastSeenSeq).toBe(7n);
    expect(store.pendingOps).toEqual([]);
    expect(dotsOn(store.confirmed, "n0")).toBe(1);
    store.applyEvent(event(8n, "other", vote("n0")));
    expect(dotsOn(store.confirmed, "n0")).toBe(2);
    expect(desyncs).toEqual([]);
  });

  it("does not apply an op twice when its Event follows an early Ack", () => {
    store.propose(vote("n0"));
    store.ack(ack("op1", 7n));
    store.applyEvent(event(6n, "other", createNote("n6")));
    // A server that sends catch-up events for own ops too: 7 is already filled.
    store.applyEvent(event(7n, ME, vote("n0")));
    expect(desyncs).toEqual([]);
    expect(dotsOn(store.confirmed, "n0")).toBe(1);
  });

  it("still reports a gap when an event skips a seq while an ack waits", () => {
    store.propose(vote("n0"));
    store.ack(ack("op1", 7n));
    store.applyEvent(event(8n, "other", createNote("n8")));
    expect(desyncs).toEqual([{ kind: "gap", expected: 6n, received: 8n }]);
  });

  it("reports an ack for an unknown op that fills the next seq", () => {
    store.ack(ack("lost-op", 6n));
    expect(desyncs).toEqual([{ kind: "unknown-ack", expected: 6n, clientOpId: "lost-op" }]);
  });

  it("asks for a full snapshot when a resumed server is behind us", () => {
    store.welcome(welcome({ seq: 3n, resumed: true }));
    expect(desyncs).toEqual([{ kind: "server-behind", ours: 5n, server: 3n }]);
    expect(store.lastSeenSeq).toBe(0n);
    store.welcome(snapshot(3n, [{ id: "n0", text: "restored" }]));
    expect(store.lastSeenSeq).toBe(3n);
    expect(store.isDesynced).toBe(false);
    expect(noteTexts()).toBe("n0=restored");
  });
});

describe("history reset", () => {
  it("discards the board and what the old history acknowledged, keeps unanswered ops and sends them again", () => {
    store.welcome(welcome({ seq: 5n, resumed: true, historyId: "inc-a:w" }));
    expect(store.historyId).toBe("inc-a:w");
    store.propose(vote("n0")); // op1: acknowledged at 7 by the old history, 6 never arrived
    store.propose(createNote("n2", "unbeantwortet")); // op2: never answered
    expect(store.takeUnsent(1).map((r) => r.clientOpId)).toEqual(["op1", "op2"]);
    store.ack(ack("op1", 7n));

    // The server restored an older backup: a full state at seq 3.
    store.welcome(
      create(WelcomeSchema, {
        protocolVersion: 1,
        participantId: ME,
        seq: 3n,
        historyId: "inc-b:w",
        historyReset: true,
        state: { seq: 3n, notes: [{ id: "n0", text: "aus dem Backup", authorId: "other", createdSeq: 1n, updatedSeq: 1n }] },
      }),
    );
    expect(store.historyId).toBe("inc-b:w");
    expect(store.isDesynced).toBe(false);
    expect(store.lastSeenSeq).toBe(3n);
    expect(noteTexts(store.confirmed)).toBe("n0=aus dem Backup");
    expect(store.pendingOps.map((p) => p.clientOpId)).toEqual(["op2"]);
    expect(noteTexts()).toBe("n0=aus dem Backup n2=unbeantwortet");
    // Sent again in the next session, once.
    expect(store.takeUnsent(2).map((r) => r.clientOpId)).toEqual(["op2"]);
    expect(store.takeUnsent(2)).toEqual([]);
    // The new history's seq 4 is someone else's event, applied normally.
    store.applyEvent(event(4n, "other", createNote("n4")));
    expect(desyncs).toEqual([]);
    expect(noteTexts(store.confirmed)).toBe("n0=aus dem Backup n4=n4");
  });
});

describe("resume", () => {
  it("hands out each pending op once per session, and again once after a reconnect with the same ids", () => {
    store.propose(createNote("n1"));
    store.propose(vote("n0"));
    expect(store.takeUnsent(1).map((r) => r.clientOpId)).toEqual(["op1", "op2"]);
    expect(store.takeUnsent(1)).toEqual([]);
    store.propose(createNote("n2"));
    expect(store.takeUnsent(1).map((r) => r.clientOpId)).toEqual(["op3"]);

    // The connection drops before any answer; session 2 starts.
    store.welcome(welcome({ seq: 5n, resumed: true }));
    const resent = store.takeUnsent(2);
    expect(resent.map((r) => r.clientOpId)).toEqual(["op1", "op2", "op3"]);
    expect(resent[0]?.op?.kind.case).toBe("createNote");
    expect(store.takeUnsent(2)).toEqual([]);
  });

  it("drops a resent op that the snapshot already contains when its ack names the old seq", () => {
    store.propose(vote("n0"));
    store.takeUnsent(1);
    // Applied at seq 6 before the drop; the Ack was lost. The new session
    // starts from a snapshot that already has the vote.
    store.welcome(
      welcome({
        seq: 6n,
        state: {
          seq: 6n,
          notes: [{ id: "n0", text: "Leerstand" }],
          ballots: [{ roundId: "r1", voterId: ME, noteId: "n0", dots: 1 }],
          rounds: [{ id: "r1", open: true, dotsPerParticipant: 10, maxDotsPerNote: 10 }],
        },
      }),
    );
    expect(store.takeUnsent(2)).toHaveLength(1);
    store.ack(ack("op1", 6n));
    expect(store.pendingOps).toEqual([]);
    expect(dotsOn(store.visible, "n0")).toBe(1);
    expect(desyncs).toEqual([]);
  });

  it("keeps the confirmed state across a resume and continues after the last seen seq", () => {
    store.applyEvent(event(6n, "other", createNote("n6")));
    store.welcome(welcome({ seq: 7n, resumed: true }));
    expect(store.lastSeenSeq).toBe(6n);
    store.applyEvent(event(7n, "other", createNote("n7")));
    expect(noteTexts(store.confirmed)).toBe("n0=Leerstand n6=n6 n7=n7");
  });
});

describe("facilitation in the store", () => {
  it("applies an own timer op from its Ack at the estimated server time", () => {
    let now = 1_000_000;
    const timed = new BoardStore({ newClientOpId: () => "t1", serverNow: () => now });
    timed.welcome(welcome({ seq: 1n, state: { seq: 1n, participants: [{ id: ME, role: 1 }] } }));
    timed.propose({ kind: { case: "timer", value: { action: 1, durationMs: 60_000n } } });
    now += 250;
    timed.ack(ack("t1", 2n));
    expect(timed.confirmed.timer.deadlineMs).toBe(BigInt(1_000_250 + 60_000));
  });

  it("hides an own note written in a private phase at once, as the server will", () => {
    const priv = new BoardStore({ newClientOpId: () => "c1" });
    priv.welcome(
      welcome({
        seq: 3n,
        state: {
          seq: 3n,
          participants: [{ id: ME, role: 2 }],
          agenda: { currentPhaseId: "s", phases: [{ id: "s", name: "Sammeln", kind: 2, privateCollection: true }] },
        },
      }),
    );
    priv.propose(createNote("mine"));
    expect(priv.visible.notes.get("mine")).toMatchObject({ hidden: true, hiddenFromFacilitators: true });
  });

  it("reports every confirmed event, own ones from their Ack", () => {
    const seen: string[] = [];
    store.applied.add((e) => seen.push(`${e.seq}:${e.op.kind.case}:${e.own ? "own" : e.authorId}`));
    store.propose(createNote("n1"));
    store.applyEvent(event(6n, "other", { kind: { case: "bringEveryoneHere", value: { viewport: { x: 1, y: 2, width: 3, height: 4 } } } }));
    store.ack(ack("op1", 7n));
    expect(seen).toEqual(["6:bringEveryoneHere:other", "7:createNote:own"]);
  });

  it("waits for the server's copy of an own Reveal and keeps showing it meanwhile", () => {
    store.propose({ kind: { case: "reveal", value: { scope: { case: "all", value: true } } } });
    store.ack(ack("op1", 6n));
    expect(desyncs).toEqual([{ kind: "server-copy", expected: 6n, clientOpId: "op1" }]);
    expect(store.confirmed.seq).toBe(5n);
    expect(store.pendingOps).toHaveLength(1);
    store.welcome(welcome({ seq: 5n, resumed: true }));
    store.applyEvent(
      event(6n, ME, { kind: { case: "reveal", value: { scope: { case: "all", value: true }, notes: [{ id: "x", text: "aufgedeckt", authorId: "p9" }] } } }),
    );
    expect(store.pendingOps).toEqual([]);
    expect(store.confirmed.notes.get("x")?.text).toBe("aufgedeckt");
  });
});

describe("the server clock floor", () => {
  it("remembers the newest event's server time, never going back", () => {
    expect(store.latestEventTimeMs).toBe(0);
    store.applyEvent(create(EventSchema, { seq: 6n, authorId: "other", serverTimeMs: 1_700_000_005_000n, op: create(OpSchema, createNote("n5")) }));
    expect(store.latestEventTimeMs).toBe(1_700_000_005_000);
    // A later event stamped a little earlier (another thread's clock read) does not lower it.
    store.applyEvent(create(EventSchema, { seq: 7n, authorId: "other", serverTimeMs: 1_700_000_004_990n, op: create(OpSchema, createNote("n6")) }));
    expect(store.latestEventTimeMs).toBe(1_700_000_005_000);
  });
});
