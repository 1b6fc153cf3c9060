// Where a note goes when it is not placed by hand (phone view, "add note"
// buttons): the first free cell of a grid inside its area, or below the
// notes on the open board.
import type { BoardView } from "../state/board-model";
import { contains, type Pt } from "./camera";

/** Side of the notes this client creates (board-canvas.ts explains 200). */
export const NEW_NOTE_SIDE = 200;
const SIDE = NEW_NOTE_SIDE;
const GAP = 20;
const AREA_PAD = 40;
const AREA_HEADER = 90;

export function freeSlot(board: BoardView, areaId: string): Pt {
  const taken = [...board.notes.values()].filter((n) => !n.deleted).map((n) => ({ x: n.position?.x ?? 0, y: n.position?.y ?? 0, width: n.size?.width ?? SIDE, height: n.size?.height ?? SIDE }));
  const free = (p: Pt) => !taken.some((r) => p.x < r.x + r.width && p.x + SIDE > r.x && p.y < r.y + r.height && p.y + SIDE > r.y);
  const area = areaId ? board.areas.get(areaId) : undefined;
  if (area?.rect) {
    const r = area.rect;
    const cols = Math.max(1, Math.floor((r.width - 2 * AREA_PAD + GAP) / (SIDE + GAP)));
    for (let i = 0; i < 400; i++) {
      const p = { x: r.x + AREA_PAD + (i % cols) * (SIDE + GAP), y: r.y + AREA_HEADER + Math.floor(i / cols) * (SIDE + GAP) };
      if (!contains(r, { x: p.x + SIDE, y: p.y + SIDE })) break;
      if (free(p)) return p;
    }
    return { x: r.x + AREA_PAD + Math.round(Math.random() * Math.max(0, r.width - 2 * AREA_PAD - SIDE)), y: r.y + AREA_HEADER };
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
