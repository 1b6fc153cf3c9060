import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { BoardStateSchema } from "../gen/werkstatt/v1/board_pb";
import { boardFromState, type BoardView } from "../state/board-model";
import { freeSlot, overlappingPairs, spreadRevealed, tidyArea } from "./placement";

const area = { id: "a", rect: { x: 0, y: 0, width: 1200, height: 1600 } };

function withMoves(board: BoardView, moves: Map<string, { x: number; y: number }>): BoardView {
  const notes = new Map(board.notes);
  for (const [id, p] of moves) {
    const n = notes.get(id)!;
    notes.set(id, { ...n, position: { ...n.position!, x: p.x, y: p.y } });
  }
  return { ...board, notes };
}

describe("freeSlot", () => {
  it("fills an area's grid row by row, skipping taken cells", () => {
    const board = boardFromState(
      create(BoardStateSchema, {
        areas: [{ id: "a", rect: { x: 0, y: 0, width: 600, height: 800 } }],
        notes: [{ id: "n", areaId: "a", position: { x: 40, y: 90 }, size: { width: 160, height: 160 } }],
      }),
    );
    expect(freeSlot(board, "a")).toEqual({ x: 260, y: 90 });
    expect(freeSlot(board, "")).toEqual({ x: 0, y: 880 });
  });

  it("never lands on a note that lies across the grid", () => {
    const board = boardFromState(create(BoardStateSchema, { areas: [area], notes: [{ id: "n", areaId: "a", position: { x: 150, y: 100 }, size: { width: 200, height: 200 } }] }));
    const p = freeSlot(board, "a");
    const placed = withMoves(boardFromState(create(BoardStateSchema, { areas: [area], notes: [{ id: "n", areaId: "a", position: { x: 150, y: 100 }, size: { width: 200, height: 200 } }, { id: "m", areaId: "a", position: p, size: { width: 200, height: 200 } }] })), new Map());
    expect(overlappingPairs(placed)).toEqual([]);
  });
});

describe("tidyArea", () => {
  it("lays out notes and clusters without overlap, clusters together, inside the area", () => {
    const notes = [];
    for (let i = 0; i < 14; i++) notes.push({ id: `n${i}`, areaId: "a", position: { x: 300, y: 300 }, size: { width: 200, height: 200 }, createdSeq: BigInt(i + 1), clusterId: i < 4 ? "c1" : "" });
    const board = boardFromState(create(BoardStateSchema, { areas: [area], notes, clusters: [{ id: "c1", areaId: "a", position: { x: 0, y: 0 } }] }));
    expect(overlappingPairs(board).length).toBeGreaterThan(0);
    const layout = tidyArea(board, "a");
    expect(layout.notes.size).toBe(14);
    const tidy = withMoves(board, layout.notes);
    expect(overlappingPairs(tidy)).toEqual([]);
    for (const n of tidy.notes.values()) {
      expect(n.position!.x).toBeGreaterThanOrEqual(0);
      expect(n.position!.x + 200).toBeLessThanOrEqual(1200);
    }
    // The cluster's four notes are neighbours: a block of 3 + 1 under its title.
    const c = [0, 1, 2, 3].map((i) => layout.notes.get(`n${i}`)!);
    expect(c[1]!.y).toBe(c[0]!.y);
    expect(c[3]!.x).toBe(c[0]!.x);
    expect(layout.clusters.get("c1")!.y).toBeLessThan(c[0]!.y);
  });
});

describe("spreadRevealed", () => {
  it("moves revealed notes off the notes they landed on, and no others", () => {
    const board = boardFromState(
      create(BoardStateSchema, {
        areas: [area],
        notes: [
          { id: "x", areaId: "a", position: { x: 40, y: 90 }, size: { width: 200, height: 200 }, createdSeq: 1n },
          { id: "y", areaId: "a", position: { x: 40, y: 90 }, size: { width: 200, height: 200 }, createdSeq: 2n },
          { id: "z", areaId: "a", position: { x: 60, y: 100 }, size: { width: 200, height: 200 }, createdSeq: 3n },
          { id: "far", areaId: "a", position: { x: 900, y: 900 }, size: { width: 200, height: 200 }, createdSeq: 4n },
        ],
      }),
    );
    const moves = spreadRevealed(board, ["x", "y", "z", "far"]);
    expect(moves.has("x")).toBe(false);
    expect(moves.has("far")).toBe(false);
    expect(overlappingPairs(withMoves(board, moves))).toEqual([]);
  });
});
