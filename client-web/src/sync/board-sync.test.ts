import { beforeEach, describe, expect, it } from "vitest";
import { ObjectKind, RejectCode } from "../gen/werkstatt/v1/board_pb";
import type { ClientMessage } from "../gen/werkstatt/v1/protocol_pb";
import { Connection } from "../net/connection";
import { IdentityStore } from "../net/identity";
import type { ServerMessageInit } from "../protocol/codec";
import { dotsOn } from "../state/board-model";
import { BoardStore, type OpInit, type Rejection } from "../state/board-store";
import { FakeClock } from "../test/fake-clock";
import { FakeSockets, type FakeSocket } from "../test/fake-socket";
import { BoardSync } from "./board-sync";

let clock: FakeClock;
let sockets: FakeSockets;
let store: BoardStore;
let connection: Connection;
let sync: BoardSync;

const createNote = (id: string, text = id): OpInit => ({
  kind: { case: "createNote", value: { id, text, position: { x: 0, y: 0 } } },
});
const vote = (noteId: string): OpInit => ({ kind: { case: "castVote", value: { noteId } } });

function welcome(seq: bigint, withState: boolean): ServerMessageInit {
  return {
    body: {
      case: "welcome",
      value: {
        protocolVersion: 1,
        participantId: "me",
        participantSecret: "s",
        serverTimeMs: BigInt(clock.now()),
        seq,
        resumed: !withState,
        state: withState
          ? {
              seq,
              notes: [{ id: "n0", text: "Leerstand", authorId: "other", createdSeq: 1n, updatedSeq: 1n }],
              rounds: [{ id: "r1", open: true, dotsPerParticipant: 10, maxDotsPerNote: 10 }],
            }
          : undefined,
      },
    },
  };
}

function helloOf(socket: FakeSocket) {
  const body = socket.sent[0]?.body;
  if (body?.case !== "hello") throw new Error(`first message was ${body?.case}`);
  return body.value;
}

function opIds(messages: readonly ClientMessage[]): string[] {
  return messages.flatMap((m) => (m.body.case === "op" ? [m.body.value.clientOpId] : []));
}

/** Runs the pending backoff delay, then opens the new socket. */
function reconnect(): FakeSocket {
  clock.advance(clock.scheduled()[0] ?? 0);
  sockets.last.open();
  return sockets.last;
}

beforeEach(() => {
  clock = new FakeClock();
  sockets = new FakeSockets();
  let n = 0;
  store = new BoardStore({ newClientOpId: () => `op${++n}` });
  connection = new Connection({
    url: "ws://test/ws",
    workshopId: "w1",
    credential: { kind: { case: "joinCode", value: "code" } },
    identity: new IdentityStore(undefined, "w1", "joinCode"),
    lastSeenSeq: () => store.lastSeenSeq,
    createSocket: sockets.factory,
    timers: clock,
    random: () => 0,
  });
  sync = new BoardSync(store, connection);
  connection.start();
  sockets.last.open();
  sockets.last.receive(welcome(5n, true));
});

describe("sending ops", () => {
  it("sends an op proposed while online once, after the Hello", () => {
    sync.propose(createNote("n1"));
    expect(sockets.last.sentCases()).toEqual(["hello", "op"]);
    expect(opIds(sockets.last.sent)).toEqual(["op1"]);
  });

  it("holds ops proposed before Welcome and sends them right after it", () => {
    sockets.last.serverClose();
    sync.propose(createNote("n1"));
    const socket = reconnect();
    sync.propose(vote("n0")); // socket open, Welcome not yet there
    expect(opIds(socket.sent)).toEqual([]);
    socket.receive(welcome(5n, false));
    expect(opIds(socket.sent)).toEqual(["op1", "op2"]);
  });
});

describe("resume", () => {
  it("resends every unanswered op exactly once after a reconnect, with the same ids", () => {
    sync.propose(createNote("n1"));
    sync.propose(vote("n0"));
    sockets.last.receive({ body: { case: "ack", value: { clientOpId: "op1", seq: 6n } } });
    sockets.last.receive({ body: { case: "event", value: { seq: 7n, authorId: "other", op: createNote("n7") } } });
    const first = sockets.last;
    first.serverClose();

    sync.propose(createNote("n2")); // while offline: queued, not sent
    expect(opIds(first.sent)).toEqual(["op1", "op2"]);

    const second = reconnect();
    expect(helloOf(second).lastSeenSeq).toBe(7n);
    expect(helloOf(second).participantId).toBe("me");
    second.receive(welcome(7n, false));
    expect(opIds(second.sent)).toEqual(["op2", "op3"]);

    // More traffic in the same session sends nothing twice.
    sync.propose(createNote("n4"));
    second.receive({ body: { case: "event", value: { seq: 8n, authorId: "other", op: createNote("n8") } } });
    expect(opIds(second.sent)).toEqual(["op2", "op3", "op4"]);

    // The server applies the resent op2 at 9 and op3 at 10.
    second.receive({ body: { case: "ack", value: { clientOpId: "op2", seq: 9n } } });
    second.receive({ body: { case: "ack", value: { clientOpId: "op3", seq: 10n } } });
    expect(store.lastSeenSeq).toBe(10n);
    expect(store.pendingOps.map((p) => p.clientOpId)).toEqual(["op4"]);
    expect(dotsOn(store.confirmed, "n0")).toBe(1);
  });

  it("drops a resent op the server had applied before the drop (ack with its original seq)", () => {
    sync.propose(vote("n0"));
    sockets.last.serverClose(); // the Ack for seq 6 was lost
    const second = reconnect();
    // Catch-up carries the own op as an Event, then the resend is answered.
    second.receive(welcome(6n, false));
    second.receive({ body: { case: "event", value: { seq: 6n, authorId: "me", op: vote("n0") } } });
    expect(dotsOn(store.visible, "n0")).toBe(1); // not 2 while the Ack is on its way
    second.receive({ body: { case: "ack", value: { clientOpId: "op1", seq: 6n } } });
    expect(store.pendingOps).toEqual([]);
    expect(dotsOn(store.visible, "n0")).toBe(1);
  });
});

describe("gap", () => {
  it("reconnects from the last confirmed seq when an event is missing", () => {
    sockets.last.receive({ body: { case: "event", value: { seq: 6n, authorId: "other", op: createNote("n6") } } });
    const first = sockets.last;
    first.receive({ body: { case: "event", value: { seq: 8n, authorId: "other", op: createNote("n8") } } });
    expect(connection.status).toBe("reconnecting");
    expect(first.closedByClient).toBeDefined();
    expect(connection.lastError?.message).toMatch(/expected seq 7, received 8/);

    const second = reconnect();
    expect(helloOf(second).lastSeenSeq).toBe(6n);
    second.receive(welcome(8n, false));
    second.receive({ body: { case: "event", value: { seq: 7n, authorId: "other", op: createNote("n7") } } });
    second.receive({ body: { case: "event", value: { seq: 8n, authorId: "other", op: createNote("n8") } } });
    expect([...store.confirmed.notes.keys()].sort()).toEqual(["n0", "n6", "n7", "n8"]);
    expect(store.isDesynced).toBe(false);
  });
});

describe("reject", () => {
  it("rolls back the visible state and reports the reason", () => {
    const rejections: Rejection[] = [];
    store.rejections.add((r) => rejections.push(r));
    const id = sync.propose({ kind: { case: "delete", value: { target: { kind: ObjectKind.NOTE, id: "n0" } } } });
    expect(store.visible.notes.get("n0")?.deleted).toBe(true);
    sockets.last.receive({
      body: { case: "reject", value: { clientOpId: id, code: RejectCode.NOT_PERMITTED, reason: "participants may not delete other people's notes right now" } },
    });
    expect(store.visible.notes.get("n0")?.deleted).toBe(false);
    expect(rejections.map((r) => [r.clientOpId, r.code])).toEqual([[id, RejectCode.NOT_PERMITTED]]);
  });
});

describe("ops the server completes", () => {
  it("fetches the server's copy of an own RotateJoinCode by resuming from the seq before it, at once", () => {
    const id = sync.propose({ kind: { case: "rotateJoinCode", value: {} } });
    const first = sockets.last;
    first.receive({ body: { case: "ack", value: { clientOpId: id, seq: 6n } } });
    // Not applied from the pending copy (it has no code): a new session now.
    expect(connection.status).toBe("reconnecting");
    expect(clock.scheduled()).not.toContain(250);
    const second = sockets.last;
    expect(second).not.toBe(first);
    second.open();
    expect(helloOf(second).lastSeenSeq).toBe(5n);
    second.receive(welcome(5n, false));
    second.receive({ body: { case: "event", value: { seq: 6n, authorId: "me", op: { kind: { case: "rotateJoinCode", value: { joinCode: "XYZ789" } } } } } });
    expect(store.confirmed.joinCode).toBe("XYZ789");
    expect(store.pendingOps).toEqual([]);
    expect(store.isDesynced).toBe(false);
    // The resent op's late Ack (original seq) changes nothing.
    second.receive({ body: { case: "ack", value: { clientOpId: id, seq: 6n } } });
    expect(store.confirmed.seq).toBe(6n);
  });
});

describe("changes of this client's standing", () => {
  it("starts over from a snapshot when a facilitator changes our role", () => {
    sockets.last.receive({ body: { case: "event", value: { seq: 6n, authorId: "f", op: { kind: { case: "setRole", value: { participantId: "me", role: 1 } } } } } });
    expect(connection.status).toBe("reconnecting");
    sockets.last.open();
    expect(helloOf(sockets.last).lastSeenSeq).toBe(0n);
  });

  it("stops for good when a facilitator removes us", () => {
    let removed = 0;
    sync.removed.add(() => removed++);
    sockets.last.receive({ body: { case: "event", value: { seq: 6n, authorId: "f", op: { kind: { case: "removeParticipant", value: { participantId: "me" } } } } } });
    expect(removed).toBe(1);
    expect(connection.status).toBe("offline");
    clock.advance(60_000);
    expect(sockets.all).toHaveLength(1);
  });
});

describe("presence", () => {
  it("keeps who is online from the Welcome and the updates", () => {
    const socket = sockets.last;
    socket.serverClose();
    const second = reconnect();
    second.receive({
      body: {
        case: "welcome",
        value: {
          protocolVersion: 1,
          participantId: "me",
          seq: 5n,
          resumed: true,
          online: [{ participantId: "me", displayName: "Ich" }, { participantId: "p2", displayName: "Ben" }],
        },
      },
    });
    expect([...sync.online.all.keys()]).toEqual(["me", "p2"]);
    second.receive({ body: { case: "presence", value: { states: [{ participantId: "p3", displayName: "Cem", cursor: { x: 1, y: 2 } }], gone: ["p2"] } } });
    expect([...sync.online.all.keys()]).toEqual(["me", "p3"]);
    expect(sync.online.all.get("p3")?.cursor).toMatchObject({ x: 1, y: 2 });
  });
});
