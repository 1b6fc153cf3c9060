// What participants are told about the current phase: its instructions at
// the top of the screen (laptop and phone), and, when something is refused
// as not permitted, which phase it is and what is allowed in it, so that
// "not allowed" comes with what to do instead.
import { currentPhase, type BoardView } from "../state/board-model";
import { OPEN_BOARD, type Permission } from "../state/permissions";
import { PERMISSIONS } from "./agenda-editor";
import { h, replace } from "./dom";
import type { TextKey } from "./i18n";

type T = (key: TextKey, params?: Record<string, string | number>) => string;

/** The sentence for a NOT_PERMITTED refusal in the current phase. */
export function notPermittedText(t: T, board: BoardView): string {
  const phase = currentPhase(board);
  const granted: Readonly<Record<Permission, boolean>> = phase ? permissionsOf(phase.permissions) : OPEN_BOARD;
  const allowed = PERMISSIONS.filter((p) => granted[p]).map((p) => t(`perm_${p}` as TextKey));
  if (!phase) return t("notPermittedOpen", { allowed: allowed.join(", ") });
  if (allowed.length === 0) return t("notPermittedNothing", { phase: phase.name });
  return t("notPermittedIn", { phase: phase.name, allowed: allowed.join(", ") });
}

function permissionsOf(p: Partial<Record<Permission, boolean>> | undefined): Record<Permission, boolean> {
  const out = {} as Record<Permission, boolean>;
  for (const k of PERMISSIONS) out[k] = !!p?.[k];
  return out;
}

/** The current phase's instructions, shown above the board to everyone. */
export class PhaseInstructions {
  readonly el: HTMLElement;
  private signature = "";

  constructor(private readonly t: T) {
    this.el = h("section", { class: "phase-instructions", attrs: { "aria-labelledby": "phase-instructions-title" } });
    this.el.hidden = true;
  }

  render(board: BoardView, lang: string): void {
    const phase = currentPhase(board);
    const text = phase?.instructions.trim() ?? "";
    const sig = `${lang}|${phase?.id}|${phase?.name}|${text}`;
    if (sig === this.signature) return;
    this.signature = sig;
    this.el.hidden = !phase || text === "";
    if (!phase || text === "") {
      replace(this.el);
      return;
    }
    replace(
      this.el,
      h("h2", { class: "phase-instructions-title", attrs: { id: "phase-instructions-title" }, text: this.t("instructionsLabel", { name: phase.name }) }),
      h("p", { class: "phase-instructions-text", text }),
    );
  }
}
