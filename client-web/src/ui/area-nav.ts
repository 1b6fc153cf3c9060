// Quick navigation between the board's areas: one button per area (in
// reading order, keys 1–9) and "show all" as the explicit way out to the
// whole board. The button of the area in view is marked (aria-pressed).
import type { BoardCanvas } from "./board-canvas";
import { h, replace, toggleClass } from "./dom";
import type { TextKey } from "./i18n";
import { icon } from "./icons";

export class AreaNav {
  readonly el: HTMLElement;
  private signature = "";

  constructor(
    private readonly canvas: BoardCanvas,
    private readonly t: (key: TextKey, params?: Record<string, string | number>) => string,
  ) {
    this.el = h("nav", { class: "area-nav" });
  }

  render(): void {
    const areas = this.canvas.areasInOrder();
    const current = this.canvas.currentArea();
    const signature = `${areas.map((a) => `${a.id}:${a.title}`).join("|")}|${this.t("showAll")}`;
    if (signature !== this.signature) {
      this.signature = signature;
      this.el.setAttribute("aria-label", this.t("areaNav"));
      const buttons = areas.map((a, i) =>
        h("button", {
          class: "area-nav-btn",
          data: { area: a.id },
          attrs: { type: "button", title: this.t("showArea", { title: a.title || "—", n: i + 1 }), "aria-pressed": "false" },
          text: a.title || "—",
          on: { click: () => this.canvas.showArea(a.id) },
        }),
      );
      const all = h(
        "button",
        {
          class: "area-nav-btn area-nav-all",
          data: { area: "" },
          attrs: { type: "button", title: this.t("showAllHint"), "aria-pressed": "false" },
          on: { click: () => this.canvas.fitAll() },
        },
        icon("maximize", 16),
        h("span", { text: this.t("showAll") }),
      );
      replace(this.el, ...buttons, all);
    }
    this.el.hidden = areas.length === 0;
    for (const b of this.el.querySelectorAll<HTMLButtonElement>(".area-nav-btn")) {
      const pressed = (b.dataset.area ?? "") === current;
      b.setAttribute("aria-pressed", pressed ? "true" : "false");
      toggleClass(b, "current", pressed);
    }
  }
}
