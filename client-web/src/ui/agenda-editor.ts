// The agenda editor in the facilitator panel: add, remove, reorder and
// rename phases; their kind, planned duration, what participants may do,
// private collection and the instructions participants see. Everything is
// buttons and fields (reordering too, no drag), and the whole agenda goes to
// the server as one SetAgenda when the facilitator saves, so the journal (and
// the replay) has one event per edit, which Ctrl+Z can take back.
//
// The draft is this editor's own: the panel's re-renders do not touch it,
// and an agenda changed meanwhile by another facilitator is pointed out, not
// merged (saving replaces it, as SetAgenda does).
import { create } from "@bufbuild/protobuf";
import { PhaseKind, PhasePermissionsSchema, PhaseSchema, type Phase } from "../gen/werkstatt/v1/board_pb";
import type { BoardView } from "../state/board-model";
import { randomId } from "../state/ids";
import type { Permission } from "../state/permissions";
import type { AppContext } from "./context";
import { button, h, replace } from "./dom";
import type { TextKey } from "./i18n";
import { icon } from "./icons";

/** server/board/facilitation.cpp kMaxPhases. */
export const MAX_PHASES = 20;
/** limits::kMaxTitleChars (phase names). */
export const MAX_PHASE_NAME = 120;
/** limits::kMaxPhaseInstructionsChars. */
export const MAX_INSTRUCTIONS = 500;
/** The server refuses phases planned for more than a day. */
export const MAX_MINUTES = 24 * 60;

export const PERMISSIONS: readonly Permission[] = [
  "createNotes",
  "editOwnNotes",
  "moveNotes",
  "deleteOwnNotes",
  "cluster",
  "vote",
  "editOthersNotes",
  "deleteOthersNotes",
];

export const KINDS: readonly PhaseKind[] = [PhaseKind.CHECK_IN, PhaseKind.COLLECT, PhaseKind.CLUSTER, PhaseKind.VOTE, PhaseKind.DISCUSS, PhaseKind.CLOSE];

/** What participants may do in a new phase of `kind`: the server's
 *  default_permissions (server/board/permissions.cpp), so that a phase made
 *  here behaves like the template's. */
export function presetPermissions(kind: PhaseKind): Record<Permission, boolean> {
  const none: Record<Permission, boolean> = {
    createNotes: false,
    editOwnNotes: false,
    editOthersNotes: false,
    moveNotes: false,
    deleteOwnNotes: false,
    deleteOthersNotes: false,
    cluster: false,
    vote: false,
  };
  const write = { ...none, createNotes: true, editOwnNotes: true, deleteOwnNotes: true, moveNotes: true };
  switch (kind) {
    case PhaseKind.COLLECT:
      return write;
    case PhaseKind.CLUSTER:
      return { ...write, cluster: true };
    case PhaseKind.VOTE:
      return { ...none, vote: true };
    default:
      return none; // check-in, discuss, close: the facilitator drives
  }
}

export interface DraftPhase {
  id: string;
  name: string;
  kind: PhaseKind;
  minutes: number;
  instructions: string;
  permissions: Record<Permission, boolean>;
  privateCollection: boolean;
  facilitatorsSeePrivate: boolean;
}

export function draftOf(p: Readonly<Phase>): DraftPhase {
  const perms = presetPermissions(PhaseKind.UNSPECIFIED);
  for (const k of PERMISSIONS) perms[k] = !!p.permissions?.[k];
  return {
    id: p.id,
    name: p.name,
    kind: p.kind === PhaseKind.UNSPECIFIED ? PhaseKind.DISCUSS : p.kind,
    minutes: Math.round(p.plannedSeconds / 60),
    instructions: p.instructions,
    permissions: perms,
    privateCollection: p.privateCollection,
    facilitatorsSeePrivate: p.facilitatorsSeePrivate,
  };
}

/** The SetAgenda phases for a draft (notes are not SetAgenda's: the server keeps them). */
export function phasesOf(draft: readonly DraftPhase[]): Phase[] {
  return draft.map((d) =>
    create(PhaseSchema, {
      id: d.id,
      name: d.name.trim(),
      kind: d.kind,
      plannedSeconds: Math.max(0, Math.min(MAX_MINUTES, Math.round(d.minutes))) * 60,
      permissions: create(PhasePermissionsSchema, d.permissions),
      privateCollection: d.kind === PhaseKind.COLLECT && d.privateCollection,
      facilitatorsSeePrivate: d.kind === PhaseKind.COLLECT && d.privateCollection && d.facilitatorsSeePrivate,
      instructions: d.instructions.trim(),
    }),
  );
}

/** What the server would refuse in a draft, as a text key (undefined: fine). */
export function draftProblem(draft: readonly DraftPhase[]): TextKey | undefined {
  if (draft.length > MAX_PHASES) return "tooManyPhases";
  if (draft.some((d) => d.name.trim() === "")) return "phaseNameMissing";
  return undefined;
}

/** Compares agendas by what the editor edits. */
export function agendaSignature(phases: readonly Readonly<Phase>[]): string {
  return JSON.stringify(phasesOf(phases.map(draftOf)).map((p) => [p.id, p.name, p.kind, p.plannedSeconds, p.permissions && PERMISSIONS.map((k) => p.permissions?.[k]), p.privateCollection, p.facilitatorsSeePrivate, p.instructions]));
}

export class AgendaEditor {
  readonly el: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly problem: HTMLElement;
  private readonly meanwhile: HTMLElement;
  private readonly live: HTMLElement;
  private draft: DraftPhase[] = [];
  private startedFrom = "";
  private currentId = "";
  /** Phases whose permission list is unfolded (kept across rebuilds). */
  private readonly openPerms = new Set<string>();

  constructor(
    private readonly ctx: AppContext,
    private readonly done: () => void,
  ) {
    this.list = h("ol", { class: "agenda-edit-list" });
    this.problem = h("p", { class: "form-error", attrs: { role: "alert" } });
    this.meanwhile = h("p", { class: "agenda-meanwhile small" });
    this.live = h("p", { class: "visually-hidden", attrs: { role: "status" } });
    this.el = h("div", { class: "agenda-editor" });
  }

  /** Starts editing the board's agenda. */
  open(board: BoardView): void {
    this.draft = board.agenda.phases.map(draftOf);
    this.startedFrom = agendaSignature(board.agenda.phases);
    this.currentId = board.agenda.currentPhaseId;
    this.problem.hidden = true;
    this.build();
    this.el.querySelector<HTMLElement>("input")?.focus();
  }

  /** Called on every panel render: only the notice about others' changes. */
  refresh(board: BoardView): void {
    this.currentId = board.agenda.currentPhaseId;
    const changed = agendaSignature(board.agenda.phases) !== this.startedFrom;
    this.meanwhile.hidden = !changed;
    this.meanwhile.textContent = changed ? this.ctx.t("agendaChangedMeanwhile") : "";
  }

  private build(focusKey?: string): void {
    const t = this.ctx.t;
    const focused = focusKey ?? (document.activeElement instanceof HTMLElement && this.el.contains(document.activeElement) ? document.activeElement.dataset.key : undefined);
    replace(this.list, ...this.draft.map((d, i) => this.item(d, i)));
    const add = button(t("addPhase"), () => this.add(), { class: "btn btn-block", icon: icon("plus", 16), showLabel: true, data: { key: "add-phase" }, attrs: { disabled: this.draft.length >= MAX_PHASES } });
    const save = button(t("saveAgenda"), () => this.save(), { class: "btn btn-primary", icon: icon("check", 16), showLabel: true, data: { key: "save-agenda" } });
    const discard = button(t("discardAgenda"), () => this.done(), { class: "btn", data: { key: "discard-agenda" } });
    replace(
      this.el,
      h("h3", { class: "agenda-editor-title", text: t("agendaEditor"), attrs: { id: "agenda-editor-title" } }),
      h("p", { class: "muted small", text: t("agendaEditorHint") }),
      this.meanwhile,
      this.list,
      add,
      this.problem,
      h("div", { class: "btn-row" }, discard, save),
      this.live,
    );
    if (focused) this.el.querySelector<HTMLElement>(`[data-key="${CSS.escape(focused)}"]`)?.focus();
  }

  private item(d: DraftPhase, i: number): HTMLElement {
    const t = this.ctx.t;
    const n = this.draft.length;
    const base = `ae-${d.id}`;
    const label = () => d.name.trim() || t("phaseN", { n: i + 1 });
    const legend = h("legend", { class: "agenda-edit-legend", text: `${i + 1}. ${label()}` });

    const name = h("input", { class: "input", attrs: { id: `${base}-name`, type: "text", maxlength: MAX_PHASE_NAME, required: true }, data: { key: `${d.id}-name` } });
    name.value = d.name;
    name.addEventListener("input", () => {
      d.name = name.value;
      legend.textContent = `${i + 1}. ${label()}`;
    });

    const kind = h("select", { class: "input", attrs: { id: `${base}-kind` }, data: { key: `${d.id}-kind` } }, ...KINDS.map((k) => h("option", { attrs: { value: String(k) }, text: t(`kind_${k}` as TextKey) })));
    kind.value = String(d.kind);
    kind.addEventListener("change", () => {
      d.kind = Number(kind.value) as PhaseKind;
      // A new kind brings its usual permissions; the facilitator adjusts from there.
      d.permissions = presetPermissions(d.kind);
      if (d.kind !== PhaseKind.COLLECT) d.privateCollection = false;
      this.build(`${d.id}-kind`);
    });

    const minutes = h("input", { class: "input input-num", attrs: { id: `${base}-min`, type: "number", min: 0, max: MAX_MINUTES, step: 1 }, data: { key: `${d.id}-min` } });
    minutes.value = String(d.minutes);
    minutes.addEventListener("input", () => {
      const v = Math.round(Number(minutes.value));
      d.minutes = Number.isFinite(v) ? Math.max(0, Math.min(MAX_MINUTES, v)) : 0;
    });

    const hintId = `${base}-instr-hint`;
    const instructions = h("textarea", { class: "input agenda-instructions", attrs: { id: `${base}-instr`, rows: 2, maxlength: MAX_INSTRUCTIONS, "aria-describedby": hintId }, data: { key: `${d.id}-instr` } });
    instructions.value = d.instructions;
    instructions.addEventListener("input", () => {
      d.instructions = instructions.value;
    });

    // Folded by default (the preset of the kind is usually right), with what
    // is allowed in the summary so the folded list still says it.
    const allowed = h("span", { class: "agenda-perms-now" });
    const showAllowed = () => {
      const on = PERMISSIONS.filter((p) => d.permissions[p]).map((p) => t(`perm_${p}` as TextKey));
      allowed.textContent = on.length ? on.join(", ") : t("permNothing");
    };
    showAllowed();
    const perms = h(
      "details",
      { class: "agenda-perms-wrap", attrs: { open: this.openPerms.has(d.id) } },
      h("summary", { class: "agenda-perms-summary", data: { key: `${d.id}-perms` } }, h("span", { class: "field-label", text: `${t("phasePermissions")}: ` }), allowed),
      h(
        "fieldset",
        { class: "agenda-perms" },
        h("legend", { class: "visually-hidden", text: t("phasePermissions") }),
        ...PERMISSIONS.map((p) => {
          const box = h("input", { attrs: { type: "checkbox" }, data: { key: `${d.id}-perm-${p}` } });
          box.checked = d.permissions[p];
          box.addEventListener("change", () => {
            d.permissions[p] = box.checked;
            showAllowed();
          });
          return h("label", { class: "check" }, box, h("span", { text: t(`perm_${p}` as TextKey) }));
        }),
      ),
    );
    perms.addEventListener("toggle", () => {
      if (perms.open) this.openPerms.add(d.id);
      else this.openPerms.delete(d.id);
    });

    let privacy: HTMLElement | null = null;
    if (d.kind === PhaseKind.COLLECT) {
      const priv = h("input", { attrs: { type: "checkbox" }, data: { key: `${d.id}-private` } });
      priv.checked = d.privateCollection;
      priv.addEventListener("change", () => {
        d.privateCollection = priv.checked;
        this.build(`${d.id}-private`);
      });
      const see = h("input", { attrs: { type: "checkbox" }, data: { key: `${d.id}-see` } });
      see.checked = d.facilitatorsSeePrivate;
      see.addEventListener("change", () => {
        d.facilitatorsSeePrivate = see.checked;
      });
      privacy = h("div", { class: "agenda-privacy" },
        h("label", { class: "check" }, priv, h("span", { text: t("phasePrivate") })),
        d.privateCollection ? h("label", { class: "check" }, see, h("span", { text: t("phaseFacilitatorsSee") })) : null);
    }

    const isCurrent = d.id === this.currentId;
    const up = button(t("moveUp", { name: label() }), () => this.move(i, -1), { class: "btn btn-icon", icon: icon("chevronUp", 16), data: { key: `${d.id}-up` }, attrs: { disabled: i === 0 } });
    const down = button(t("moveDown", { name: label() }), () => this.move(i, 1), { class: "btn btn-icon", icon: icon("chevronDown", 16), data: { key: `${d.id}-down` }, attrs: { disabled: i === n - 1 } });
    const remove = button(isCurrent ? t("currentPhaseStays", { name: label() }) : t("removePhase", { name: label() }), () => this.remove(i), {
      class: "btn btn-icon btn-danger-quiet",
      icon: icon("trash", 16),
      data: { key: `${d.id}-remove` },
      attrs: { disabled: isCurrent },
    });

    return h(
      "li",
      { class: `agenda-edit-item${isCurrent ? " current" : ""}`, data: { phase: d.id } },
      h(
        "fieldset",
        { class: "agenda-edit-phase" },
        legend,
        h("div", { class: "agenda-edit-tools" }, up, down, remove),
        h("div", { class: "field" }, h("label", { class: "field-label", attrs: { for: name.id }, text: t("phaseName") }), name),
        h("div", { class: "row two" },
          h("div", { class: "field" }, h("label", { class: "field-label", attrs: { for: kind.id }, text: t("phaseKind") }), kind),
          h("div", { class: "field" }, h("label", { class: "field-label", attrs: { for: minutes.id }, text: t("phaseMinutes") }), minutes)),
        h("div", { class: "field" },
          h("label", { class: "field-label", attrs: { for: instructions.id }, text: t("phaseInstructions") }),
          instructions,
          h("span", { class: "field-hint", attrs: { id: hintId }, text: t("phaseInstructionsHint") })),
        perms,
        privacy,
      ),
    );
  }

  private move(i: number, by: -1 | 1): void {
    const j = i + by;
    const d = this.draft[i];
    if (!d || j < 0 || j >= this.draft.length) return;
    this.draft.splice(i, 1);
    this.draft.splice(j, 0, d);
    // Focus stays on the same button of the moved phase, unless it is now
    // disabled at the end of the list: then on the other direction.
    const atEnd = (by < 0 && j === 0) || (by > 0 && j === this.draft.length - 1);
    this.build(`${d.id}-${atEnd ? (by < 0 ? "down" : "up") : by < 0 ? "up" : "down"}`);
    this.live.textContent = this.ctx.t("phaseMoved", { name: d.name.trim() || "—", n: j + 1, m: this.draft.length });
  }

  private remove(i: number): void {
    const d = this.draft[i];
    if (!d || d.id === this.currentId) return;
    this.draft.splice(i, 1);
    const next = this.draft[Math.min(i, this.draft.length - 1)];
    this.build(next ? `${next.id}-name` : "add-phase");
    this.live.textContent = this.ctx.t("phaseRemoved", { name: d.name.trim() || "—" });
  }

  private add(): void {
    if (this.draft.length >= MAX_PHASES) return;
    const kind = PhaseKind.DISCUSS;
    const d: DraftPhase = {
      id: randomId(),
      name: this.ctx.t("newPhaseName"),
      kind,
      minutes: 10,
      instructions: "",
      permissions: presetPermissions(kind),
      privateCollection: false,
      facilitatorsSeePrivate: false,
    };
    this.draft.push(d);
    this.build(`${d.id}-name`);
    const input = this.el.querySelector<HTMLInputElement>(`[data-key="${CSS.escape(`${d.id}-name`)}"]`);
    input?.select();
  }

  private save(): void {
    const t = this.ctx.t;
    const problem = draftProblem(this.draft);
    if (problem) {
      this.problem.textContent = t(problem, { n: MAX_PHASES });
      this.problem.hidden = false;
      const missing = this.draft.find((d) => d.name.trim() === "");
      if (missing) this.el.querySelector<HTMLElement>(`[data-key="${CSS.escape(`${missing.id}-name`)}"]`)?.focus();
      return;
    }
    const before = this.ctx.board().agenda.phases;
    this.ctx.propose(
      { kind: { case: "setAgenda", value: { phases: phasesOf(this.draft) } } },
      { kind: { case: "setAgenda", value: { phases: before.map((p) => create(PhaseSchema, { ...p, notes: "" })) } } },
    );
    this.ctx.toasts.show(t("agendaSaved"), { kind: "success" });
    this.done();
  }
}
