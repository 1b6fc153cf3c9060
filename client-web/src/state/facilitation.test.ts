// Facilitation ops and per-viewer views in the client's board model, checked
// against what server/board/facilitation.cpp and views.cpp do.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { beforeEach, describe, expect, it } from "vitest";
import {
  BoardStateSchema,
  OpSchema,
  PhaseKind,
  Role,
  SettingsField,
  TimerControl_Action,
} from "../gen/werkstatt/v1/board_pb";
import {
  applyOp,
  boardFromState,
  currentPhase,
  describeBoard,
  dotsOf,
  dotsOn,
  emptyBoard,
  hiddenCountIn,
  hiddenCountOf,
  openRound,
  ownDotsOn,
  visibleName,
  type BoardModel,
} from "./board-model";

type OpInit = MessageInitShape<typeof OpSchema>;

let board: BoardModel;
let seq: bigint;
let viewer: string;
const T0 = 1_700_000_000_000;

/** Applies ops as consecutive confirmed events by `author` at time T0 + seq s. */
function apply(author: string, ...ops: OpInit[]): boolean[] {
  return ops.map((o) => {
    seq += 1n;
    const changed = applyOp(board, create(OpSchema, o), { seq, authorId: author, timeMs: T0 + Number(seq) * 1000, viewerId: viewer });
    board.seq = seq;
    return changed;
  });
}
const lines = (prefix: string) =>
  describeBoard(board)
    .split("\n")
    .filter((l) => l.startsWith(prefix))
    .join("\n");

const join = (id: string, role: Role, name = id): OpInit => ({
  kind: { case: "participantJoined", value: { participant: { id, displayName: name, role } } },
});
const phases = (privateCollection: boolean, facilitatorsSeePrivate = false): OpInit => ({
  kind: {
    case: "setAgenda",
    value: {
      phases: [
        { id: "ankommen", name: "Ankommen", kind: PhaseKind.CHECK_IN, plannedSeconds: 600 },
        { id: "sammeln", name: "Sammeln", kind: PhaseKind.COLLECT, plannedSeconds: 1200, privateCollection, facilitatorsSeePrivate },
        { id: "bewerten", name: "Bewerten", kind: PhaseKind.VOTE, plannedSeconds: 600, facilitatorsSeePrivate: true },
      ],
    },
  },
});
const goTo = (phaseId: string, startTimer = false): OpInit => ({ kind: { case: "goToPhase", value: { phaseId, startTimer } } });
const note = (id: string, areaId = ""): OpInit => ({
  kind: { case: "createNote", value: { id, text: id, position: { x: 0, y: 0 }, areaId } },
});
const timer = (action: TimerControl_Action, extra: Record<string, unknown> = {}): OpInit => ({
  kind: { case: "timer", value: { action, ...extra } },
});
const vote = (noteId: string): OpInit => ({ kind: { case: "castVote", value: { noteId } } });
const retract = (noteId: string): OpInit => ({ kind: { case: "retractVote", value: { noteId } } });
const openRoundOp = (id: string, extra: Record<string, unknown> = {}): OpInit => ({
  kind: { case: "openVotingRound", value: { round: { id, title: "Runde", dotsPerParticipant: 3, maxDotsPerNote: 2, ...extra } } },
});
const redacted = (init: Record<string, unknown>): OpInit => ({ kind: { case: "redacted", value: init } });

beforeEach(() => {
  board = emptyBoard();
  seq = 0n;
  viewer = "";
  apply("", join("f", Role.FACILITATOR, "Frieda"), join("p1", Role.PARTICIPANT, "Anna"), join("p2", Role.PARTICIPANT, "Ben"));
});

describe("agenda and phases", () => {
  it("sets the agenda, clearing facilitators_see_private outside private phases", () => {
    apply("f", phases(true, true));
    expect(board.agenda.phases.map((p) => `${p.id}:${p.facilitatorsSeePrivate}`)).toEqual(["ankommen:false", "sammeln:true", "bewerten:false"]);
    expect(currentPhase(board)).toBeUndefined();
  });

  it("goes to a phase at the event's time and starts its timer when asked", () => {
    apply("f", phases(false));
    apply("f", goTo("ankommen"));
    expect(lines("agenda")).toBe(`agenda ankommen,sammeln,bewerten current=ankommen @5 t=${T0 + 5000}`);
    expect(lines("timer")).toBe("");
    apply("f", goTo("sammeln", true));
    expect(currentPhase(board)?.name).toBe("Sammeln");
    expect(lines("timer")).toBe(`timer RUNNING duration=1200000 deadline=${T0 + 6000 + 1_200_000} remaining=0`);
  });
});

describe("phase notes and instructions", () => {
  const notes = (phaseId: string, text: string): OpInit => ({ kind: { case: "setPhaseNotes", value: { phaseId, text } } });

  it("sets a phase's notes, in any phase, and clears them with an empty text", () => {
    apply("f", phases(false), goTo("ankommen"));
    expect(apply("f", notes("bewerten", "Vorab: drei Punkte je Person"))).toEqual([true]);
    expect(apply("f", notes("ankommen", "22 Personen, Vorstellung per Runde"))).toEqual([true]);
    expect(lines("phase")).toBe(
      'phase ankommen instructions="" notes="22 Personen, Vorstellung per Runde"\n' + 'phase bewerten instructions="" notes="Vorab: drei Punkte je Person"',
    );
    apply("f", notes("ankommen", ""));
    expect(lines("phase")).toBe('phase bewerten instructions="" notes="Vorab: drei Punkte je Person"');
  });

  it("ignores notes for a phase that is not in the agenda", () => {
    apply("f", phases(false));
    expect(apply("f", notes("gibt-es-nicht", "x"))).toEqual([false]);
    expect(lines("phase")).toBe("");
  });

  it("SetAgenda keeps the stored notes of every phase whose id stays, ignores notes in its phases and keeps instructions", () => {
    apply("f", phases(false), notes("ankommen", "Beschluss A"), notes("sammeln", "Ergebnis S"));
    apply("f", {
      kind: {
        case: "setAgenda",
        value: {
          phases: [
            { id: "sammeln", name: "Ideen sammeln", kind: PhaseKind.COLLECT, instructions: "Eine Idee je Karte.", notes: "überschrieben?" },
            { id: "neu", name: "Neu", kind: PhaseKind.DISCUSS, notes: "auch nicht" },
            { id: "ankommen", name: "Ankommen", kind: PhaseKind.CHECK_IN },
          ],
        },
      },
    });
    expect(board.agenda.phases.map((p) => `${p.id}:${p.name}:${p.notes}`)).toEqual(["sammeln:Ideen sammeln:Ergebnis S", "neu:Neu:", "ankommen:Ankommen:Beschluss A"]);
    expect(lines("phase")).toBe(
      'phase sammeln instructions="Eine Idee je Karte." notes="Ergebnis S"\n' + 'phase ankommen instructions="" notes="Beschluss A"',
    );
    // A phase dropped and added again under the same id starts without notes.
    apply("f", { kind: { case: "setAgenda", value: { phases: [{ id: "sammeln", name: "S", kind: PhaseKind.COLLECT }] } } });
    apply("f", { kind: { case: "setAgenda", value: { phases: [{ id: "ankommen", name: "A", kind: PhaseKind.CHECK_IN }] } } });
    expect(board.agenda.phases[0]?.notes).toBe("");
  });
});

describe("voting on clusters", () => {
  const cvote = (clusterId: string): OpInit => ({ kind: { case: "castVote", value: { clusterId } } });
  const cretract = (clusterId: string): OpInit => ({ kind: { case: "retractVote", value: { clusterId } } });

  beforeEach(() => {
    apply("p1", note("n1", "a"), note("n2", "a"));
    apply("p1", { kind: { case: "createCluster", value: { id: "c1", title: "Mobilität", areaId: "a", noteIds: ["n1", "n2"] } } });
  });

  it("puts dots on the cluster itself, from the same budget, and takes them back", () => {
    viewer = "p1";
    apply("f", openRoundOp("r1", { dotsPerParticipant: 3, maxDotsPerNote: 2 }));
    expect(apply("p1", cvote("c1"), cvote("c1"), vote("n1"))).toEqual([true, true, true]);
    expect(lines("ballot")).toBe("ballot r1 p1 c1 2\nballot r1 p1 n1 1");
    expect(dotsOf(board, "p1")).toBe(3);
    expect(ownDotsOn(board, "p1", "c1")).toBe(2);
    apply("p1", cretract("c1"));
    expect(ownDotsOn(board, "p1", "c1")).toBe(1);
  });

  it("counts live tallies on the cluster and gives its dots back when it is deleted", () => {
    viewer = "f";
    apply("f", openRoundOp("r1", { liveCounts: true }));
    apply("f", cvote("c1"));
    expect(dotsOn(board, "c1")).toBe(1);
    apply("f", { kind: { case: "delete", value: { target: { kind: 3, id: "c1" } } } });
    expect(dotsOn(board, "c1")).toBe(0);
    expect(lines("ballot")).toBe("");
    // A deleted (or unknown) cluster takes no dots.
    expect(apply("f", cvote("c1"), cvote("nope"))).toEqual([false, false]);
  });
});

describe("merging duplicates", () => {
  const merge = (intoNoteId: string, fromNoteId: string, text = ""): OpInit => ({ kind: { case: "mergeNotes", value: { intoNoteId, fromNoteId, text } } });
  const restore = (id: string): OpInit => ({ kind: { case: "restore", value: { target: { kind: 1, id } } } });

  beforeEach(() => {
    apply("p1", note("n1"), note("n2"), note("n3"));
  });

  it("gives the into-note the text (empty keeps its own) and deletes the from-note; Restore brings it back without dots", () => {
    viewer = "p1";
    apply("f", openRoundOp("r1", { maxDotsPerNote: 3 }));
    apply("p1", vote("n2"));
    expect(apply("f", merge("n1", "n2", "Radwege und Busse"))).toEqual([true]);
    expect(lines("note")).toBe(
      [
        'note n1 "Radwege und Busse" YELLOW (0,0) 160x160 by p1 area=- cluster=- @4/9',
        'note n2 "n2" YELLOW (0,0) 160x160 by p1 area=- cluster=- deleted @5/9',
        'note n3 "n3" YELLOW (0,0) 160x160 by p1 area=- cluster=- @6/6',
      ].join("\n"),
    );
    expect(lines("ballot")).toBe("ballot r1 p1 n1 1");
    apply("f", merge("n1", "n3"));
    expect(board.notes.get("n1")?.text).toBe("Radwege und Busse");
    apply("f", restore("n2"));
    expect(board.notes.get("n2")?.deleted).toBe(false);
    expect(ownDotsOn(board, "p1", "n2")).toBe(0);
    expect(ownDotsOn(board, "p1", "n1")).toBe(1);
  });

  it("moves ballots of every round; a voter's dots add up, in the open round up to max per note", () => {
    viewer = "p1";
    apply("f", openRoundOp("r1", { dotsPerParticipant: 10, maxDotsPerNote: 3 }));
    apply("p1", vote("n1"), vote("n2"));
    apply("f", { kind: { case: "closeVotingRound", value: { roundId: "r1", results: [{ noteId: "n1", dots: 1 }, { noteId: "n2", dots: 1 }] } } });
    apply("f", openRoundOp("r2", { dotsPerParticipant: 10, maxDotsPerNote: 3 }));
    apply("p1", vote("n1"), vote("n1"), vote("n2"), vote("n2"));
    expect(dotsOf(board, "p1")).toBe(4);
    apply("f", merge("n1", "n2"));
    // Closed round: 1 + 1 (no cap there); open round: 2 + 2 capped at 3, one dot back in the budget.
    expect(lines("ballot")).toBe("ballot r1 p1 n1 2\nballot r2 p1 n1 3");
    expect(dotsOf(board, "p1")).toBe(3);
  });

  it("moves the open round's live counts to the into-note", () => {
    viewer = "f";
    apply("f", openRoundOp("r1", { liveCounts: true }));
    apply("p1", redacted({ talliesReplaced: true, tallies: [{ noteId: "n1", dots: 2 }, { noteId: "n2", dots: 1 }, { noteId: "n3", dots: 1 }], voters: 2 }));
    apply("f", merge("n3", "n2"));
    expect(lines("tally")).toBe("tally n1 2\ntally n3 2");
    expect(dotsOn(board, "n2")).toBe(0);
  });

  it("takes the server's counts after the merge in a live-count round (the cap may have given others' dots back)", () => {
    viewer = "f";
    apply("f", openRoundOp("r1", { liveCounts: true, maxDotsPerNote: 2 }));
    apply("p1", redacted({ talliesReplaced: true, tallies: [{ noteId: "n1", dots: 2 }, { noteId: "n2", dots: 2 }], voters: 1 }));
    // Without the server's counts this viewer would add up 4 on n1.
    apply("f", { kind: { case: "mergeNotes", value: { intoNoteId: "n1", fromNoteId: "n2", text: "", tallies: [{ noteId: "n1", dots: 2 }] } } });
    expect(lines("tally")).toBe("tally n1 2");
  });

  it("a replay's full state recounts the open round from the moved ballots", () => {
    board = boardFromState(create(BoardStateSchema, {}), { full: true });
    apply("", join("f", Role.FACILITATOR), join("p1", Role.PARTICIPANT), join("p2", Role.PARTICIPANT));
    apply("p1", note("a"), note("b"));
    apply("f", openRoundOp("r1", { dotsPerParticipant: 5, maxDotsPerNote: 2 }));
    apply("p1", vote("a"), vote("b"));
    apply("p2", vote("b"), vote("b"));
    apply("f", merge("a", "b"));
    expect(lines("tally")).toBe("tally a 4");
    expect(lines("ballot")).toBe("ballot r1 p1 a 2\nballot r1 p2 a 2");
  });

  it("changes nothing for the same id, a missing or a deleted note", () => {
    apply("p1", { kind: { case: "delete", value: { target: { kind: 1, id: "n3" } } } });
    const before = describeBoard(board);
    expect(apply("f", merge("n1", "n1"), merge("n1", "nope"), merge("nope", "n1"), merge("n1", "n3"), merge("n3", "n1"))).toEqual([false, false, false, false, false]);
    expect(describeBoard(board).replace(/^seq \d+/, "")).toBe(before.replace(/^seq \d+/, ""));
  });
});

describe("timer", () => {
  it("starts, pauses, resumes, adjusts, expires (locking the board) and stops", () => {
    apply("f", timer(TimerControl_Action.START, { durationMs: 60_000n, lockOnExpiry: true })); // at T0+4s
    expect(lines("timer")).toBe(`timer RUNNING duration=60000 deadline=${T0 + 64_000} remaining=0 lock`);
    apply("f", timer(TimerControl_Action.PAUSE)); // at T0+5s: 59 s left
    expect(lines("timer")).toBe("timer PAUSED duration=60000 deadline=0 remaining=59000 lock");
    apply("f", timer(TimerControl_Action.ADJUST, { deltaMs: 60_000n }));
    expect(lines("timer")).toBe("timer PAUSED duration=120000 deadline=0 remaining=119000 lock");
    apply("f", timer(TimerControl_Action.RESUME)); // at T0+7s
    expect(lines("timer")).toBe(`timer RUNNING duration=120000 deadline=${T0 + 7000 + 119_000} remaining=0 lock`);
    // Taking away more than is left ends it now, never in the past.
    apply("f", timer(TimerControl_Action.ADJUST, { deltaMs: -600_000n })); // at T0+8s
    expect(lines("timer")).toBe(`timer RUNNING duration=0 deadline=${T0 + 8000} remaining=0 lock`);
    apply("", timer(TimerControl_Action.EXPIRE));
    expect(lines("timer")).toBe(`timer EXPIRED duration=0 deadline=${T0 + 8000} remaining=0 lock`);
    expect(board.settings.locked).toBe(true);
    apply("f", timer(TimerControl_Action.STOP));
    expect(lines("timer")).toBe("");
    expect(apply("f", timer(TimerControl_Action.PAUSE))).toEqual([false]);
  });
});

describe("private collection", () => {
  beforeEach(() => {
    apply("f", phases(true), goTo("ankommen"), goTo("sammeln"));
  });

  it("hides participants' notes written in a private phase (from facilitators too unless allowed)", () => {
    apply("p1", note("n1"));
    apply("f", note("n2"));
    expect(lines("note")).toBe(
      'note n1 "n1" YELLOW (0,0) 160x160 by p1 area=- cluster=- hidden(all) @7/7\n' +
        'note n2 "n2" YELLOW (0,0) 160x160 by f area=- cluster=- @8/8',
    );
    apply("f", phases(true, true));
    apply("p2", note("n3"));
    expect(board.notes.get("n3")).toMatchObject({ hidden: true, hiddenFromFacilitators: false });
  });

  it("counts others' unrevealed notes from Redacted events, replacing that author's counts", () => {
    viewer = "p2";
    apply("p1", redacted({ hiddenAuthorId: "p1", hiddenNotes: [{ authorId: "p1", areaId: "", count: 1 }] }));
    apply("p1", redacted({ hiddenAuthorId: "p1", hiddenNotes: [{ authorId: "p1", areaId: "", count: 1 }, { authorId: "p1", areaId: "a1", count: 2 }] }));
    apply("f", redacted({ hiddenAuthorId: "f2", hiddenNotes: [{ authorId: "f2", areaId: "a1", count: 4 }] }));
    expect(hiddenCountIn(board, "a1")).toBe(6);
    expect(hiddenCountIn(board, "")).toBe(1);
    expect(hiddenCountOf(board, "p1")).toBe(3);
    // The author deleted their last hidden note: their counts, now empty.
    apply("f2", redacted({ hiddenAuthorId: "f2", hiddenNotes: [{ authorId: "f2", areaId: "a1", count: 1 }] }));
    apply("f2", redacted({ hiddenAuthorId: "f2" }));
    expect(hiddenCountOf(board, "f2")).toBe(0);
    // A Redacted that says nothing (a hidden vote, a join-code rotation) changes nothing.
    apply("f", redacted({}));
    expect(hiddenCountOf(board, "f2")).toBe(0);
    expect(hiddenCountOf(board, "p1")).toBe(3);
  });

  it("reveals by participant, by area and all, taking the notes the server sends", () => {
    viewer = "p2";
    board.hiddenNotes = [
      { $typeName: "werkstatt.v1.HiddenNotes", authorId: "p1", areaId: "a1", count: 1 },
      { $typeName: "werkstatt.v1.HiddenNotes", authorId: "p1", areaId: "a2", count: 1 },
      { $typeName: "werkstatt.v1.HiddenNotes", authorId: "p3", areaId: "a1", count: 1 },
    ];
    apply("p2", note("own", "a1")); // own hidden note: visible to its author, not counted
    expect(board.notes.get("own")?.hidden).toBe(true);
    const revealed = (id: string, author: string, areaId: string) => ({ id, text: id, authorId: author, areaId, createdSeq: 7n, updatedSeq: 9n });
    apply("f", { kind: { case: "reveal", value: { scope: { case: "participantId", value: "p1" }, notes: [revealed("x1", "p1", "a1"), revealed("x2", "p1", "a2")] } } });
    expect(lines("hidden")).toBe("hidden p3 area=a1 1");
    expect(board.notes.get("x1")).toMatchObject({ text: "x1", hidden: false });
    expect(board.notes.get("own")?.hidden).toBe(true);
    apply("f", { kind: { case: "reveal", value: { scope: { case: "areaId", value: "a1" }, notes: [revealed("x3", "p3", "a1")] } } });
    expect(lines("hidden")).toBe("");
    expect(board.notes.get("own")).toMatchObject({ hidden: false, updatedSeq: seq });
    expect(apply("f", { kind: { case: "reveal", value: { scope: { case: "all", value: true } } } })).toEqual([false]);
  });
});

describe("voting rounds", () => {
  beforeEach(() => {
    apply("p1", note("n1"), note("n2"), note("n3"));
  });

  it("keeps ballots per round and the budget of the open round", () => {
    viewer = "p1";
    apply("f", openRoundOp("r1"));
    expect(openRound(board)).toMatchObject({ id: "r1", open: true, openedSeq: 7n });
    apply("p1", vote("n1"), vote("n1"), vote("n2"));
    expect(dotsOf(board, "p1")).toBe(3);
    expect(ownDotsOn(board, "p1", "n1")).toBe(2);
    // Participants without live counts see only their own dots.
    expect(board.tallies.size).toBe(0);
    apply("p1", retract("n1"));
    expect(lines("ballot")).toBe("ballot r1 p1 n1 1\nballot r1 p1 n2 1");
    apply("f", { kind: { case: "closeVotingRound", value: { roundId: "r1", results: [{ noteId: "n1", dots: 5 }, { noteId: "n2", dots: 1 }] } } });
    expect(lines("round")).toBe('round r1 "Runde" 3/2 @7-12 results=n1:5,n2:1');
    expect(dotsOf(board, "p1")).toBe(0);
    // A second round starts with a full budget; closed rounds keep their ballots.
    apply("f", openRoundOp("r2"));
    apply("p1", vote("n3"));
    expect(dotsOf(board, "p1")).toBe(1);
    expect(lines("ballot")).toBe("ballot r1 p1 n1 1\nballot r1 p1 n2 1\nballot r2 p1 n3 1");
  });

  it("a facilitator sees no counts of a hidden round, not even of their own dots", () => {
    viewer = "f";
    apply("f", openRoundOp("r1"));
    apply("f", vote("n2")); // own vote, applied from its Ack
    expect(board.tallies.size).toBe(0);
    expect(ownDotsOn(board, "f", "n2")).toBe(1);
  });

  it("tracks the tallies of a live round, from Redacted and own votes", () => {
    viewer = "f";
    apply("f", openRoundOp("r1", { liveCounts: true }));
    apply("p1", redacted({ talliesReplaced: true, tallies: [{ noteId: "n1", dots: 1 }] }));
    apply("p2", redacted({ talliesReplaced: true, tallies: [{ noteId: "n1", dots: 2 }, { noteId: "n2", dots: 1 }] }));
    apply("f", vote("n2")); // own vote, applied from its Ack
    expect(dotsOn(board, "n1")).toBe(2);
    expect(dotsOn(board, "n2")).toBe(2);
    // Deleting a note gives its dots back.
    apply("p1", { kind: { case: "delete", value: { target: { kind: 1, id: "n1" } } } });
    expect(dotsOn(board, "n1")).toBe(0);
    expect(lines("tally")).toBe("tally n2 2");
    // Closing computes the results from the tallies when the op carries none
    // (an own CloseVotingRound applied from its Ack), most dots first.
    apply("f", { kind: { case: "closeVotingRound", value: { roundId: "r1" } } });
    expect(lines("round")).toBe('round r1 "Runde" 3/2 @7-12 results=n2:2');
    expect(lines("tally")).toBe("");
  });

  it("counts how many people voted, never who: from Redacted, own first and last dots, and the close", () => {
    viewer = "p2";
    apply("f", openRoundOp("r1", { liveCounts: true }));
    expect(board.openRoundVoters).toBe(0);
    apply("", redacted({ talliesReplaced: true, tallies: [{ noteId: "n1", dots: 1 }], voters: 1 }));
    expect(board.openRoundVoters).toBe(1);
    apply("p2", vote("n2")); // own first dot, from its Ack
    expect(board.openRoundVoters).toBe(2);
    apply("p2", vote("n2")); // a second dot: still one person
    expect(board.openRoundVoters).toBe(2);
    const retract = { kind: { case: "retractVote", value: { noteId: "n2" } } } as const;
    apply("p2", retract);
    expect(board.openRoundVoters).toBe(2);
    apply("p2", retract); // the last dot: no longer a voter
    expect(board.openRoundVoters).toBe(1);
    apply("f", { kind: { case: "closeVotingRound", value: { roundId: "r1", results: [{ noteId: "n1", dots: 1 }], voters: 1 } } });
    expect(board.rounds[0]?.voters).toBe(1);
    expect(board.openRoundVoters).toBe(0);
  });

  it("keeps no voter count in a round with hidden counts", () => {
    viewer = "p2";
    apply("f", openRoundOp("r1"));
    apply("p2", vote("n2"));
    apply("", redacted({}));
    expect(board.openRoundVoters).toBe(0);
  });

  it("clears the tallies when the last dot is retracted (replaced by an empty list)", () => {
    viewer = "p2";
    apply("f", openRoundOp("r1", { liveCounts: true }));
    apply("p1", redacted({ talliesReplaced: true, tallies: [{ noteId: "n1", dots: 1 }] }));
    apply("p1", redacted({}));  // says nothing: the counts stay
    expect(board.tallies.size).toBe(1);
    apply("p1", redacted({ talliesReplaced: true }));
    expect(board.tallies.size).toBe(0);
  });

  it("counts every ballot in a replay's full state", () => {
    const state = create(BoardStateSchema, {
      seq: 20n,
      rounds: [{ id: "r1", open: true, dotsPerParticipant: 5, maxDotsPerNote: 5 }],
      notes: [{ id: "n1", authorId: "p1" }, { id: "n2", authorId: "p1" }],
      ballots: [
        { roundId: "r1", voterId: "p1", noteId: "n1", dots: 2 },
        { roundId: "r1", voterId: "p2", noteId: "n1", dots: 1 },
        { roundId: "r1", voterId: "p2", noteId: "n2", dots: 1 },
      ],
    });
    const full = boardFromState(state, { full: true });
    expect([...full.tallies]).toEqual([["n1", 3], ["n2", 1]]);
    applyOp(full, create(OpSchema, vote("n2")), { seq: 21n, authorId: "p3" });
    expect(dotsOn(full, "n2")).toBe(2);
  });
});

describe("people and control", () => {
  it("changes roles, renames, removes, lowers hands and ends follow-me with the facilitator", () => {
    apply("p1", { kind: { case: "raiseHand", value: {} } });
    apply("p2", { kind: { case: "raiseHand", value: {} } });
    expect(apply("p2", { kind: { case: "raiseHand", value: {} } })).toEqual([false]);
    expect(board.raisedHands).toEqual(["p1", "p2"]);
    apply("f", { kind: { case: "lowerHand", value: { participantId: "p1" } } });
    apply("f", { kind: { case: "setRole", value: { participantId: "p2", role: Role.FACILITATOR } } });
    apply("p2", { kind: { case: "setFollowMe", value: { active: true } } });
    expect(lines("follow")).toBe("follow p2");
    apply("f", { kind: { case: "renameParticipant", value: { participantId: "p1", displayName: "Anna K." } } });
    apply("f", { kind: { case: "removeParticipant", value: { participantId: "p2" } } });
    expect(lines("participant")).toBe(
      'participant f "Frieda" FACILITATOR online @1 #1\n' +
        'participant p1 "Anna K." PARTICIPANT online @2 #2\n' +
        'participant p2 "Ben" FACILITATOR removed @3 #3',
    );
    expect(board.raisedHands).toEqual([]);
    expect(lines("follow")).toBe("");
  });

  it("shows pseudonyms to participants, names to facilitators and oneself", () => {
    apply("f", { kind: { case: "updateSettings", value: { mask: [SettingsField.PSEUDONYMOUS], settings: { pseudonymous: true } } } });
    expect(visibleName(board, "p1", "p2")).toBe("Person 2");
    expect(visibleName(board, "p1", "p1")).toBe("Anna");
    expect(visibleName(board, "p1", "f")).toBe("Anna");
  });

  it("keeps the join code, follow-me and closes the workshop, counting the open round", () => {
    viewer = "f";
    apply("f", { kind: { case: "rotateJoinCode", value: { joinCode: "ABC234" } } });
    expect(board.joinCode).toBe("ABC234");
    apply("f", { kind: { case: "setFollowMe", value: { active: true } } });
    expect(apply("f", { kind: { case: "bringEveryoneHere", value: { viewport: { x: 0, y: 0, width: 100, height: 100 } } } })).toEqual([false]);
    apply("p1", note("n1"));
    apply("f", openRoundOp("r1"));
    apply("p1", redacted({ talliesReplaced: true, tallies: [{ noteId: "n1", dots: 1 }] }));
    apply("f", timer(TimerControl_Action.START, { durationMs: 1000n }));
    apply("p1", { kind: { case: "raiseHand", value: {} } });
    apply("f", { kind: { case: "closeWorkshop", value: {} } });
    expect(board.closed).toBe(true);
    expect(lines("round")).toBe(`round r1 "Runde" 3/2 @8-${seq} results=n1:1`);
    expect(lines("timer") + lines("follow") + lines("hands")).toBe("");
  });

  it("takes a normalised join: role and pseudonym number as the server journals them", () => {
    apply("", { kind: { case: "participantLeft", value: { participantId: "p1" } } });
    apply("", { kind: { case: "participantJoined", value: { participant: { id: "p1", displayName: "Anna", role: Role.OBSERVER, joinedSeq: 2n, pseudonymNumber: 2 } } } });
    expect(lines("participant p1")).toBe('participant p1 "Anna" OBSERVER online @2 #2');
  });
});
