// The join screen for the room: a large QR code (the full participant link
// with the code), the short link to type (<origin>/w/<id>) and the code.
// The facilitator opens it full-screen from the panel; the projector's
// observer view shows it while the facilitator has put it on the projector
// (PROJECTOR_VIEW_JOIN), with the code from GET …/join-screen, since an
// observer's board view never carries the join code.
import { h } from "./dom";
import type { TextKey } from "./i18n";
import { qrCanvas } from "./qr";

type T = (key: TextKey, params?: Record<string, string | number>) => string;

export interface JoinInfo {
  join_code: string;
  participant_url: string;
  short_url: string;
}

/** A link as text that may wrap after its slashes but never inside the last
 *  segment (the workshop id): a wrapped id is mistyped. */
export function linkText(url: string, cls = "link-text", dropScheme = false): HTMLElement {
  const text = dropScheme ? url.replace(/^https?:\/\//, "") : url;
  const cut = text.lastIndexOf("/") + 1;
  return h("span", { class: cls }, text.slice(0, cut), h("span", { class: "link-id", text: text.slice(cut) }));
}

export function joinPoster(t: T, title: string, info: JoinInfo, qrSize = 360): HTMLElement {
  return h("div", { class: "projector" },
    h("h1", { class: "projector-title", text: title || t("joinTitle") }),
    h("p", { class: "projector-lead", text: t("projectorTitle") }),
    h("div", { class: "projector-body" },
      qrCanvas(info.participant_url, qrSize, t("projectorStep1")),
      h("div", { class: "projector-steps" },
        h("p", { class: "projector-step", text: `1. ${t("projectorStep1")}` }),
        h("p", {}, linkText(info.short_url, "projector-link", true)),
        h("p", { class: "projector-step", text: `2. ${t("projectorStep2")}` }),
        h("p", { class: "projector-code", text: info.join_code }))));
}
