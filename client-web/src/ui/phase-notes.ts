// "Ergebnisse / Beschlüsse": the facilitator's record of the current phase
// (Phase.notes, for the minutes), written during the discussion. Saved with
// SetPhaseNotes a moment after typing stops and when the field loses focus,
// so a facilitator never has to remember a save button, and a phase change
// saves what was typed for the phase it was typed in.
import { currentPhase, type BoardView } from "../state/board-model";
import type { AppContext } from "./context";
import { h, setText } from "./dom";

/** limits::kMaxPhaseNotesChars. */
export const MAX_PHASE_NOTES = 4000;
/** Typing pauses this long before the notes are sent: one op per pause,
 *  not per key (the server allows 30 ops/s, the journal keeps each). */
export const SAVE_DELAY_MS = 1200;

export class PhaseNotesField {
  readonly el: HTMLElement;
  private readonly label: HTMLLabelElement;
  private readonly area: HTMLTextAreaElement;
  private readonly status: HTMLElement;
  private readonly hint: HTMLElement;
  /** The phase the text in the field belongs to ("" for none). */
  private phaseId = "";
  private dirty = false;
  private timer = 0;
  private lang = "";

  constructor(private readonly ctx: AppContext) {
    this.area = h("textarea", { class: "input phase-notes", attrs: { id: "fp-phase-notes", rows: 5, maxlength: MAX_PHASE_NOTES, "aria-describedby": "fp-phase-notes-hint" } });
    this.label = h("label", { class: "field-label", attrs: { for: "fp-phase-notes" } });
    this.hint = h("span", { class: "field-hint", attrs: { id: "fp-phase-notes-hint" } });
    this.status = h("span", { class: "field-hint phase-notes-status", attrs: { role: "status" } });
    this.el = h("div", { class: "field" }, this.label, this.area, h("div", { class: "row phase-notes-foot" }, this.hint, this.status));
    this.area.addEventListener("input", () => {
      this.dirty = true;
      setText(this.status, ctx.t("phaseNotesSaving"));
      window.clearTimeout(this.timer);
      this.timer = window.setTimeout(() => this.save(), SAVE_DELAY_MS);
    });
    this.area.addEventListener("blur", () => this.save());
  }

  /** Sends the field's text for its phase if it differs from the board's. */
  save(): void {
    window.clearTimeout(this.timer);
    this.timer = 0;
    if (!this.dirty) return;
    this.dirty = false;
    const board = this.ctx.board();
    const phase = board.agenda.phases.find((p) => p.id === this.phaseId);
    if (!phase || board.closed) return;
    const text = this.area.value;
    if (text !== phase.notes) this.ctx.propose({ kind: { case: "setPhaseNotes", value: { phaseId: phase.id, text } } }, { kind: { case: "setPhaseNotes", value: { phaseId: phase.id, text: phase.notes } } });
    setText(this.status, this.ctx.t("phaseNotesSaved"));
  }

  render(board: BoardView): void {
    const t = this.ctx.t;
    const phase = currentPhase(board);
    const id = phase?.id ?? "";
    if (id !== this.phaseId) {
      // What was typed belongs to the phase it was typed in.
      this.save();
      this.phaseId = id;
      this.area.value = phase?.notes ?? "";
      setText(this.status, "");
      this.lang = "";
    }
    // Another facilitator's notes arrive while this field is idle.
    if (!this.dirty && document.activeElement !== this.area && phase && this.area.value !== phase.notes) this.area.value = phase.notes;
    this.area.disabled = !phase || board.closed;
    const sig = `${this.ctx.lang.current}|${phase?.name ?? ""}`;
    if (sig !== this.lang) {
      this.lang = sig;
      setText(this.label, phase ? t("phaseNotesFor", { name: phase.name }) : t("phaseNotes"));
      setText(this.hint, phase ? t("phaseNotesHint") : t("phaseNotesNoPhase"));
    }
  }
}
