// The organiser page (/admin): workshops without a terminal. The admin
// token is typed once and kept in sessionStorage (this tab only, gone when
// it closes); on the server itself (loopback, no proxy) the server needs
// none. The page lists workshops (GET /api/workshops), creates them (from
// the built-in templates or a saved one), shows the links of the ones it
// created in this session (the server keeps only token digests, so links of
// others are made anew: POST …/links), opens replay and exports, copies a
// workshop for the next date, saves one as a template, closes and deletes.
// Every request is same-origin JSON (the server's CSRF rule for writes).
import { replayLink } from "../app/launch";
import { legalLinks } from "../legal/legal";
import type { KeyValueStorage } from "../net/identity";
import { EXPORT_FORMATS, type ExportFormat } from "../replay/replay-api";
import { button, download, h, replace } from "./dom";
import type { LanguageState, TextKey } from "./i18n";
import { icon } from "./icons";
import { confirmDialog, promptDialog, Toasts } from "./overlays";

export const ADMIN_TOKEN_KEY = "werkstatt.admin.token";
export const ADMIN_LINKS_KEY = "werkstatt.admin.links";

/** One row of GET /api/workshops. */
export interface WorkshopRow {
  id: string;
  title: string;
  language: string;
  template: string;
  created_ms: number;
  head_seq: number;
  participants_online: number;
  closed: boolean;
  read_only: boolean;
  retention_days: number;
  last_activity_ms: number;
  erase_after_ms: number | null;
  date?: string;
  is_template?: boolean;
}

/** The links this tab knows of a workshop (from its creation or new links). */
export interface KnownLinks {
  facilitator_url: string;
  observer_url: string;
  participant_url?: string;
  join_code?: string;
}

/** The token in a facilitator link (…#w=…&t=<token>), if any. */
export function tokenOfLink(url: string): string | undefined {
  try {
    const u = new URL(url);
    const params = new URLSearchParams(u.hash.replace(/^#/, ""));
    return params.get("t") ?? new URLSearchParams(u.search).get("t") ?? undefined;
  } catch {
    return undefined;
  }
}

/** The create body for the form's choices: a built-in template, or
 *  "copy:<id>" for a saved template (copy_from). Empty fields are left out. */
export function createBody(f: { title: string; template: string; language: string; date: string }): Record<string, string> {
  const body: Record<string, string> = { language: f.language };
  if (f.title.trim()) body.title = f.title.trim();
  if (f.template.startsWith("copy:")) body.copy_from = f.template.slice(5);
  else body.template = f.template;
  if (/^\d{4}-\d{2}-\d{2}$/.test(f.date)) body.date = f.date;
  return body;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class AdminApp {
  private readonly toasts: Toasts;
  private readonly main: HTMLElement;
  private readonly listBox: HTMLElement;
  private readonly templatesBox: HTMLElement;
  private readonly tokenBox: HTMLElement;
  private readonly status: HTMLElement;
  private workshops: WorkshopRow[] = [];
  private needToken = false;
  private tokenRefused = false;
  private loadProblem = "";
  private form!: { title: HTMLInputElement; template: HTMLSelectElement; language: HTMLSelectElement; date: HTMLInputElement; submit: HTMLButtonElement };

  constructor(
    private readonly root: HTMLElement,
    private readonly lang: LanguageState,
    private readonly session: KeyValueStorage | undefined,
  ) {
    this.toasts = new Toasts(() => this.t("close"));
    this.tokenBox = h("section", { class: "admin-section admin-token", attrs: { "aria-labelledby": "admin-token-title" } });
    this.listBox = h("section", { class: "admin-section", attrs: { "aria-labelledby": "admin-list-title" } });
    this.templatesBox = h("section", { class: "admin-section", attrs: { "aria-labelledby": "admin-templates-title" } });
    this.status = h("p", { class: "visually-hidden", attrs: { role: "status" } });
    this.main = h("main", { class: "admin-main", attrs: { id: "admin-main" } });
    lang.changes.add(() => this.renderAll());
    this.renderAll();
    void this.load();
  }

  private t = (key: TextKey, params?: Record<string, string | number>): string => this.lang.t(key, params);

  // ---------------------------------------------------------------- storage

  private get token(): string {
    try {
      return this.session?.getItem(ADMIN_TOKEN_KEY) ?? "";
    } catch {
      return "";
    }
  }

  private set token(value: string) {
    try {
      if (value) this.session?.setItem(ADMIN_TOKEN_KEY, value);
      else this.session?.removeItem(ADMIN_TOKEN_KEY);
    } catch {
      // This page only.
    }
  }

  private knownLinks(): Record<string, KnownLinks> {
    try {
      return JSON.parse(this.session?.getItem(ADMIN_LINKS_KEY) ?? "{}") as Record<string, KnownLinks>;
    } catch {
      return {};
    }
  }

  private remember(id: string, links: KnownLinks): void {
    const all = this.knownLinks();
    all[id] = { ...all[id], ...links };
    try {
      this.session?.setItem(ADMIN_LINKS_KEY, JSON.stringify(all));
    } catch {
      // Shown until the page reloads.
    }
  }

  // ---------------------------------------------------------------- requests

  private async api<T>(method: string, path: string, body?: unknown, bearer = this.token): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      throw new ApiError(0, (e as Error).message);
    }
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const reason = (json as { error?: string } | undefined)?.error;
      throw new ApiError(res.status, reason ? `${res.status}: ${reason}` : String(res.status));
    }
    return json as T;
  }

  /** The admin token, else the facilitator token this tab knows for `id`. */
  private bearerFor(id: string): string {
    return this.token || tokenOfLink(this.knownLinks()[id]?.facilitator_url ?? "") || "";
  }

  private fail(e: unknown): void {
    this.toasts.show(this.t("requestFailed", { reason: (e as Error).message }), { kind: "error" });
  }

  private async load(): Promise<void> {
    try {
      const res = await this.api<{ workshops: WorkshopRow[] }>("GET", "/api/workshops");
      this.workshops = res.workshops ?? [];
      this.needToken = false;
      this.tokenRefused = false;
      this.loadProblem = "";
    } catch (e) {
      const err = e as ApiError;
      if (err.status === 403 || err.status === 401) {
        this.tokenRefused = this.token !== "";
        this.needToken = true;
        this.token = "";
      } else this.loadProblem = err.message;
      this.workshops = [];
    }
    this.renderAll();
  }

  // ---------------------------------------------------------------- render

  private renderAll(): void {
    const t = this.t;
    document.documentElement.lang = this.lang.current;
    document.title = `${t("adminTitle")} – werkstatt`;
    const head = h("header", { class: "admin-head" },
      h("span", { class: "brand", attrs: { "aria-hidden": "true" } }, h("span", { class: "brand-mark" }), "werkstatt"),
      h("h1", { class: "admin-title", text: t("adminTitle") }),
      h("div", { class: "admin-head-tools" },
        this.token ? button(t("adminSignOut"), () => {
          this.token = "";
          void this.load();
        }, { class: "btn btn-small" }) : null,
        button(t("switchLanguage"), () => this.lang.set(this.lang.current === "de" ? "en" : "de"), { class: "btn btn-small btn-quiet", icon: icon("globe", 16), showLabel: false })));
    this.renderToken();
    const sections: HTMLElement[] = [h("p", { class: "admin-lead", text: t("adminLead") })];
    if (this.needToken) sections.push(this.tokenBox);
    else {
      sections.push(this.createSection());
      this.renderList();
      sections.push(this.listBox, this.templatesBox);
    }
    replace(this.main, ...sections);
    replace(this.root, h("div", { class: "admin-page" }, head, this.main, legalLinks(this.lang), this.toasts.el, this.status));
  }

  private renderToken(): void {
    const t = this.t;
    const input = h("input", { class: "input input-large", attrs: { id: "admin-token", type: "password", autocomplete: "current-password", required: true, "aria-describedby": "admin-token-hint" } });
    const error = h("p", { class: "form-error", attrs: { role: "alert" }, text: this.tokenRefused ? t("adminTokenWrong") : "" });
    error.hidden = !this.tokenRefused;
    const form = h("form", { class: "admin-form", attrs: { novalidate: true } },
      h("p", { text: t("adminNeedToken") }),
      h("div", { class: "field" }, h("label", { class: "field-label", attrs: { for: "admin-token" }, text: t("adminToken") }), input,
        h("span", { class: "field-hint", attrs: { id: "admin-token-hint" }, text: t("adminTokenHint") })),
      error,
      h("button", { class: "btn btn-primary", attrs: { type: "submit" }, text: t("adminSignIn") }));
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const value = input.value.trim();
      if (!value) {
        input.focus();
        return;
      }
      this.token = value;
      void this.load().then(() => {
        if (!this.needToken) this.main.querySelector<HTMLElement>("#admin-ws-title")?.focus();
        else this.main.querySelector<HTMLElement>("#admin-token")?.focus();
      });
    });
    replace(this.tokenBox, h("h2", { attrs: { id: "admin-token-title" }, text: t("adminSignIn") }), form);
  }

  private createSection(): HTMLElement {
    const t = this.t;
    const old = this.form;
    const title = h("input", { class: "input", attrs: { id: "admin-ws-title", type: "text", maxlength: 120, required: true } });
    const template = h("select", { class: "input", attrs: { id: "admin-ws-template" } },
      h("option", { attrs: { value: "impuls-werkstatt" }, text: t("tplImpuls") }),
      h("option", { attrs: { value: "blank" }, text: t("tplBlank") }),
      ...this.workshops.filter((w) => w.is_template).map((w) => h("option", { attrs: { value: `copy:${w.id}` }, text: t("tplSaved", { title: w.title }) })));
    const language = h("select", { class: "input", attrs: { id: "admin-ws-language" } },
      h("option", { attrs: { value: "de" }, text: t("langDe") }),
      h("option", { attrs: { value: "en" }, text: t("langEn") }));
    const date = h("input", { class: "input", attrs: { id: "admin-ws-date", type: "date" } });
    const submit = h("button", { class: "btn btn-primary", attrs: { type: "submit" } }, icon("plus", 16), h("span", { class: "label", text: t("createWorkshop") }));
    // A re-render (language, list) keeps what was typed.
    if (old) {
      title.value = old.title.value;
      date.value = old.date.value;
      language.value = old.language.value;
      if ([...template.options].some((o) => o.value === old.template.value)) template.value = old.template.value;
    } else language.value = this.lang.current;
    this.form = { title, template, language, date, submit };
    const form = h("form", { class: "admin-form admin-create", attrs: { novalidate: true } },
      h("div", { class: "field" }, h("label", { class: "field-label", attrs: { for: title.id }, text: t("wsTitle") }), title),
      h("div", { class: "admin-row" },
        h("div", { class: "field" }, h("label", { class: "field-label", attrs: { for: template.id }, text: t("wsTemplate") }), template),
        h("div", { class: "field" }, h("label", { class: "field-label", attrs: { for: language.id }, text: t("wsLanguage") }), language),
        h("div", { class: "field" }, h("label", { class: "field-label", attrs: { for: date.id }, text: t("wsDate") }), date)),
      submit);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void this.create();
    });
    return h("section", { class: "admin-section", attrs: { "aria-labelledby": "admin-create-title" } }, h("h2", { attrs: { id: "admin-create-title" }, text: t("createWorkshop") }), form);
  }

  private async create(): Promise<void> {
    const f = this.form;
    f.submit.disabled = true;
    try {
      const body = createBody({ title: f.title.value, template: f.template.value, language: f.language.value, date: f.date.value });
      const created = await this.api<KnownLinks & { id: string; title: string }>("POST", "/api/workshops", body);
      this.remember(created.id, { facilitator_url: created.facilitator_url, observer_url: created.observer_url, participant_url: created.participant_url, join_code: created.join_code });
      f.title.value = "";
      f.date.value = "";
      this.toasts.show(this.t("wsCreated", { title: created.title || created.id }), { kind: "success" });
      await this.load();
      this.focusCard(created.id);
    } catch (e) {
      this.toasts.show(this.t("wsCreateFailed", { reason: (e as Error).message }), { kind: "error" });
    } finally {
      f.submit.disabled = false;
    }
  }

  private focusCard(id: string): void {
    this.main.querySelector<HTMLElement>(`[data-workshop="${CSS.escape(id)}"] .admin-card-title`)?.focus();
  }

  private renderList(): void {
    const t = this.t;
    const workshops = this.workshops.filter((w) => !w.is_template);
    const templates = this.workshops.filter((w) => w.is_template);
    replace(
      this.listBox,
      h("div", { class: "admin-list-head" },
        h("h2", { attrs: { id: "admin-list-title" }, text: t("workshopsHeading") }),
        button(t("adminRefresh"), () => void this.load(), { class: "btn btn-small", icon: icon("refresh", 16), showLabel: true })),
      this.loadProblem ? h("p", { class: "form-error", attrs: { role: "alert" }, text: t("adminLoadFailed", { reason: this.loadProblem }) }) : null,
      workshops.length ? h("ul", { class: "admin-cards" }, ...workshops.map((w) => this.card(w))) : h("p", { class: "muted", text: t("noWorkshops") }),
    );
    this.templatesBox.hidden = templates.length === 0;
    replace(this.templatesBox,
      h("h2", { attrs: { id: "admin-templates-title" }, text: t("templatesHeading") }),
      h("ul", { class: "admin-cards" }, ...templates.map((w) => this.card(w))));
  }

  private when(ms: number): string {
    return new Date(ms).toLocaleString(this.lang.current === "de" ? "de-DE" : "en-GB", { dateStyle: "medium", timeStyle: "short" });
  }

  private day(iso: string): string {
    const [y, m, d] = iso.split("-").map(Number);
    if (!y || !m || !d) return iso;
    return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString(this.lang.current === "de" ? "de-DE" : "en-GB", { dateStyle: "long", timeZone: "UTC" });
  }

  private card(w: WorkshopRow): HTMLElement {
    const t = this.t;
    const title = w.title || w.id;
    const links = this.knownLinks()[w.id];
    const facToken = links ? tokenOfLink(links.facilitator_url) : undefined;
    const state = w.is_template ? null : w.closed ? t("stateClosed") : w.read_only ? t("stateReadOnly") : t("stateOpen");
    const meta = [
      w.date ? t("plannedFor", { date: this.day(w.date) }) : null,
      w.is_template ? null : t("onlineNow", { n: w.participants_online }),
      w.last_activity_ms ? t("lastActive", { date: this.when(w.last_activity_ms) }) : w.created_ms ? t("createdAt", { date: this.when(w.created_ms) }) : null,
      w.erase_after_ms ? t("eraseAfter", { date: this.when(w.erase_after_ms) }) : null,
    ].filter((x): x is string => !!x);
    const linkRow = (what: string, url: string, cls: string) =>
      h("li", { class: `admin-link ${cls}` },
        h("span", { class: "admin-link-label", text: what }),
        h("a", { class: "btn btn-small", attrs: { href: url, target: "_blank", rel: "noopener", "aria-label": t("openLinkOf", { what, title }) } }, icon("link", 14), h("span", { class: "label", text: t("openLink") })),
        button(t("copyLinkOf", { what }), () => void this.copy(url), { class: "btn btn-small btn-icon", icon: icon("copy", 14) }));
    const linkList = links
      ? h("ul", { class: "admin-links" },
          linkRow(t("linkFacilitator"), links.facilitator_url, "link-facilitator"),
          linkRow(t("linkObserver"), links.observer_url, "link-observer"),
          links.participant_url ? linkRow(t("linkParticipant"), links.participant_url, "link-participant") : null,
          facToken && !w.is_template ? linkRow(t("linkReplay"), replayLink(location.origin, w.id, facToken), "link-replay") : null)
      : null;
    // Buttons are named by their action and the workshop; the short word shows.
    const act = (name: string, shown: string, run: () => void, ic: Parameters<typeof icon>[0], cls = "") => {
      const b = button(name, run, { class: `btn btn-small ${cls}`, icon: icon(ic, 14), showLabel: false });
      b.appendChild(h("span", { class: "label", text: shown }));
      return b;
    };
    const actions: (HTMLElement | null)[] = [];
    if (!links && !w.is_template) actions.push(act(`${t("newLinks")}: ${title}`, t("newLinks"), () => void this.newLinks(w), "link"));
    if (w.is_template) actions.push(act(`${t("useTemplate")}: ${title}`, t("useTemplate"), () => this.useTemplate(w), "plus", "btn-primary"));
    else {
      actions.push(
        act(`${t("copyForNext")}: ${title}`, t("copyForNext"), () => void this.copyForNext(w), "copy"),
        act(`${t("saveTemplate")}: ${title}`, t("saveTemplate"), () => void this.saveTemplate(w), "layers"),
        w.closed ? null : act(t("closeWsOf", { title }), t("closeWs"), () => void this.close(w), "closeWorkshop"),
      );
    }
    actions.push(act(t("deleteWsOf", { title }), t("deleteWs"), () => void this.remove(w), "trash", "btn-danger-quiet"));
    const exports = facToken && !w.is_template
      ? h("div", { class: "admin-exports", attrs: { role: "group", "aria-label": `${t("exportsOf")}: ${title}` } },
          h("span", { class: "admin-link-label", text: t("exportsOf") }),
          ...EXPORT_FORMATS.map((f) => {
            const b = button(`${t(f.key)}: ${title}`, () => void this.exportFile(w, f.format, facToken), { class: "btn btn-small", icon: icon("download", 14) });
            b.appendChild(h("span", { class: "label", text: f.short }));
            return b;
          }))
      : null;
    return h("li", { class: `admin-card${w.closed ? " closed" : ""}`, data: { workshop: w.id } },
      h("div", { class: "admin-card-head" },
        h("h3", { class: "admin-card-title", attrs: { tabindex: -1 }, text: title }),
        state ? h("span", { class: `chip admin-state${w.closed ? " chip-closed" : ""}`, text: state }) : null),
      meta.length ? h("p", { class: "admin-meta muted small", text: meta.join(" · ") }) : null,
      linkList,
      exports,
      h("div", { class: "admin-actions", attrs: { role: "group", "aria-label": t("actionsOf", { title }) } }, ...actions));
  }

  private async copy(url: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(url);
      this.toasts.show(this.t("linkCopied"), { kind: "success" });
    } catch {
      await promptDialog(this.t("copy"), url, { ok: this.t("close"), cancel: this.t("cancel") }, 2000);
    }
  }

  private async newLinks(w: WorkshopRow): Promise<void> {
    try {
      const links = await this.api<KnownLinks>("POST", `/api/workshops/${encodeURIComponent(w.id)}/links`, {});
      this.remember(w.id, { facilitator_url: links.facilitator_url, observer_url: links.observer_url });
      this.toasts.show(this.t("newLinksDone", { title: w.title || w.id }), { kind: "success" });
      this.renderAll();
      this.focusCard(w.id);
    } catch (e) {
      this.fail(e);
    }
  }

  private async exportFile(w: WorkshopRow, format: ExportFormat, token: string): Promise<void> {
    try {
      const res = await fetch(`/api/workshops/${encodeURIComponent(w.id)}/export?format=${format}`, { headers: { Authorization: `Bearer ${token}` } });
      if (!res.ok) throw new Error(String(res.status));
      const disposition = res.headers.get("Content-Disposition") ?? "";
      const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
      download(await res.blob(), match?.[1] ? decodeURIComponent(match[1]) : `werkstatt-${w.id}.${format}`);
    } catch (e) {
      this.toasts.show(this.t("exportFailed", { status: (e as Error).message }), { kind: "error" });
    }
  }

  private useTemplate(w: WorkshopRow): void {
    this.form.template.value = `copy:${w.id}`;
    this.form.title.focus();
  }

  /** Copy for the next date: title, date and whether the notes come along. */
  private async copyForNext(w: WorkshopRow): Promise<void> {
    const t = this.t;
    const choice = await copyDialog(t, w.title);
    if (!choice) return;
    const body: Record<string, string> = { copy_from: w.id, language: w.language || "de" };
    if (choice.title) body.title = choice.title;
    if (choice.date) body.date = choice.date;
    if (choice.notes) body.copy_notes = "true";
    try {
      const created = await this.api<KnownLinks & { id: string; title: string }>("POST", "/api/workshops", body);
      this.remember(created.id, { facilitator_url: created.facilitator_url, observer_url: created.observer_url, participant_url: created.participant_url, join_code: created.join_code });
      this.toasts.show(t("copyDone", { title: created.title || created.id }), { kind: "success" });
      await this.load();
      this.focusCard(created.id);
    } catch (e) {
      this.fail(e);
    }
  }

  private async saveTemplate(w: WorkshopRow): Promise<void> {
    const t = this.t;
    const name = await promptDialog(t("templateName"), w.title, { ok: t("saveTemplate"), cancel: t("cancel") }, 120);
    if (!name) return;
    try {
      await this.api("POST", "/api/workshops", { copy_from: w.id, is_template: "true", title: name, language: w.language || "de" });
      this.toasts.show(t("templateDone", { title: name }), { kind: "success" });
      await this.load();
    } catch (e) {
      this.fail(e);
    }
  }

  private async close(w: WorkshopRow): Promise<void> {
    const t = this.t;
    const title = w.title || w.id;
    if (!(await confirmDialog(t("confirmCloseWs", { title }), { ok: t("closeWs"), cancel: t("cancel") }, true, [t("closeWsDetails")]))) return;
    try {
      await this.api("POST", `/api/workshops/${encodeURIComponent(w.id)}/close`, {}, this.bearerFor(w.id));
      this.toasts.show(t("wsClosedDone", { title }), { kind: "success" });
      await this.load();
      this.focusCard(w.id);
    } catch (e) {
      this.fail(e);
    }
  }

  private async remove(w: WorkshopRow): Promise<void> {
    const t = this.t;
    const title = w.title || w.id;
    if (!(await confirmDialog(t("confirmDeleteWs", { title }), { ok: t("deleteWs"), cancel: t("cancel") }, true, [t("deleteWsDetails")]))) return;
    try {
      await this.api("DELETE", `/api/workshops/${encodeURIComponent(w.id)}`, undefined, this.bearerFor(w.id));
      this.status.textContent = t("wsDeletedDone", { title });
      this.toasts.show(t("wsDeletedDone", { title }), { kind: "success" });
      await this.load();
      this.main.querySelector<HTMLElement>("#admin-list-title")?.focus();
    } catch (e) {
      this.fail(e);
    }
  }
}

/** The dialog of "copy for the next date". */
function copyDialog(t: (key: TextKey, params?: Record<string, string | number>) => string, title: string): Promise<{ title: string; date: string; notes: boolean } | undefined> {
  return new Promise((resolve) => {
    const dialog = h("dialog", { class: "dialog", attrs: { "aria-labelledby": "copy-dialog-title" } });
    const name = h("input", { class: "input", attrs: { id: "copy-dialog-name", type: "text", maxlength: 120 } });
    name.value = title;
    const date = h("input", { class: "input", attrs: { id: "copy-dialog-date", type: "date" } });
    const notes = h("input", { attrs: { type: "checkbox", id: "copy-dialog-notes" } });
    const form = h("form", { attrs: { method: "dialog" } },
      h("h2", { class: "dialog-title", attrs: { id: "copy-dialog-title" }, text: t("copyForNext") }),
      h("div", { class: "field" }, h("label", { class: "field-label", attrs: { for: name.id }, text: t("copyTitle") }), name),
      h("div", { class: "field" }, h("label", { class: "field-label", attrs: { for: date.id }, text: t("wsDate") }), date),
      h("label", { class: "check" }, notes, h("span", { text: t("copyNotes") })),
      h("div", { class: "dialog-actions" },
        button(t("cancel"), () => dialog.close("cancel"), { class: "btn" }),
        h("button", { class: "btn btn-primary", attrs: { type: "submit", value: "ok" }, text: t("copyForNext") })));
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      dialog.close("ok");
    });
    dialog.append(form);
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "ok" ? { title: name.value.trim(), date: date.value, notes: notes.checked } : undefined);
      dialog.remove();
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    name.select();
  });
}
