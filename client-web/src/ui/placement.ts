// Where notes go when they are not placed by hand: a free cell of a grid in
// the chosen area ("add note", the phone view), a tidy grid per area that
// keeps clusters together ("tidy area / tidy board"), and new places for
// revealed notes that landed on others during private collection.
// Pure functions over the board model; the callers send the moves.
import type { Note } from "../gen/werkstatt/v1/board_pb";
import { clusterMembers, type BoardView } from "../state/board-model";
import type { Pt, Rect } from "./camera";

/** Side of the notes this client creates (board-canvas.ts explains 200). */
export const NEW_NOTE_SIDE = 200;
const SIDE = NEW_NOTE_SIDE;
const GAP = 20;
const AREA_PAD = 40;
const AREA_HEADER = 90;
/** Matches board-canvas.ts: a cluster's frame is its notes' box plus this. */
export const CLUSTER_PAD = 20;
export const CLUSTER_HEADER = 44;
const CLUSTER_COLUMNS = 3;

function rectOf(n: Readonly<Note>): Rect {
  return { x: n.position?.x ?? 0, y: n.position?.y ?? 0, width: n.size?.width ?? SIDE, height: n.size?.height ?? SIDE };
}

export function overlaps(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && a.x + a.width > b.x && a.y < b.y + b.height && a.y + a.height > b.y;
}

/** Pairs of visible notes whose boxes overlap (for tests and checks). */
export function overlappingPairs(board: BoardView): [string, string][] {
  const notes = [...board.notes.values()].filter((n) => !n.deleted);
  const out: [string, string][] = [];
  for (let i = 0; i < notes.length; i++) for (let j = i + 1; j < notes.length; j++) if (overlaps(rectOf(notes[i]!), rectOf(notes[j]!))) out.push([notes[i]!.id, notes[j]!.id]);
  return out;
}

/** The first free cell for a new note in `areaId` ("" = the open board,
 *  below the areas). Cells keep a gap to every note this view shows.
 *  `startCell` lets different people start at different cells (during
 *  private collection nobody sees the others' notes). */
export function freeSlot(board: BoardView, areaId: string, startCell = 0, ignore: ReadonlySet<string> = new Set()): Pt {
  const taken = [...board.notes.values()].filter((n) => !n.deleted && !ignore.has(n.id)).map(rectOf);
  const free = (p: Pt) => !taken.some((r) => overlaps({ x: p.x - GAP / 2, y: p.y - GAP / 2, width: SIDE + GAP, height: SIDE + GAP }, r));
  const area = areaId ? board.areas.get(areaId) : undefined;
  if (area?.rect) {
    const r = area.rect;
    const cols = Math.max(1, Math.floor((r.width - 2 * AREA_PAD + GAP) / (SIDE + GAP)));
    const rows = Math.max(1, Math.floor((r.height - AREA_HEADER - AREA_PAD + GAP) / (SIDE + GAP)));
    const cells = cols * rows;
    for (let k = 0; k < cells; k++) {
      const i = (k + startCell) % cells;
      const p = { x: r.x + AREA_PAD + (i % cols) * (SIDE + GAP), y: r.y + AREA_HEADER + Math.floor(i / cols) * (SIDE + GAP) };
      if (free(p)) return p;
    }
    // A full area: below its grid, still inside the area's column.
    for (let i = cells; i < cells + 1000; i++) {
      const p = { x: r.x + AREA_PAD + (i % cols) * (SIDE + GAP), y: r.y + AREA_HEADER + Math.floor(i / cols) * (SIDE + GAP) };
      if (free(p)) return p;
    }
    return { x: r.x + AREA_PAD, y: r.y + AREA_HEADER };
  }
  // The open board: a row below everything else.
  let bottom = 0;
  let left = 0;
  for (const a of board.areas.values()) if (!a.deleted && a.rect) bottom = Math.max(bottom, a.rect.y + a.rect.height), (left = Math.min(left, a.rect.x));
  const y0 = bottom + 80;
  for (let i = 0; i < 1000; i++) {
    const p = { x: left + (i % 10) * (SIDE + GAP), y: y0 + Math.floor(i / 10) * (SIDE + GAP) };
    if (free(p)) return p;
  }
  return { x: left, y: y0 };
}

/** A cell index to start from for this person (spreads people over an area). */
export function startCellFor(participantId: string, cells = 24): number {
  let hash = 0;
  for (let i = 0; i < participantId.length; i++) hash = (hash * 31 + participantId.charCodeAt(i)) | 0;
  return Math.abs(hash) % cells;
}

export interface Layout {
  notes: Map<string, Pt>;
  clusters: Map<string, Pt>;
}

function byCreation(a: Readonly<Note>, b: Readonly<Note>): number {
  return Number(a.createdSeq) - Number(b.createdSeq) || (a.id < b.id ? -1 : 1);
}

/** Tidy one area: clusters first (each a block of its notes, three to a
 *  row, under its title), then the loose notes, packed in rows left to
 *  right inside the area's width. Positions only; nothing changes area. */
export function tidyArea(board: BoardView, areaId: string): Layout {
  const layout: Layout = { notes: new Map(), clusters: new Map() };
  const area = board.areas.get(areaId);
  if (!area?.rect || area.deleted) return layout;
  const r = area.rect;
  const notes = [...board.notes.values()].filter((n) => !n.deleted && n.areaId === areaId).sort(byCreation);
  type Block = { width: number; height: number; place: (x: number, y: number) => void };
  const blocks: Block[] = [];
  const seenClusters = new Set<string>();
  for (const n of notes) {
    if (!n.clusterId || seenClusters.has(n.clusterId)) continue;
    const clusterId = n.clusterId;
    seenClusters.add(clusterId);
    const members = clusterMembers(board, clusterId).filter((m) => !m.deleted).sort(byCreation);
    const w = Math.max(...members.map((m) => m.size?.width ?? SIDE));
    const hgt = Math.max(...members.map((m) => m.size?.height ?? SIDE));
    const cols = Math.min(CLUSTER_COLUMNS, members.length);
    const rows = Math.ceil(members.length / cols);
    blocks.push({
      width: cols * w + (cols - 1) * GAP + 2 * CLUSTER_PAD,
      height: rows * hgt + (rows - 1) * GAP + 2 * CLUSTER_PAD + CLUSTER_HEADER,
      place: (x, y) => {
        layout.clusters.set(clusterId, { x, y });
        members.forEach((m, i) => layout.notes.set(m.id, { x: x + CLUSTER_PAD + (i % cols) * (w + GAP), y: y + CLUSTER_PAD + CLUSTER_HEADER + Math.floor(i / cols) * (hgt + GAP) }));
      },
    });
  }
  for (const n of notes) {
    if (n.clusterId && seenClusters.has(n.clusterId)) continue;
    const w = n.size?.width ?? SIDE;
    const hgt = n.size?.height ?? SIDE;
    blocks.push({ width: w, height: hgt, place: (x, y) => layout.notes.set(n.id, { x, y }) });
  }
  // Shelf packing: rows of blocks, a new row when the next one does not fit.
  const left = r.x + AREA_PAD;
  const right = r.x + r.width - AREA_PAD;
  let x = left;
  let y = r.y + AREA_HEADER;
  let rowHeight = 0;
  for (const b of blocks) {
    if (x > left && x + b.width > right) {
      x = left;
      y += rowHeight + GAP;
      rowHeight = 0;
    }
    b.place(Math.round(x), Math.round(y));
    x += b.width + GAP;
    rowHeight = Math.max(rowHeight, b.height);
  }
  return layout;
}

/** New places for `revealed` notes that overlap another note: each moves to
 *  the first free cell of its area (earlier notes keep theirs). */
export function spreadRevealed(board: BoardView, revealed: readonly string[]): Map<string, Pt> {
  const moves = new Map<string, Pt>();
  const ids = new Set(revealed);
  // Work on a copy whose positions follow the moves decided so far.
  const notes = new Map(board.notes);
  const view = { ...board, notes } as BoardView;
  const ordered = [...ids].map((id) => notes.get(id)).filter((n): n is Readonly<Note> => !!n && !n.deleted).sort(byCreation);
  // Settled: notes that keep their place (not revealed now, or revealed and
  // already checked). A revealed note moves only if it lies on one of them.
  const settled = new Set([...notes.values()].filter((o) => !o.deleted && !ids.has(o.id)).map((o) => o.id));
  for (const n of ordered) {
    const mine = rectOf(n);
    const clash = [...settled].some((id) => overlaps(mine, rectOf(notes.get(id)!)));
    settled.add(n.id);
    if (!clash) continue;
    const p = freeSlot(view, n.areaId, 0, new Set([n.id]));
    moves.set(n.id, p);
    notes.set(n.id, { ...n, position: { ...n.position, x: p.x, y: p.y } } as Readonly<Note>);
  }
  return moves;
}
