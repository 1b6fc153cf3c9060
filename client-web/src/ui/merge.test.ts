// Merging duplicates: which notes are offered, the text offered, the undo.
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { OpSchema, PhaseKind, Role, type Note } from "../gen/werkstatt/v1/board_pb";
import { applyOp, emptyBoard } from "../state/board-model";
import { combinedText, MAX_NOTE_TEXT, mergeCandidates, mergeOps } from "./merge";

function board() {
  const b = emptyBoard();
  let seq = 0n;
  const apply = (author: string, o: Parameters<typeof create<typeof OpSchema>>[1]) => applyOp(b, create(OpSchema, o), { seq: ++seq, authorId: author });
  apply("", { kind: { case: "participantJoined", value: { participant: { id: "f", displayName: "F", role: Role.FACILITATOR } } } });
  apply("", { kind: { case: "participantJoined", value: { participant: { id: "p", displayName: "P", role: Role.PARTICIPANT } } } });
  apply("f", { kind: { case: "createArea", value: { id: "a1", title: "A", rect: { x: 0, y: 0, width: 1000, height: 1000 } } } });
  apply("f", { kind: { case: "createArea", value: { id: "a2", title: "B", rect: { x: 1100, y: 0, width: 1000, height: 1000 } } } });
  const note = (id: string, areaId: string, x: number, y: number, author = "p") => apply(author, { kind: { case: "createNote", value: { id, text: id, areaId, position: { x, y } } } });
  note("far", "a2", 1200, 10);
  note("here-low", "a1", 10, 500);
  note("here-high", "a1", 10, 10);
  note("self", "a1", 300, 10);
  note("gone", "a1", 400, 10);
  apply("p", { kind: { case: "delete", value: { target: { kind: 1, id: "gone" } } } });
  return { b, apply };
}

describe("merge candidates", () => {
  it("offers the other live notes, its own area first, then by place", () => {
    const { b } = board();
    const self = b.notes.get("self") as Note;
    expect(mergeCandidates(b, "f", self).map((n) => n.id)).toEqual(["here-high", "here-low", "far"]);
  });

  it("offers nothing where the viewer may not sort notes (a phase without clustering)", () => {
    const { b, apply } = board();
    apply("f", { kind: { case: "setAgenda", value: { phases: [{ id: "v", name: "V", kind: PhaseKind.VOTE, permissions: { vote: true } }] } } });
    apply("f", { kind: { case: "goToPhase", value: { phaseId: "v" } } });
    const self = b.notes.get("self") as Note;
    expect(mergeCandidates(b, "p", self)).toEqual([]);
    expect(mergeCandidates(b, "f", self).length).toBe(3);
  });
});

describe("the merged text and the undo", () => {
  it("keeps one text when one contains the other, else both lines, within the note limit", () => {
    expect(combinedText("Radwege im Osten ausbauen", "radwege im osten")).toBe("Radwege im Osten ausbauen");
    expect(combinedText("Rufbus", "Rufbus für die Dörfer")).toBe("Rufbus für die Dörfer");
    expect(combinedText("Radweg nach Osten", "Radwege im Osten")).toBe("Radweg nach Osten\nRadwege im Osten");
    expect([...combinedText("ä".repeat(400), "ö".repeat(400))].length).toBe(MAX_NOTE_TEXT);
  });

  it("undoes with a Restore of the duplicate and, when the text changed, the old text", () => {
    const { b } = board();
    const into = b.notes.get("here-high") as Note;
    const from = b.notes.get("here-low") as Note;
    expect(mergeOps(into, from, "").undo.map((o) => o.kind?.case)).toEqual(["restore"]);
    const { op, undo } = mergeOps(into, from, "Neu");
    expect(op.kind).toEqual({ case: "mergeNotes", value: { intoNoteId: "here-high", fromNoteId: "here-low", text: "Neu" } });
    expect(undo.map((o) => o.kind?.case)).toEqual(["restore", "updateNote"]);
  });
});
