// The agenda editor's draft rules and the "not permitted" sentence, without a DOM.
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { OpSchema, PhaseKind, PhaseSchema, Role } from "../gen/werkstatt/v1/board_pb";
import { applyOp, emptyBoard } from "../state/board-model";
import { draftOf, draftProblem, MAX_PHASES, phasesOf, presetPermissions } from "./agenda-editor";
import { translate, type TextKey } from "./i18n";
import { notPermittedText } from "./phase-info";

const de = (key: TextKey, params?: Record<string, string | number>) => translate("de", key, params);
const en = (key: TextKey, params?: Record<string, string | number>) => translate("en", key, params);

describe("agenda drafts", () => {
  it("presets each kind's permissions as the server's default_permissions does", () => {
    const on = (k: PhaseKind) => Object.entries(presetPermissions(k)).filter(([, v]) => v).map(([p]) => p).sort();
    expect(on(PhaseKind.COLLECT)).toEqual(["createNotes", "deleteOwnNotes", "editOwnNotes", "moveNotes"]);
    expect(on(PhaseKind.CLUSTER)).toEqual(["cluster", "createNotes", "deleteOwnNotes", "editOwnNotes", "moveNotes"]);
    expect(on(PhaseKind.VOTE)).toEqual(["vote"]);
    for (const k of [PhaseKind.CHECK_IN, PhaseKind.DISCUSS, PhaseKind.CLOSE]) expect(on(k)).toEqual([]);
  });

  it("round-trips a phase and sends what SetAgenda takes: trimmed, private only in collect phases, no notes", () => {
    const phase = create(PhaseSchema, {
      id: "sammeln", name: " Sammeln ", kind: PhaseKind.COLLECT, plannedSeconds: 1200, privateCollection: true, facilitatorsSeePrivate: true,
      permissions: { createNotes: true, vote: true }, instructions: " Eine Idee je Karte. ", notes: "Beschluss",
    });
    const draft = draftOf(phase);
    expect(draft).toMatchObject({ minutes: 20, privateCollection: true, instructions: " Eine Idee je Karte. " });
    const [out] = phasesOf([draft]);
    expect(out).toMatchObject({ id: "sammeln", name: "Sammeln", plannedSeconds: 1200, privateCollection: true, facilitatorsSeePrivate: true, instructions: "Eine Idee je Karte.", notes: "" });
    expect(out?.permissions).toMatchObject({ createNotes: true, vote: true, cluster: false });
    // A collect phase turned into a discussion cannot collect privately (the server refuses that).
    const [discuss] = phasesOf([{ ...draft, kind: PhaseKind.DISCUSS }]);
    expect(discuss).toMatchObject({ privateCollection: false, facilitatorsSeePrivate: false });
    // Minutes are whole, from 0 to a day.
    expect(phasesOf([{ ...draft, minutes: 99999 }])[0]?.plannedSeconds).toBe(24 * 3600);
    expect(phasesOf([{ ...draft, minutes: -3 }])[0]?.plannedSeconds).toBe(0);
  });

  it("names what the server would refuse: empty names, too many phases", () => {
    const d = draftOf(create(PhaseSchema, { id: "a", name: "A", kind: PhaseKind.DISCUSS }));
    expect(draftProblem([d])).toBeUndefined();
    expect(draftProblem([{ ...d, name: "  " }])).toBe("phaseNameMissing");
    expect(draftProblem(Array.from({ length: MAX_PHASES + 1 }, (_, i) => ({ ...d, id: `p${i}` })))).toBe("tooManyPhases");
    expect(draftProblem(Array.from({ length: MAX_PHASES }, (_, i) => ({ ...d, id: `p${i}` })))).toBeUndefined();
  });
});

describe("not permitted, with the phase and what it allows", () => {
  const board = emptyBoard();
  const apply = (o: Parameters<typeof create<typeof OpSchema>>[1]) => applyOp(board, create(OpSchema, o), { seq: 1n, authorId: "f" });
  apply({ kind: { case: "participantJoined", value: { participant: { id: "f", displayName: "F", role: Role.FACILITATOR } } } });
  apply({
    kind: {
      case: "setAgenda",
      value: {
        phases: [
          { id: "bewerten", name: "Bewerten", kind: PhaseKind.VOTE, permissions: presetPermissions(PhaseKind.VOTE) },
          { id: "diskutieren", name: "Diskutieren", kind: PhaseKind.DISCUSS, permissions: presetPermissions(PhaseKind.DISCUSS) },
        ],
      },
    },
  });

  it("outside the agenda: what the open board allows", () => {
    expect(notPermittedText(de, board)).toBe("Das ist hier nicht erlaubt. Erlaubt ist: Karten schreiben, eigene Karten bearbeiten, Karten verschieben, eigene Karten löschen, clustern und Duplikate zusammenführen, Punkte vergeben.");
  });

  it("in a vote phase: only voting", () => {
    apply({ kind: { case: "goToPhase", value: { phaseId: "bewerten" } } });
    expect(notPermittedText(de, board)).toBe("In der Phase „Bewerten“ ist das nicht erlaubt. Erlaubt ist: Punkte vergeben.");
    expect(notPermittedText(en, board)).toBe("That is not allowed in the phase “Bewerten”. Allowed: vote with dots.");
  });

  it("in a phase the facilitator leads: looking only", () => {
    apply({ kind: { case: "goToPhase", value: { phaseId: "diskutieren" } } });
    expect(notPermittedText(de, board)).toBe("In der Phase „Diskutieren“ führt die Moderation; Sie können das Board ansehen, aber nichts ändern.");
  });
});
