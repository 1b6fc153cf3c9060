import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { beforeEach, describe, expect, it } from "vitest";
import {
  AreaField,
  BoardStateSchema,
  ClusterField,
  Color,
  NoteField,
  ObjectKind,
  OpSchema,
  Role,
  SettingsField,
} from "../gen/werkstatt/v1/board_pb";
import {
  applyOp,
  boardFromState,
  clusterMembers,
  copyBoard,
  describeBoard,
  dotsOf,
  dotsOn,
  emptyBoard,
  type BoardModel,
} from "./board-model";

type OpInit = MessageInitShape<typeof OpSchema>;

let board: BoardModel;
let seq: bigint;

/** Applies ops as consecutive confirmed events by `author`. */
function apply(author: string, ...ops: OpInit[]): boolean[] {
  return ops.map((o) => {
    seq += 1n;
    const changed = applyOp(board, create(OpSchema, o), { seq, authorId: author });
    board.seq = seq;
    return changed;
  });
}

const note = (id: string, text = id, extra: Record<string, unknown> = {}): OpInit => ({
  kind: { case: "createNote", value: { id, text, position: { x: 10, y: 20 }, ...extra } },
});
const ref = (kind: ObjectKind, id: string) => ({ kind, id });
const openRoundOp = (id: string, extra: Record<string, unknown> = {}): OpInit => ({
  kind: { case: "openVotingRound", value: { round: { id, title: id, dotsPerParticipant: 10, maxDotsPerNote: 10, ...extra } } },
});
const lines = (prefix: string) =>
  describeBoard(board)
    .split("\n")
    .filter((l) => l.startsWith(prefix))
    .join("\n");

beforeEach(() => {
  board = emptyBoard();
  seq = 0n;
});

describe("notes", () => {
  it("creates a note with the author, the seq and the server's defaults", () => {
    apply("p1", note("n1", "Mehr Radwege"));
    expect(lines("note")).toBe('note n1 "Mehr Radwege" YELLOW (10,20) 160x160 by p1 area=- cluster=- @1/1');
  });

  it("ignores a create whose id is taken, by an object of any kind", () => {
    apply("f", { kind: { case: "createArea", value: { id: "a1", rect: { x: 0, y: 0, width: 900, height: 900 } } } });
    expect(apply("p1", note("n1", "first"), note("n1", "second"), note("a1"))).toEqual([true, false, false]);
    expect(board.notes.get("n1")?.text).toBe("first");
    expect(board.notes.has("a1")).toBe(false);
  });

  it("updates exactly the masked fields", () => {
    apply("p1", note("n1", "old", { color: Color.BLUE }));
    apply("p2", {
      kind: {
        case: "updateNote",
        value: { id: "n1", mask: [NoteField.TEXT], text: "new", color: Color.PINK, size: { width: 300, height: 300 } },
      },
    });
    expect(lines("note")).toBe('note n1 "new" BLUE (10,20) 160x160 by p1 area=- cluster=- @1/2');
    apply("p2", { kind: { case: "updateNote", value: { id: "n1", mask: [NoteField.COLOR, NoteField.SIZE], color: Color.PINK, size: { width: 300, height: 200 } } } });
    expect(lines("note")).toBe('note n1 "new" PINK (10,20) 300x200 by p1 area=- cluster=- @1/3');
  });

  it("moves a note and re-homes it only when area_id is present", () => {
    apply("p1", { kind: { case: "createArea", value: { id: "a1", title: "Chancen", rect: { x: 0, y: 0, width: 500, height: 500 } } } });
    apply("p1", note("n1", "x", { areaId: "a1" }));
    apply("p1", { kind: { case: "move", value: { target: ref(ObjectKind.NOTE, "n1"), position: { x: 5, y: 6 } } } });
    expect(board.notes.get("n1")).toMatchObject({ areaId: "a1", position: { x: 5, y: 6 } });
    apply("p1", { kind: { case: "move", value: { target: ref(ObjectKind.NOTE, "n1"), position: { x: 7, y: 8 }, areaId: "" } } });
    expect(board.notes.get("n1")).toMatchObject({ areaId: "", position: { x: 7, y: 8 } });
  });

  it("deletes a note with its ballots and restores it without them", () => {
    apply("p1", note("n1"), note("n2"));
    apply("f", openRoundOp("r1"));
    apply("p2", { kind: { case: "castVote", value: { noteId: "n1" } } }, { kind: { case: "castVote", value: { noteId: "n2" } } });
    apply("p1", { kind: { case: "delete", value: { target: ref(ObjectKind.NOTE, "n1") } } });
    expect(board.notes.get("n1")?.deleted).toBe(true);
    expect(lines("ballot")).toBe("ballot r1 p2 n2 1");
    expect(dotsOf(board, "p2")).toBe(1);
    apply("p1", { kind: { case: "restore", value: { target: ref(ObjectKind.NOTE, "n1") } } });
    expect(board.notes.get("n1")).toMatchObject({ deleted: false, updatedSeq: 7n });
    expect(dotsOn(board, "n1")).toBe(0);
  });

  it("does not edit, move or vote on a deleted note", () => {
    apply("p1", note("n1", "kept"), { kind: { case: "delete", value: { target: ref(ObjectKind.NOTE, "n1") } } });
    const before = describeBoard(board);
    expect(
      apply(
        "p1",
        { kind: { case: "updateNote", value: { id: "n1", mask: [NoteField.TEXT], text: "changed" } } },
        { kind: { case: "move", value: { target: ref(ObjectKind.NOTE, "n1"), position: { x: 1, y: 1 } } } },
        { kind: { case: "castVote", value: { noteId: "n1" } } },
        { kind: { case: "delete", value: { target: ref(ObjectKind.NOTE, "n1") } } },
      ),
    ).toEqual([false, false, false, false]);
    expect(describeBoard(board).replace(/^seq \d+/, "")).toBe(before.replace(/^seq \d+/, ""));
  });
});

describe("areas", () => {
  it("creates, updates by mask, moves its origin, deletes and restores", () => {
    apply("f", { kind: { case: "createArea", value: { id: "a1", title: "Herausforderungen", rect: { x: 0, y: 0, width: 800, height: 600 }, color: Color.ORANGE } } });
    apply("f", { kind: { case: "updateArea", value: { id: "a1", mask: [AreaField.TITLE], title: "Probleme", color: Color.GREEN } } });
    apply("f", { kind: { case: "move", value: { target: ref(ObjectKind.AREA, "a1"), position: { x: 100, y: -50 } } } });
    expect(lines("area")).toBe('area a1 "Probleme" ORANGE [100,-50 800x600] @1/3');
    apply("f", { kind: { case: "updateArea", value: { id: "a1", mask: [AreaField.RECT, AreaField.COLOR], rect: { x: 1, y: 2, width: 300, height: 400 }, color: Color.GREY } } });
    apply("f", { kind: { case: "delete", value: { target: ref(ObjectKind.AREA, "a1") } } });
    expect(lines("area")).toBe('area a1 "Probleme" GREY [1,2 300x400] deleted @1/5');
    apply("f", { kind: { case: "restore", value: { target: ref(ObjectKind.AREA, "a1") } } });
    expect(board.areas.get("a1")?.deleted).toBe(false);
  });
});

describe("clusters", () => {
  beforeEach(() => {
    apply("p1", note("n1"), note("n2"), note("n3"));
  });

  it("creates a cluster with its initial members in one op", () => {
    apply("p2", { kind: { case: "createCluster", value: { id: "c1", title: "Mobilität", position: { x: 1, y: 2 }, noteIds: ["n1", "n2", "missing"] } } });
    expect(lines("cluster")).toBe('cluster c1 "Mobilität" (1,2) area=- @4/4');
    expect(clusterMembers(board, "c1").map((n) => n.id)).toEqual(["n1", "n2"]);
    expect(board.notes.get("n1")?.updatedSeq).toBe(4n);
  });

  it("adds, moves between and removes members; a note is in one cluster at most", () => {
    apply(
      "p2",
      { kind: { case: "createCluster", value: { id: "c1", title: "A" } } },
      { kind: { case: "createCluster", value: { id: "c2", title: "B" } } },
      { kind: { case: "addToCluster", value: { clusterId: "c1", noteId: "n3" } } },
      { kind: { case: "addToCluster", value: { clusterId: "c2", noteId: "n3" } } },
    );
    expect(clusterMembers(board, "c1")).toEqual([]);
    expect(clusterMembers(board, "c2").map((n) => n.id)).toEqual(["n3"]);
    apply("p2", { kind: { case: "removeFromCluster", value: { noteId: "n3" } } });
    expect(board.notes.get("n3")?.clusterId).toBe("");
    expect(apply("p2", { kind: { case: "addToCluster", value: { clusterId: "nope", noteId: "n3" } } })).toEqual([false]);
  });

  it("renames by mask and moves (re-homing with area_id) without moving its notes", () => {
    apply("p2", { kind: { case: "createCluster", value: { id: "c1", title: "A", noteIds: ["n1"] } } });
    apply("p2", { kind: { case: "updateCluster", value: { id: "c1", mask: [ClusterField.TITLE], title: "Verkehr" } } });
    apply("p2", { kind: { case: "move", value: { target: ref(ObjectKind.CLUSTER, "c1"), position: { x: 300, y: 300 } } } });
    expect(lines("cluster")).toBe('cluster c1 "Verkehr" (300,300) area=- @4/6');
    expect(board.notes.get("n1")?.position).toMatchObject({ x: 10, y: 20 });
    apply("f", { kind: { case: "createArea", value: { id: "a1", rect: { x: 0, y: 0, width: 900, height: 900 } } } });
    apply("p2", { kind: { case: "move", value: { target: ref(ObjectKind.CLUSTER, "c1"), position: { x: 5, y: 5 }, areaId: "a1" } } });
    expect(lines("cluster")).toBe('cluster c1 "Verkehr" (5,5) area=a1 @4/8');
  });

  it("un-clusters its notes when deleted and comes back alone when restored", () => {
    apply("p2", { kind: { case: "createCluster", value: { id: "c1", title: "A", noteIds: ["n1", "n2"] } } });
    apply("p1", { kind: { case: "delete", value: { target: ref(ObjectKind.NOTE, "n2") } } });
    apply("p2", { kind: { case: "delete", value: { target: ref(ObjectKind.CLUSTER, "c1") } } });
    expect(board.notes.get("n1")?.clusterId).toBe("");
    expect(board.notes.get("n2")?.clusterId).toBe(""); // deleted members too
    apply("p2", { kind: { case: "restore", value: { target: ref(ObjectKind.CLUSTER, "c1") } } });
    expect(board.clusters.get("c1")?.deleted).toBe(false);
    expect(clusterMembers(board, "c1")).toEqual([]);
  });
});

describe("votes", () => {
  it("adds and retracts the voter's own dots", () => {
    apply("p1", note("n1"));
    apply("f", openRoundOp("r1"));
    apply("p2", ...Array.from({ length: 3 }, () => ({ kind: { case: "castVote" as const, value: { noteId: "n1" } } })));
    apply("p3", { kind: { case: "castVote", value: { noteId: "n1" } } });
    expect(lines("ballot")).toBe("ballot r1 p2 n1 3\nballot r1 p3 n1 1");
    apply("p2", { kind: { case: "retractVote", value: { noteId: "n1" } } });
    apply("p3", { kind: { case: "retractVote", value: { noteId: "n1" } } });
    expect(lines("ballot")).toBe("ballot r1 p2 n1 2");
    expect(dotsOn(board, "n1")).toBe(2);
    expect(apply("p3", { kind: { case: "retractVote", value: { noteId: "n1" } } })).toEqual([false]);
  });

  it("ignores a vote on a missing note or without an open round", () => {
    apply("p1", note("n1"));
    expect(apply("p1", { kind: { case: "castVote", value: { noteId: "n1" } } })).toEqual([false]);
    apply("f", openRoundOp("r1"));
    expect(apply("p1", { kind: { case: "castVote", value: { noteId: "ghost" } } })).toEqual([false]);
    expect(board.ballots.size).toBe(0);
  });
});

describe("settings and participants", () => {
  it("updates exactly the masked settings", () => {
    apply("f", {
      kind: {
        case: "updateSettings",
        value: {
          mask: [SettingsField.TITLE, SettingsField.LOCKED, SettingsField.PSEUDONYMOUS],
          settings: { title: "Impuls-Werkstatt Nord", language: "en", locked: true, pseudonymous: true },
        },
      },
    });
    expect(lines("settings")).toBe('settings "Impuls-Werkstatt Nord" lang=de locked pseudonymous');
    apply("f", { kind: { case: "updateSettings", value: { mask: [SettingsField.LANGUAGE, SettingsField.PSEUDONYMOUS, SettingsField.LOCKED], settings: { language: "de", pseudonymous: false } } } });
    expect(lines("settings")).toBe('settings "Impuls-Werkstatt Nord" lang=de');
  });

  it("tracks joins (keeping the first joined seq on a re-join) and leaves", () => {
    const join = (id: string, name: string): OpInit => ({
      kind: { case: "participantJoined", value: { participant: { id, displayName: name, role: Role.PARTICIPANT } } },
    });
    apply("", join("p1", "Anna"), join("p2", "Ben"));
    apply("", { kind: { case: "participantLeft", value: { participantId: "p1" } } });
    expect(lines("participant")).toBe('participant p1 "Anna" PARTICIPANT @1 #1\nparticipant p2 "Ben" PARTICIPANT online @2 #2');
    // A rejoin takes name and role from the (server-normalised) join and
    // keeps joined_seq and the pseudonym number.
    apply("", { kind: { case: "participantJoined", value: { participant: { id: "p1", displayName: "Anna K.", role: Role.FACILITATOR, joinedSeq: 4n } } } });
    expect(lines("participant")).toBe('participant p1 "Anna K." FACILITATOR online @1 #1\nparticipant p2 "Ben" PARTICIPANT online @2 #2');
    expect(apply("", { kind: { case: "participantLeft", value: { participantId: "ghost" } } })).toEqual([false]);
  });

  it("drops identities the server forgot at the identity cap", () => {
    const join = (id: string): OpInit => ({
      kind: { case: "participantJoined", value: { participant: { id, displayName: id, role: Role.PARTICIPANT } } },
    });
    apply("", join("p1"), join("p2"), join("p3"));
    expect(apply("", { kind: { case: "forgetParticipants", value: { participantIds: ["p1", "p3"] } } })).toEqual([true]);
    expect(lines("participant")).toBe('participant p2 "p2" PARTICIPANT online @2 #2');
    expect(apply("", { kind: { case: "forgetParticipants", value: { participantIds: ["ghost"] } } })).toEqual([false]);
  });

  it("an erased person keeps their place under the server's pseudonym, removed, and their notes stay", () => {
    apply("", { kind: { case: "participantJoined", value: { participant: { id: "p1", displayName: "Anna", role: Role.PARTICIPANT } } } });
    apply("p1", { kind: { case: "createNote", value: { id: "n1", text: "bleibt" } } });
    apply("", { kind: { case: "eraseParticipant", value: { participantId: "p1", displayName: "Gelöschte Person 1" } } });
    expect(lines("participant")).toBe('participant p1 "Gelöschte Person 1" PARTICIPANT removed @1 #1');
    expect(lines("note")).toContain('"bleibt"');
    expect(apply("", { kind: { case: "eraseParticipant", value: { participantId: "ghost", displayName: "x" } } })).toEqual([false]);
  });
});

describe("robustness", () => {
  it("changes nothing for ops naming missing objects or carrying no target", () => {
    const ops: OpInit[] = [
      {},
      { kind: { case: "updateNote", value: { id: "x", mask: [NoteField.TEXT], text: "t" } } },
      { kind: { case: "updateArea", value: { id: "x", mask: [AreaField.TITLE] } } },
      { kind: { case: "updateCluster", value: { id: "x", mask: [ClusterField.TITLE] } } },
      { kind: { case: "move", value: { position: { x: 1, y: 1 } } } },
      { kind: { case: "move", value: { target: ref(ObjectKind.AREA, "x"), position: { x: 1, y: 1 } } } },
      { kind: { case: "move", value: { target: ref(ObjectKind.UNSPECIFIED, "x"), position: { x: 1, y: 1 } } } },
      { kind: { case: "delete", value: { target: ref(ObjectKind.CLUSTER, "x") } } },
      { kind: { case: "delete", value: {} } },
      { kind: { case: "restore", value: { target: ref(ObjectKind.NOTE, "x") } } },
      { kind: { case: "addToCluster", value: { clusterId: "x", noteId: "y" } } },
      { kind: { case: "removeFromCluster", value: { noteId: "x" } } },
      { kind: { case: "createCluster", value: { id: "c", noteIds: ["x"] } } },
    ];
    const results = apply("p1", ...ops);
    expect(results.slice(0, -1).every((r) => !r)).toBe(true);
    expect(describeBoard(board)).toBe(`seq 13\nsettings "" lang=de\ncluster c "" (0,0) area=- @13/13`);
  });
});

describe("snapshots and copies", () => {
  it("loads a BoardState and copies without sharing the maps", () => {
    const state = create(BoardStateSchema, {
      seq: 42n,
      settings: { title: "T" },
      notes: [{ id: "n1", text: "a", color: Color.GREEN, authorId: "p1", createdSeq: 3n, updatedSeq: 9n }],
      ballots: [{ roundId: "r1", voterId: "p1", noteId: "n1", dots: 2 }],
      rounds: [{ id: "r1", open: true, dotsPerParticipant: 5, maxDotsPerNote: 3 }],
    });
    const loaded = boardFromState(state);
    expect(loaded.seq).toBe(42n);
    expect(dotsOn(loaded, "n1")).toBe(2);
    const copy = copyBoard(loaded);
    applyOp(copy, create(OpSchema, { kind: { case: "delete", value: { target: ref(ObjectKind.NOTE, "n1") } } }), { seq: 43n, authorId: "p1" });
    expect(copy.notes.get("n1")?.deleted).toBe(true);
    expect(loaded.notes.get("n1")?.deleted).toBe(false);
    expect(dotsOn(loaded, "n1")).toBe(2);
  });
});
