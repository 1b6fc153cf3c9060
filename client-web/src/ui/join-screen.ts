// The join page: a display name (remembered on this device) and, when the
// link does not carry it, the access code. A bare code (typed from the
// projector) is looked up on the server; a pasted link works too.
import { parseJoinInput, type Launch } from "../app/launch";
import type { KeyValueStorage } from "../net/identity";
import { button, h, replace } from "./dom";
import type { LanguageState } from "./i18n";
import { icon } from "./icons";
import { legalLinks } from "../legal/legal";

export const NAME_KEY = "werkstatt.displayName";

export function rememberedName(storage: KeyValueStorage | undefined): string {
  try {
    return storage?.getItem(NAME_KEY) ?? "";
  } catch {
    return "";
  }
}

export function rememberName(storage: KeyValueStorage | undefined, name: string): void {
  try {
    storage?.setItem(NAME_KEY, name);
  } catch {
    // This page only.
  }
}

export interface JoinScreenOptions {
  lang: LanguageState;
  storage: KeyValueStorage | undefined;
  /** Known from the link; undefined: ask (or look up by code). */
  workshopId?: string;
  /** Known from the link (participants' code or a facilitator's token). */
  launch?: Launch;
  message?: string;
  onJoin(launch: Launch): void;
}

export function joinScreen(root: HTMLElement, o: JoinScreenOptions): void {
  const render = () => {
    const t = o.lang.t;
    const name = h("input", { class: "input input-large", attrs: { id: "join-name", type: "text", maxlength: 60, autocomplete: "name", required: true, placeholder: t("namePlaceholder") } });
    name.value = o.launch?.displayName || rememberedName(o.storage);
    const needsCode = !o.launch;
    const code = h("input", {
      class: "input input-large input-code",
      attrs: { id: "join-code", type: "text", maxlength: 400, autocomplete: "off", autocapitalize: "characters", spellcheck: "false", required: true, placeholder: "K7M4P2" },
    });
    const error = h("p", { class: "form-error", attrs: { role: "alert" } });
    error.hidden = !o.message;
    error.textContent = o.message ?? "";
    const title = h("p", { class: "join-workshop" });
    const facilitator = o.launch?.credentialKind === "facilitatorToken";
    const submit = h("button", { class: "btn btn-primary btn-large", attrs: { type: "submit" }, text: facilitator ? t("joinAsFacilitator") : t("join") });
    const form = h(
      "form",
      { class: "join-card", attrs: { "aria-labelledby": "join-title", novalidate: true } },
      h("div", { class: "join-brand" }, h("span", { class: "brand" }, h("span", { class: "brand-mark" }), "werkstatt"),
        button(t("switchLanguage"), () => {
          o.lang.set(o.lang.current === "de" ? "en" : "de");
          render();
        }, { class: "btn btn-quiet btn-small", icon: icon("globe", 16), showLabel: false })),
      h("h1", { attrs: { id: "join-title" }, text: t("joinTitle") }),
      title,
      h("p", { class: "join-lead", text: t("joinLead") }),
      h("label", { class: "field" }, h("span", { class: "field-label", text: t("yourName") }), name),
      needsCode ? h("label", { class: "field" }, h("span", { class: "field-label", text: t("joinCode") }), code, h("span", { class: "field-hint", text: t("joinCodeHint") })) : null,
      error,
      submit,
    );
    const workshopId = o.workshopId ?? o.launch?.workshopId;
    if (workshopId) void loadTitle(workshopId, title);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const displayName = name.value.trim();
      const fail = (text: string, field: HTMLInputElement) => {
        error.textContent = text;
        error.hidden = false;
        field.focus();
      };
      if (displayName === "") return fail(t("yourName"), name);
      rememberName(o.storage, displayName);
      if (o.launch) return o.onJoin({ ...o.launch, displayName });
      const typed = parseJoinInput(code.value);
      const joinCode = typed.code?.replace(/[\s-]/g, "").toUpperCase() ?? "";
      const id = typed.workshopId ?? o.workshopId;
      if (joinCode === "" && !id) return fail(t("joinCodeHint"), code);
      if (id && joinCode) return o.onJoin({ workshopId: id, credential: { kind: { case: "joinCode", value: joinCode } }, credentialKind: "joinCode", displayName });
      if (id) return fail(t("joinCodeHint"), code);
      submit.disabled = true;
      void lookupCode(joinCode).then((result) => {
        submit.disabled = false;
        if (typeof result === "string") o.onJoin({ workshopId: result, credential: { kind: { case: "joinCode", value: joinCode } }, credentialKind: "joinCode", displayName });
        else fail(t(result === "unknown" ? "codeUnknown" : result === "limited" ? "tooManyTries" : "codeLookupUnavailable"), code);
      });
    });
    replace(root, h("main", { class: "join-page" }, form, legalLinks(o.lang)));
    document.documentElement.lang = o.lang.current;
    (name.value && needsCode ? code : name).focus();
  };
  render();
}

async function loadTitle(workshopId: string, el: HTMLElement): Promise<void> {
  try {
    const res = await fetch(`/api/workshops/${encodeURIComponent(workshopId)}`);
    if (!res.ok) return;
    const info = (await res.json()) as { title?: unknown };
    if (typeof info.title === "string") el.textContent = info.title;
  } catch {
    // The title is a courtesy; joining works without it.
  }
}

/** Finds the workshop of a join code: GET /api/join/<code> → {"workshop_id"}.
 *  "unknown": no such code; "limited": too many wrong codes from this
 *  network for now (429); "unavailable": the server has no lookup. */
export async function lookupCode(code: string): Promise<string | "unknown" | "limited" | "unavailable"> {
  try {
    const res = await fetch(`/api/join/${encodeURIComponent(code)}`);
    if (res.status === 429) return "limited";
    if (res.status === 404) {
      const body = (await res.json().catch(() => ({}))) as { error?: string; workshop_id?: string };
      return body.error === "no such API endpoint" ? "unavailable" : "unknown";
    }
    if (!res.ok) return "unavailable";
    const body = (await res.json()) as { workshop_id?: unknown };
    return typeof body.workshop_id === "string" && body.workshop_id !== "" ? body.workshop_id : "unknown";
  } catch {
    return "unavailable";
  }
}
