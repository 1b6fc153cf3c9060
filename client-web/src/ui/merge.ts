// Merging duplicates (MergeNotes): two notes that say the same thing become
// one, so the room's dots are not split between them. The note whose menu
// is used absorbs the one picked from a list (keyboard: a list of buttons),
// with a combined text the person confirms; its dots move along. Undo
// restores the duplicate (without its dots, as Restore does) and the text.
import type { Note } from "../gen/werkstatt/v1/board_pb";
import { ObjectKind } from "../gen/werkstatt/v1/board_pb";
import type { BoardView } from "../state/board-model";
import type { OpInit } from "../state/board-store";
import { mayCluster } from "../state/permissions";

/** limits::kMaxNoteTextChars. */
export const MAX_NOTE_TEXT = 500;

/** The notes `note` may absorb: live, revealed, another id, ones the viewer
 *  may sort; its own area first (duplicates are usually side by side), then
 *  by area and place. */
export function mergeCandidates(board: BoardView, self: string, note: Readonly<Note>): Readonly<Note>[] {
  if (!mayCluster(board, self, note)) return [];
  const areaOrder = [...board.areas.values()].sort((a, b) => (a.rect?.x ?? 0) - (b.rect?.x ?? 0) || (a.rect?.y ?? 0) - (b.rect?.y ?? 0)).map((a) => a.id);
  const rank = (n: Readonly<Note>) => (n.areaId === note.areaId ? -1 : areaOrder.indexOf(n.areaId));
  return [...board.notes.values()]
    .filter((n) => n.id !== note.id && !n.deleted && !n.hidden && mayCluster(board, self, n))
    .sort((a, b) => rank(a) - rank(b) || (a.position?.y ?? 0) - (b.position?.y ?? 0) || (a.position?.x ?? 0) - (b.position?.x ?? 0));
}

/** The text offered for the merged note: one text when one contains the
 *  other, else both on their own lines (cut to the note limit). */
export function combinedText(into: string, from: string): string {
  const a = into.trim();
  const b = from.trim();
  if (b === "" || a.toLowerCase().includes(b.toLowerCase())) return a;
  if (a === "" || b.toLowerCase().includes(a.toLowerCase())) return b;
  return [...`${a}\n${b}`].slice(0, MAX_NOTE_TEXT).join("");
}

/** The MergeNotes op and the ops that take it back. */
export function mergeOps(into: Readonly<Note>, from: Readonly<Note>, text: string): { op: OpInit; undo: OpInit[] } {
  return {
    op: { kind: { case: "mergeNotes", value: { intoNoteId: into.id, fromNoteId: from.id, text } } },
    undo: [
      { kind: { case: "restore", value: { target: { kind: ObjectKind.NOTE, id: from.id } } } },
      ...(text !== "" && text !== into.text ? [{ kind: { case: "updateNote", value: { id: into.id, mask: [1], text: into.text } } } as OpInit] : []),
    ],
  };
}
