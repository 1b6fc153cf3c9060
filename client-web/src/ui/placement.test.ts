import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { BoardStateSchema } from "../gen/werkstatt/v1/board_pb";
import { boardFromState } from "../state/board-model";
import { freeSlot } from "./placement";

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
});
