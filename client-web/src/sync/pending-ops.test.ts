import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { OpSchema } from "../gen/werkstatt/v1/board_pb";
import type { ClientMessage } from "../gen/werkstatt/v1/protocol_pb";
import { Connection } from "../net/connection";
import { IdentityStore, type KeyValueStorage } from "../net/identity";
import type { ServerMessageInit } from "../protocol/codec";
import { BoardStore, type OpInit } from "../state/board-store";
import { FakeClock } from "../test/fake-clock";
import { FakeSockets } from "../test/fake-socket";
import { BoardSync } from "./board-sync";
import { MAX_STORED_OPS, PendingOpStore } from "./pending-ops";

class MemoryStorage implements KeyValueStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

const text = (id: string, value: string): OpInit => ({ kind: { case: "updateNote", value: { id, text: value, mask: [1] } } });
const op = (init: OpInit) => create(OpSchema, init);

describe("PendingOpStore", () => {
  it("gives back what it saved, only to the participant who made it", () => {
    const storage = new MemoryStorage();
    const ops = new PendingOpStore(storage, "w1", "joinCode");
    ops.save("p1", [{ clientOpId: "a1", op: op(text("n1", "Radweg")) }, { clientOpId: "a2", op: op(text("n1", "Radwege")) }]);
    const again = new PendingOpStore(storage, "w1", "joinCode"); // the next page load
    const loaded = again.load("p1");
    expect(loaded.map((p) => p.clientOpId)).toEqual(["a1", "a2"]);
    expect(loaded[1]?.op.kind.case === "updateNote" && loaded[1].op.kind.value.text).toBe("Radwege");
    expect(again.load("p2")).toEqual([]);
    expect(new PendingOpStore(storage, "w2", "joinCode").load("p1")).toEqual([]);
  });

  it("removes the entry when nothing is pending, drops corrupt entries, and stays bounded", () => {
    const storage = new MemoryStorage();
    const ops = new PendingOpStore(storage, "w1", "joinCode");
    ops.save("p1", [{ clientOpId: "a1", op: op(text("n1", "x")) }]);
    expect(storage.items.size).toBe(1);
    ops.save("p1", []);
    expect(storage.items.size).toBe(0);

    storage.setItem("werkstatt.pending.v1.w1.joinCode", "{not json");
    expect(ops.load("p1")).toEqual([]);

    const many = Array.from({ length: MAX_STORED_OPS + 50 }, (_, i) => ({ clientOpId: `a${i}`, op: op(text("n1", `v${i}`)) }));
    ops.save("p1", many);
    expect(ops.load("p1")).toHaveLength(MAX_STORED_OPS);
  });

  it("storage that throws costs nothing but the safety net", () => {
    const broken: KeyValueStorage = {
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("quota");
      },
      removeItem: () => undefined,
    };
    const ops = new PendingOpStore(broken, "w1", "joinCode");
    expect(() => ops.save("p1", [{ clientOpId: "a1", op: op(text("n1", "x")) }])).not.toThrow();
    expect(ops.load("p1")).toEqual([]);
  });
});

describe("ops left unanswered by a page survive a reload", () => {
  function page(storage: MemoryStorage, firstOpId: number) {
    const clock = new FakeClock();
    const sockets = new FakeSockets();
    let n = firstOpId;
    const store = new BoardStore({ newClientOpId: () => `op${++n}` });
    const connection = new Connection({
      url: "ws://test/ws",
      workshopId: "w1",
      credential: { kind: { case: "joinCode", value: "code" } },
      identity: new IdentityStore(storage, "w1", "joinCode"),
      lastSeenSeq: () => store.lastSeenSeq,
      createSocket: sockets.factory,
      timers: clock,
      random: () => 0,
    });
    const sync = new BoardSync(store, connection, new PendingOpStore(storage, "w1", "joinCode"));
    connection.start();
    sockets.last.open();
    return { store, sync, sockets, clock };
  }
  const welcome = (participantId: string, seq: bigint): ServerMessageInit => ({
    body: { case: "welcome", value: { protocolVersion: 1, participantId, participantSecret: "s", seq, state: { seq, notes: [] } } },
  });
  const opIds = (messages: readonly ClientMessage[]) =>
    messages.flatMap((m) => (m.body.case === "op" ? [m.body.value.clientOpId] : []));

  it("resends them first, with their ids, after the next page's Welcome", () => {
    const storage = new MemoryStorage();
    const first = page(storage, 0);
    first.sockets.last.receive(welcome("me", 5n));
    first.sockets.last.serverClose(); // offline from here
    first.sync.propose({ kind: { case: "createNote", value: { id: "n1", text: "Offline geschrieben", position: { x: 0, y: 0 } } } });
    first.sync.propose(text("n1", "Offline geschrieben, bearbeitet"));
    expect(first.store.pendingOps.map((p) => p.clientOpId)).toEqual(["op1", "op2"]);
    // The page is reloaded: a new store, a new connection, the same storage.
    const second = page(storage, 100);
    second.sync.propose(text("n1", "nach dem Neuladen")); // typed before the Welcome
    second.sockets.last.receive(welcome("me", 5n));
    expect(opIds(second.sockets.last.sent)).toEqual(["op1", "op2", "op101"]);
    expect([...second.store.visible.notes.values()].map((n) => n.text)).toEqual(["nach dem Neuladen"]);
    // Once answered, they are gone from storage too.
    second.sockets.last.receive({ body: { case: "ack", value: { clientOpId: "op1", seq: 6n } } });
    second.sockets.last.receive({ body: { case: "ack", value: { clientOpId: "op2", seq: 7n } } });
    second.sockets.last.receive({ body: { case: "ack", value: { clientOpId: "op101", seq: 8n } } });
    expect(storage.items.has("werkstatt.pending.v1.w1.joinCode")).toBe(false);
  });

  it("are not sent as somebody else", () => {
    const storage = new MemoryStorage();
    const first = page(storage, 0);
    first.sockets.last.receive(welcome("me", 5n));
    first.sockets.last.serverClose();
    first.sync.propose(text("n0", "mine"));
    const second = page(storage, 100);
    second.sockets.last.receive(welcome("someone-new", 5n));
    expect(opIds(second.sockets.last.sent)).toEqual([]);
  });
});
