// Toasts (short notices, some with an action such as Undo) and modal
// dialogs (confirm, prompt) built on <dialog>, so focus handling and Escape
// come from the browser and nothing needs window.confirm's unstyled box.
import { button, h } from "./dom";
import { icon } from "./icons";

export type ToastKind = "info" | "error" | "success";

export interface ToastOptions {
  kind?: ToastKind;
  action?: { label: string; run: () => void };
  /** ms; errors and toasts with an action stay longer. */
  duration?: number;
}

export class Toasts {
  readonly el: HTMLDivElement;

  constructor(private readonly closeLabel: () => string) {
    this.el = h("div", { class: "toasts", attrs: { role: "status", "aria-live": "polite" } });
  }

  show(message: string, options: ToastOptions = {}): void {
    const kind = options.kind ?? "info";
    const toast = h("div", { class: `toast toast-${kind}`, attrs: kind === "error" ? { role: "alert" } : {} }, h("span", { class: "toast-text", text: message }));
    let timer = 0;
    const dismiss = () => {
      window.clearTimeout(timer);
      toast.classList.add("leaving");
      // Fading out: no longer content for screen readers (nor contrast checks).
      toast.setAttribute("aria-hidden", "true");
      window.setTimeout(() => toast.remove(), 200);
    };
    if (options.action) {
      const { label, run } = options.action;
      toast.appendChild(button(label, () => (run(), dismiss()), { class: "toast-action" }));
    }
    toast.appendChild(button(this.closeLabel(), dismiss, { class: "toast-close", icon: icon("x", 14) }));
    this.el.appendChild(toast);
    while (this.el.childElementCount > 4) this.el.firstElementChild?.remove();
    timer = window.setTimeout(dismiss, options.duration ?? (options.action ? 8000 : kind === "error" ? 7000 : 4000));
  }
}

/** Numbers the dialogs' ids (a question names its dialog). */
let dialogCount = 0;

export interface DialogTexts {
  ok: string;
  cancel: string;
}

/** A modal asking yes/no. Resolves true for OK. `details` are listed under
 *  the question (what exactly happens), and the question names the dialog. */
export function confirmDialog(message: string, texts: DialogTexts, danger = false, details: readonly string[] = []): Promise<boolean> {
  return new Promise((resolve) => {
    const dialog = h("dialog", { class: "dialog" });
    const ok = button(texts.ok, () => dialog.close("ok"), { class: danger ? "btn btn-danger" : "btn btn-primary" });
    const textId = `dialog-text-${++dialogCount}`;
    dialog.setAttribute("aria-labelledby", textId);
    dialog.append(
      h("p", { class: "dialog-text", text: message, attrs: { id: textId } }),
      ...(details.length ? [h("ul", { class: "dialog-details" }, ...details.map((d) => h("li", { text: d })))] : []),
      h("div", { class: "dialog-actions" }, button(texts.cancel, () => dialog.close("cancel"), { class: "btn" }), ok),
    );
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "ok");
      dialog.remove();
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    ok.focus();
  });
}

/** A modal asking for one line of text. Resolves undefined on cancel. */
export function promptDialog(label: string, initial: string, texts: DialogTexts, maxLength = 120): Promise<string | undefined> {
  return new Promise((resolve) => {
    const dialog = h("dialog", { class: "dialog" });
    const input = h("input", { class: "input", attrs: { type: "text", maxlength: maxLength, "aria-label": label } });
    input.value = initial;
    const form = h(
      "form",
      { attrs: { method: "dialog" } },
      h("label", { class: "field" }, h("span", { class: "field-label", text: label }), input),
      h("div", { class: "dialog-actions" }, button(texts.cancel, () => dialog.close("cancel"), { class: "btn" }), h("button", { class: "btn btn-primary", attrs: { type: "submit", value: "ok" }, text: texts.ok })),
    );
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      dialog.close("ok");
    });
    dialog.append(form);
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "ok" ? input.value.trim() : undefined);
      dialog.remove();
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    input.select();
  });
}

/** A modal asking for a text of several lines (Enter: new line; the OK
 *  button or Ctrl+Enter confirms). Resolves undefined on cancel. */
export function textDialog(title: string, label: string, initial: string, texts: DialogTexts, maxLength: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const dialog = h("dialog", { class: "dialog" });
    const titleId = `dialog-text-${++dialogCount}`;
    dialog.setAttribute("aria-labelledby", titleId);
    const area = h("textarea", { class: "input dialog-textarea", attrs: { rows: 4, maxlength: maxLength, id: `${titleId}-input` } });
    area.value = initial;
    area.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
        ev.preventDefault();
        dialog.close("ok");
      }
    });
    dialog.append(
      h("h2", { class: "dialog-title", attrs: { id: titleId }, text: title }),
      h("div", { class: "field" }, h("label", { class: "field-label", attrs: { for: area.id }, text: label }), area),
      h("div", { class: "dialog-actions" }, button(texts.cancel, () => dialog.close("cancel"), { class: "btn" }), button(texts.ok, () => dialog.close("ok"), { class: "btn btn-primary" })),
    );
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "ok" ? area.value.trim() : undefined);
      dialog.remove();
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    area.focus();
    area.select();
  });
}

/** A full-screen layer (the projector view); returns its close function. */
export function fullscreenLayer(content: HTMLElement, closeLabel: string): () => void {
  const close = () => layer.remove();
  const layer = h("div", { class: "fullscreen-layer", attrs: { role: "dialog", "aria-modal": "true" } }, content, button(closeLabel, close, { class: "layer-close", icon: icon("x", 22) }));
  layer.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") close();
  });
  document.body.appendChild(layer);
  (layer.querySelector("button") as HTMLButtonElement | null)?.focus();
  return close;
}


/** A modal list of choices (e.g. which cluster a note joins). Resolves the
 *  chosen index, or undefined on cancel. Arrow keys move between the
 *  choices; each is a button, so Enter or Space picks it. */
export function chooseDialog(title: string, choices: readonly string[], texts: { cancel: string; empty: string }): Promise<number | undefined> {
  return new Promise((resolve) => {
    const dialog = h("dialog", { class: "dialog dialog-choose", attrs: { "aria-labelledby": "dialog-choose-title" } });
    const list = h("ul", { class: "choose-list" });
    choices.forEach((label, i) => {
      list.appendChild(h("li", {}, h("button", { class: "btn choose-item", attrs: { type: "button" }, text: label, on: { click: () => dialog.close(String(i)) } })));
    });
    list.addEventListener("keydown", (ev) => {
      if (ev.key !== "ArrowDown" && ev.key !== "ArrowUp") return;
      ev.preventDefault();
      const items = [...list.querySelectorAll<HTMLButtonElement>(".choose-item")];
      const at = items.indexOf(document.activeElement as HTMLButtonElement);
      items[(at + (ev.key === "ArrowDown" ? 1 : items.length - 1)) % items.length]?.focus();
    });
    dialog.append(
      h("h2", { class: "dialog-title", attrs: { id: "dialog-choose-title" }, text: title }),
      choices.length ? list : h("p", { class: "dialog-text", text: texts.empty }),
      h("div", { class: "dialog-actions" }, button(texts.cancel, () => dialog.close("cancel"), { class: "btn" })),
    );
    dialog.addEventListener("close", () => {
      const i = Number(dialog.returnValue);
      resolve(dialog.returnValue !== "cancel" && dialog.returnValue !== "" && Number.isInteger(i) ? i : undefined);
      dialog.remove();
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    (list.querySelector("button") ?? dialog.querySelector("button"))?.focus();
  });
}

/** A modal with a title and lines of text (the keyboard shortcuts). */
export function infoDialog(title: string, lines: readonly string[], closeLabel: string): void {
  const dialog = h("dialog", { class: "dialog", attrs: { "aria-labelledby": "dialog-info-title" } });
  const close = button(closeLabel, () => dialog.close(), { class: "btn btn-primary" });
  dialog.append(
    h("h2", { class: "dialog-title", attrs: { id: "dialog-info-title" }, text: title }),
    h("ul", { class: "dialog-lines" }, ...lines.map((line) => h("li", { text: line }))),
    h("div", { class: "dialog-actions" }, close),
  );
  dialog.addEventListener("close", () => dialog.remove());
  document.body.appendChild(dialog);
  dialog.showModal();
  close.focus();
}

/** A visually hidden live region for screen readers: what others do on the
 *  board (new notes), batched so a busy room is one sentence, not fifty. */
export class Announcer {
  readonly el: HTMLDivElement;
  private notes: string[] = [];
  private timer = 0;

  constructor(private readonly texts: { one: (detail: string) => string; many: (n: number) => string }, private readonly delayMs = 2000) {
    this.el = h("div", { class: "visually-hidden", attrs: { role: "status", "aria-live": "polite", "aria-atomic": "true" } });
  }

  /** A note by someone else appeared (`detail`: author, area, text). */
  note(detail: string): void {
    this.notes.push(detail);
    if (this.timer === 0) this.timer = window.setTimeout(() => this.flush(), this.delayMs);
  }

  say(text: string): void {
    this.el.textContent = text;
  }

  private flush(): void {
    this.timer = 0;
    const n = this.notes.length;
    const only = this.notes[0];
    this.notes = [];
    if (n === 1 && only !== undefined) this.say(this.texts.one(only));
    else if (n > 1) this.say(this.texts.many(n));
  }
}
