// Clustering without a pointer (WCAG 2.1.1): "add to cluster…" from a note's
// menu on the board and on the phone. The ops are the same a drag-and-drop
// makes (board-canvas.ts uses these functions for drops too): joining a
// cluster moves the note into the cluster's next grid slot, joining a loose
// note makes a new cluster of both with the moved note beside the target.
import { ObjectKind, type Note } from "../gen/werkstatt/v1/board_pb";
import { clusterMembers, type BoardView } from "../state/board-model";
import type { OpInit } from "../state/board-store";
import { randomId } from "../state/ids";
import { mayCluster } from "../state/permissions";
import { CLUSTER_HEADER, CLUSTER_PAD, NEW_NOTE_SIDE } from "./placement";

/** As in board-canvas.ts (a note without a size is drawn at this side). */
export const NOTE_SIDE = NEW_NOTE_SIDE;
// One geometry for clusters: placement.ts owns it.
export { CLUSTER_HEADER, CLUSTER_PAD };
export const GRID_GAP = 16;

export type ClusterTarget = { kind: "cluster"; id: string } | { kind: "note"; id: string };

export interface ClusterChoice {
  target: ClusterTarget;
  /** What a person reads in the list. */
  label: string;
}

/** An op with the op that takes it back. */
export interface UndoableOp {
  op: OpInit;
  undo: OpInit;
}

/** Where the next member of a cluster goes: a grid of three columns. */
export function nextSlot(board: BoardView, clusterId: string, note: Readonly<Note>): { x: number; y: number } {
  const members = clusterMembers(board, clusterId).filter((n) => n.id !== note.id);
  const first = members.reduce<Readonly<Note> | undefined>((a, n) => (!a || Number(n.createdSeq) < Number(a.createdSeq) ? n : a), undefined);
  const rects = members.map((n) => ({ x: n.position?.x ?? 0, y: n.position?.y ?? 0 }));
  const origin = rects.length
    ? { x: Math.min(...rects.map((r) => r.x)), y: Math.min(...rects.map((r) => r.y)) }
    : { x: note.position?.x ?? 0, y: note.position?.y ?? 0 };
  const w = (first?.size?.width ?? NOTE_SIDE) + GRID_GAP;
  const hh = (first?.size?.height ?? NOTE_SIDE) + GRID_GAP;
  const k = members.length;
  return { x: Math.round(origin.x + (k % 3) * w), y: Math.round(origin.y + Math.floor(k / 3) * hh) };
}

/** The ops that put `note` into `target` (a cluster, or a loose note to
 *  make a new cluster with); empty when that would change nothing. */
export function clusterOps(board: BoardView, note: Readonly<Note>, target: ClusterTarget): UndoableOp[] {
  const before = { x: note.position?.x ?? 0, y: note.position?.y ?? 0 };
  const move = (pos: { x: number; y: number }, areaId: string): UndoableOp => ({
    op: { kind: { case: "move", value: { target: { kind: ObjectKind.NOTE, id: note.id }, position: pos, ...(areaId !== note.areaId ? { areaId } : {}) } } },
    undo: { kind: { case: "move", value: { target: { kind: ObjectKind.NOTE, id: note.id }, position: before, areaId: note.areaId } } },
  });
  const back: OpInit = note.clusterId
    ? { kind: { case: "addToCluster", value: { clusterId: note.clusterId, noteId: note.id } } }
    : { kind: { case: "removeFromCluster", value: { noteId: note.id } } };
  if (target.kind === "cluster") {
    const c = board.clusters.get(target.id);
    if (!c || c.deleted || c.id === note.clusterId) return [];
    const areaId = clusterMembers(board, c.id)[0]?.areaId ?? c.areaId;
    return [move(nextSlot(board, c.id, note), areaId), { op: { kind: { case: "addToCluster", value: { clusterId: c.id, noteId: note.id } } }, undo: back }];
  }
  const other = board.notes.get(target.id);
  if (!other || other.deleted || other.id === note.id) return [];
  if (other.clusterId) return clusterOps(board, note, { kind: "cluster", id: other.clusterId });
  const tp = { x: other.position?.x ?? 0, y: other.position?.y ?? 0 };
  const slot = { x: tp.x + (other.size?.width ?? NOTE_SIDE) + GRID_GAP, y: tp.y };
  const clusterId = randomId();
  return [
    move(slot, other.areaId),
    {
      op: { kind: { case: "createCluster", value: { id: clusterId, title: "", position: { x: tp.x, y: tp.y - CLUSTER_HEADER - CLUSTER_PAD }, areaId: other.areaId, noteIds: [other.id, note.id] } } },
      undo: { kind: { case: "delete", value: { target: { kind: ObjectKind.CLUSTER, id: clusterId } } } },
    },
  ];
}

/** What `note` can join, in reading order: the clusters of its area, then
 *  the loose notes of its area (a new cluster with each). Nothing when the
 *  viewer may not cluster it. */
export function clusterChoices(
  board: BoardView,
  self: string,
  note: Readonly<Note>,
  texts: { cluster: (title: string, count: number) => string; withNote: (text: string, author: string) => string; name: (id: string) => string },
): ClusterChoice[] {
  if (!mayCluster(board, self, note)) return [];
  const byPlace = (a: { position?: { x: number; y: number } }, b: { position?: { x: number; y: number } }) =>
    (a.position?.y ?? 0) - (b.position?.y ?? 0) || (a.position?.x ?? 0) - (b.position?.x ?? 0);
  const clusters = [...board.clusters.values()]
    .filter((c) => !c.deleted && c.id !== note.clusterId)
    .map((c) => ({ c, members: clusterMembers(board, c.id).filter((n) => !n.deleted) }))
    .filter(({ c, members }) => members.length > 0 && (members[0]?.areaId ?? c.areaId) === note.areaId && members.every((n) => mayCluster(board, self, n)))
    .sort((a, b) => byPlace(a.c, b.c));
  const loose = [...board.notes.values()]
    .filter((n) => !n.deleted && !n.hidden && n.id !== note.id && n.clusterId === "" && n.areaId === note.areaId && mayCluster(board, self, n))
    .sort(byPlace);
  return [
    ...clusters.map(({ c, members }) => ({ target: { kind: "cluster" as const, id: c.id }, label: texts.cluster(c.title, members.length) })),
    ...loose.map((n) => ({ target: { kind: "note" as const, id: n.id }, label: texts.withNote(n.text, texts.name(n.authorId)) })),
  ];
}
