import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { BoardStateSchema, PhaseKind, Role } from "../gen/werkstatt/v1/board_pb";
import { boardFromState } from "./board-model";
import { may, mayCreateIn, mayDelete, mayEdit, mayVoteOn, mayVoteOnCluster } from "./permissions";

const board = (extra: Record<string, unknown> = {}) =>
  boardFromState(
    create(BoardStateSchema, {
      participants: [
        { id: "f", role: Role.FACILITATOR },
        { id: "p", role: Role.PARTICIPANT },
        { id: "o", role: Role.OBSERVER },
      ],
      areas: [{ id: "a", locked: true }, { id: "b" }],
      ...extra,
    }),
  );

describe("permissions", () => {
  it("lets participants brainstorm on an open board, never observers, and facilitators always", () => {
    const b = board();
    expect(may(b, "p", "createNotes")).toBe(true);
    expect(may(b, "p", "editOthersNotes")).toBe(false);
    expect(may(b, "o", "createNotes")).toBe(false);
    expect(mayCreateIn(b, "p", "a")).toBe(false); // locked area
    expect(mayCreateIn(b, "f", "a")).toBe(true);
    const own = { id: "n", authorId: "p", areaId: "b" } as never;
    expect(mayEdit(b, "p", own)).toBe(true);
    expect(mayDelete(b, "p", { ...(own as object), authorId: "x" } as never)).toBe(false);
  });

  it("follows the current phase's permissions, the board lock and closing", () => {
    const voting = board({
      agenda: { currentPhaseId: "v", phases: [{ id: "v", kind: PhaseKind.VOTE, permissions: { vote: true } }] },
      rounds: [{ id: "r", open: true, dotsPerParticipant: 3, maxDotsPerNote: 1, scopeAreaIds: ["b"] }],
    });
    expect(may(voting, "p", "createNotes")).toBe(false);
    expect(mayVoteOn(voting, "p", { id: "n", areaId: "b" } as never)).toBe(true);
    expect(mayVoteOn(voting, "p", { id: "n", areaId: "a" } as never)).toBe(false);
    // A cluster in scope by its area, or named in the round's clusters.
    expect(mayVoteOnCluster(voting, "p", { id: "c", areaId: "b" } as never)).toBe(true);
    expect(mayVoteOnCluster(voting, "p", { id: "c", areaId: "a" } as never)).toBe(false);
    expect(mayVoteOnCluster(voting, "p", { id: "c", areaId: "b", deleted: true } as never)).toBe(false);
    const byCluster = board({
      agenda: { currentPhaseId: "v", phases: [{ id: "v", kind: PhaseKind.VOTE, permissions: { vote: true } }] },
      rounds: [{ id: "r", open: true, dotsPerParticipant: 3, maxDotsPerNote: 1, scopeClusterIds: ["c"] }],
    });
    expect(mayVoteOnCluster(byCluster, "p", { id: "c", areaId: "a" } as never)).toBe(true);
    expect(mayVoteOnCluster(byCluster, "p", { id: "d", areaId: "a" } as never)).toBe(false);
    expect(may(board({ settings: { locked: true } }), "p", "createNotes")).toBe(false);
    expect(may(board({ closed: true }), "f", "createNotes")).toBe(false);
  });
});
