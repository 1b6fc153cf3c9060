// The facilitator's panel: agenda and phases, timer, locks, private
// collection and reveal, voting rounds, follow-me, participants, invitation
// (join code, QR, projector view), settings, exports, replay, closing.
//
// Form inputs (timer minutes, round settings) are created once and keep what
// the facilitator typed; the lists below them are rebuilt when what they show
// changes, keeping keyboard focus on the control with the same key.
import { AreaField, Color, ObjectKind, ProjectorView, Role, SettingsField, Timer_State, TimerControl_Action, type Phase } from "../gen/werkstatt/v1/board_pb";
import { participantLink, replayLink, shortLink } from "../app/launch";
import { EXPORT_FORMATS, type ExportFormat } from "../replay/replay-api";
import { currentPhase, openRound, type BoardView } from "../state/board-model";
import { randomId } from "../state/ids";
import type { AppContext } from "./context";
import { button, download, h, replace, setText } from "./dom";
import { formatDuration, timerRemaining } from "./format";
import { roleText, type TextKey } from "./i18n";
import { icon } from "./icons";
import { confirmDialog, fullscreenLayer, promptDialog } from "./overlays";
import { qrCanvas } from "./qr";
import { joinPoster, linkText } from "./join-poster";
import { avatar } from "./topbar";
import { AgendaEditor } from "./agenda-editor";
import { PhaseNotesField } from "./phase-notes";

/** The board's limit (board::limits::kMaxAreas): the button stops there. */
const MAX_AREAS = 64;
/** Space between areas, in board units. */
const AREA_GAP = 80;
const AREA_COLORS: readonly Color[] = [Color.ORANGE, Color.GREEN, Color.BLUE, Color.PURPLE, Color.PINK, Color.YELLOW, Color.GREY];

interface Section {
  body: HTMLElement;
  signature: string;
}

export class FacilitatorPanel {
  readonly el: HTMLElement;
  private readonly sections = new Map<string, Section>();
  private readonly timerMinutes: HTMLInputElement;
  private readonly timerLock: HTMLInputElement;
  private readonly phaseTimer: HTMLInputElement;
  private readonly roundTitle: HTMLInputElement;
  private readonly roundDots: HTMLInputElement;
  private readonly roundMax: HTMLInputElement;
  private readonly roundScope: HTMLSelectElement;
  private readonly roundLive: HTMLInputElement;
  private readonly titleInput: HTMLInputElement;
  private readonly timerDisplay: HTMLElement;
  private readonly heading: HTMLElement;
  private readonly closeButton: HTMLButtonElement;
  private readonly labels: { el: HTMLElement; key: TextKey }[] = [];
  private lang = "";
  private readonly agendaEditor: AgendaEditor;
  private editingAgenda = false;
  private readonly phaseNotes: PhaseNotesField;

  constructor(
    private readonly ctx: AppContext,
    onClose: () => void,
  ) {
    this.timerMinutes = h("input", { class: "input input-num", attrs: { type: "number", min: 1, max: 600, value: 5, id: "fp-timer-minutes" } });
    this.timerLock = h("input", { attrs: { type: "checkbox", id: "fp-timer-lock" } });
    this.phaseTimer = h("input", { attrs: { type: "checkbox", id: "fp-phase-timer" } });
    this.phaseTimer.checked = true;
    this.roundTitle = h("input", { class: "input", attrs: { type: "text", maxlength: 120, id: "fp-round-title" } });
    this.roundDots = h("input", { class: "input input-num", attrs: { type: "number", min: 1, max: 100, value: 5, id: "fp-round-dots" } });
    this.roundMax = h("input", { class: "input input-num", attrs: { type: "number", min: 1, max: 100, value: 3, id: "fp-round-max" } });
    this.roundScope = h("select", { class: "input", attrs: { id: "fp-round-scope" } });
    this.roundLive = h("input", { attrs: { type: "checkbox", id: "fp-round-live" } });
    this.titleInput = h("input", { class: "input", attrs: { type: "text", maxlength: 120, id: "fp-title" } });
    this.titleInput.addEventListener("change", () => {
      const title = this.titleInput.value.trim();
      if (title !== ctx.board().settings.title) {
        ctx.propose({ kind: { case: "updateSettings", value: { mask: [SettingsField.TITLE], settings: { title } } } });
      }
    });
    this.agendaEditor = new AgendaEditor(ctx, () => {
      this.editingAgenda = false;
      this.render();
      this.sections.get("agenda")?.body.querySelector<HTMLElement>('[data-key="edit-agenda"]')?.focus();
    });
    this.phaseNotes = new PhaseNotesField(ctx);
    this.timerDisplay = h("div", { class: "timer-display", attrs: { "aria-live": "off" } });
    this.heading = h("h2", { class: "panel-title" });
    this.el = h("aside", { class: "panel", attrs: { "aria-labelledby": "fp-heading" } });
    this.heading.id = "fp-heading";
    this.closeButton = button(ctx.t("closePanel"), onClose, { class: "btn btn-icon btn-quiet panel-close", icon: icon("x", 18) });
    this.el.appendChild(h("div", { class: "panel-head" }, icon("flag", 18), this.heading, this.closeButton));
    const scroll = h("div", { class: "panel-scroll" });
    this.el.appendChild(scroll);

    scroll.append(
      this.section("agenda", "agenda", "flag", [this.check(this.phaseTimer, "withTimer")]),
      this.section("notes", "phaseNotes", "note", [this.phaseNotes.el]),
      this.section("timer", "timer", "clock", [
        this.timerDisplay,
        h("div", { class: "row" }, this.label(this.timerMinutes, "minutes"), this.timerMinutes),
        this.check(this.timerLock, "lockOnExpiry"),
      ]),
      this.section("locks", "locks", "lock", []),
      this.section("privacy", "privacy", "eyeOff", [this.text("privacyLead", "muted small")]),
      this.section("voting", "voting", "vote", []),
      this.section("view", "viewSection", "navigation", []),
      this.section("people", "people", "users", []),
      this.section("invite", "invite", "qr", []),
      this.section("settings", "settings", "layers", [h("div", { class: "field" }, this.label(this.titleInput, "workshopTitle"), this.titleInput)]),
      this.section("export", "export", "download", []),
    );
  }

  // ---------------------------------------------------------------- building blocks

  private text(key: TextKey, cls = ""): HTMLElement {
    const el = h("p", { class: cls });
    this.labels.push({ el, key });
    return el;
  }

  private label(input: HTMLElement, key: TextKey): HTMLLabelElement {
    const el = h("label", { class: "field-label", attrs: { for: input.id } });
    this.labels.push({ el, key });
    return el;
  }

  private check(input: HTMLInputElement, key: TextKey): HTMLElement {
    const span = h("span");
    this.labels.push({ el: span, key });
    return h("label", { class: "check" }, input, span);
  }

  private section(id: string, titleKey: TextKey, iconName: Parameters<typeof icon>[0], fixed: HTMLElement[]): HTMLElement {
    const title = h("span");
    this.labels.push({ el: title, key: titleKey });
    const body = h("div", { class: "section-dynamic" });
    const details = h(
      "details",
      { class: `panel-section s-${id}`, attrs: { open: true } },
      h("summary", {}, icon(iconName, 16), title, icon("chevronDown", 16)),
      h("div", { class: "section-body" }, ...fixed, body),
    );
    this.sections.set(id, { body, signature: "" });
    return details;
  }

  /** Rebuilds a section's dynamic part when `signature` changed, keeping
   *  focus on the control with the same data-key. */
  private update(id: string, signature: string, build: () => (Node | null)[]): void {
    const s = this.sections.get(id);
    if (!s || s.signature === signature) return;
    s.signature = signature;
    const focused = document.activeElement instanceof HTMLElement && s.body.contains(document.activeElement) ? document.activeElement.dataset.key : undefined;
    replace(s.body, ...build());
    if (focused) s.body.querySelector<HTMLElement>(`[data-key="${CSS.escape(focused)}"]`)?.focus();
  }

  private btn(key: string, label: string, run: () => void, opts: { icon?: Parameters<typeof icon>[0]; cls?: string; disabled?: boolean; showLabel?: boolean } = {}): HTMLButtonElement {
    const b = button(label, run, {
      class: `btn ${opts.cls ?? ""}`,
      icon: opts.icon ? icon(opts.icon, 16) : undefined,
      showLabel: opts.showLabel ?? true,
      attrs: { disabled: opts.disabled },
      data: { key },
    });
    return b;
  }

  // ---------------------------------------------------------------- render

  render(): void {
    const ctx = this.ctx;
    const t = ctx.t;
    const board = ctx.board();
    if (this.lang !== ctx.lang.current) {
      this.lang = ctx.lang.current;
      for (const { el, key } of this.labels) setText(el, t(key));
      setText(this.heading, t("panelTitle"));
      this.closeButton.setAttribute("aria-label", t("closePanel"));
      this.closeButton.title = t("closePanel");
      this.roundTitle.placeholder = t("roundTitleDefault");
      for (const s of this.sections.values()) s.signature = "";
    }
    if (document.activeElement !== this.titleInput) this.titleInput.value = board.settings.title;
    this.renderAgenda(board);
    this.phaseNotes.render(board);
    this.renderTimer(board);
    this.renderLocks(board);
    this.renderPrivacy(board);
    this.renderVoting(board);
    this.renderView(board);
    this.renderPeople(board);
    this.renderInvite(board);
    this.renderSettings(board);
    this.renderExport(board);
  }

  private go(phase: Phase): void {
    this.ctx.propose({ kind: { case: "goToPhase", value: { phaseId: phase.id, startTimer: this.phaseTimer.checked } } });
  }

  private renderAgenda(board: BoardView): void {
    const t = this.ctx.t;
    const phases = board.agenda.phases;
    const current = currentPhase(board);
    const index = current ? phases.findIndex((p) => p.id === current.id) : -1;
    const next = phases[index + 1];
    if (this.editingAgenda && board.closed) this.editingAgenda = false;
    if (this.editingAgenda) {
      this.agendaEditor.refresh(board);
      this.update("agenda", "editing", () => [this.agendaEditor.el]);
      return;
    }
    const sig = `${phases.map((p) => `${p.id}:${p.name}:${p.plannedSeconds}:${p.privateCollection}:${p.kind}`).join(",")}|${current?.id}|${board.closed}`;
    this.update("agenda", sig, () => [
      next
        ? this.btn("next", `${index < 0 ? t("startAgenda") : t("nextPhase")}: ${next.name}`, () => this.go(next), { icon: "chevronRight", cls: "btn-primary btn-block", disabled: board.closed })
        : null,
      h(
        "ol",
        { class: "phase-list" },
        ...phases.map((p, i) => {
          const state = i < index ? "done" : i === index ? "current" : i === index + 1 ? "next" : "later";
          return h(
            "li",
            { class: `phase ${state}`, attrs: { "aria-current": state === "current" ? "step" : undefined } },
            h("span", { class: "phase-num", text: String(i + 1) }),
            h("span", { class: "phase-label" }, h("span", { class: "phase-title", text: p.name }), h("span", { class: "phase-meta" }, t("plannedMinutes", { n: Math.round(p.plannedSeconds / 60) }), p.privateCollection ? h("span", { class: "chip chip-private small" }, icon("eyeOff", 12), t("privateCollection")) : null)),
            state === "current"
              ? h("span", { class: "phase-now", text: t("current") })
              : i <= index + 1 && !board.closed
                ? this.btn(`go-${p.id}`, t("goToPhase", { name: p.name }), () => this.go(p), { icon: i < index ? "undo" : "chevronRight", showLabel: false, cls: "btn-icon" })
                : null,
          );
        }),
      ),
      current ? null : h("p", { class: "muted small", text: t("notStarted") }),
      board.closed
        ? null
        : this.btn("edit-agenda", t("editAgenda"), () => {
            this.editingAgenda = true;
            this.agendaEditor.open(this.ctx.board());
            this.render();
            this.agendaEditor.el.querySelector<HTMLElement>("input")?.focus();
          }, { icon: "edit", cls: "btn-block" }),
    ]);
  }

  private timerOp(action: TimerControl_Action, extra: { durationMs?: bigint; deltaMs?: bigint; lockOnExpiry?: boolean } = {}): void {
    this.ctx.propose({ kind: { case: "timer", value: { action, ...extra } } });
  }

  private renderTimer(board: BoardView): void {
    const t = this.ctx.t;
    const timer = board.timer;
    const remaining = timerRemaining(timer, this.ctx.serverNow());
    setText(this.timerDisplay, timer.state === Timer_State.EXPIRED ? t("timerExpired") : remaining === undefined ? "–:––" : formatDuration(remaining));
    this.timerDisplay.dataset.state = Timer_State[timer.state];
    const state = timer.state;
    const running = state === Timer_State.RUNNING;
    const paused = state === Timer_State.PAUSED;
    const off = board.closed;
    this.update("timer", `${state}|${off}`, () => [
      h(
        "div",
        { class: "btn-row" },
        this.btn("start", t("startTimer"), () => {
          const minutes = Math.min(600, Math.max(1, Number(this.timerMinutes.value) || 5));
          this.timerOp(TimerControl_Action.START, { durationMs: BigInt(Math.round(minutes * 60_000)), lockOnExpiry: this.timerLock.checked });
        }, { icon: "play", cls: "btn-primary", disabled: off }),
        running
          ? this.btn("pause", t("pauseTimer"), () => this.timerOp(TimerControl_Action.PAUSE), { icon: "pause", disabled: off })
          : this.btn("resume", t("resumeTimer"), () => this.timerOp(TimerControl_Action.RESUME), { icon: "play", disabled: off || !paused }),
        this.btn("stop", t("stopTimer"), () => this.timerOp(TimerControl_Action.STOP), { icon: "stop", showLabel: false, cls: "btn-icon", disabled: off || state === Timer_State.STOPPED }),
      ),
      h(
        "div",
        { class: "btn-row" },
        this.btn("minus", t("removeMinute"), () => this.timerOp(TimerControl_Action.ADJUST, { deltaMs: -60_000n }), { disabled: off || !(running || paused) }),
        this.btn("plus", t("addMinute"), () => this.timerOp(TimerControl_Action.ADJUST, { deltaMs: 60_000n }), { disabled: off || !(running || paused) }),
      ),
    ]);
    // The short labels read better on the buttons; the long ones are their names.
    const s = this.sections.get("timer")?.body;
    const minus = s?.querySelector('[data-key="minus"] .label');
    const plus = s?.querySelector('[data-key="plus"] .label');
    if (minus) setText(minus, t("minusMinute"));
    if (plus) setText(plus, t("plusMinute"));
  }

  private renderLocks(board: BoardView): void {
    const t = this.ctx.t;
    const areas = [...board.areas.values()].filter((a) => !a.deleted).sort((a, b) => (a.rect?.x ?? 0) - (b.rect?.x ?? 0));
    // Areas with notes are not deleted from here: their notes would vanish with them.
    const used = new Set<string>();
    for (const n of board.notes.values()) if (!n.deleted) used.add(n.areaId);
    for (const hn of board.hiddenNotes) if (hn.count > 0) used.add(hn.areaId);
    const sig = `${board.settings.locked}|${areas.map((a) => `${a.id}:${a.title}:${a.locked}:${used.has(a.id)}`).join(",")}|${board.closed}`;
    this.update("locks", sig, () => [
      this.btn("board", board.settings.locked ? t("unlockBoard") : t("lockBoard"), () =>
        this.ctx.propose({ kind: { case: "updateSettings", value: { mask: [SettingsField.LOCKED], settings: { locked: !board.settings.locked } } } }),
        { icon: board.settings.locked ? "unlock" : "lock", cls: board.settings.locked ? "btn-warn btn-block" : "btn-block", disabled: board.closed },
      ),
      h(
        "ul",
        { class: "plain-list" },
        ...areas.map((a) =>
          h(
            "li",
            { class: "list-row" },
            h("span", { class: `swatch-dot c-${a.color}` }),
            h("span", { class: "grow", text: a.title }),
            this.btn(`rename-area-${a.id}`, t("renameArea", { area: a.title }), () => void this.renameArea(a.id, a.title), {
              icon: "edit",
              showLabel: false,
              cls: "btn-icon",
              disabled: board.closed,
            }),
            this.btn(`delete-area-${a.id}`, used.has(a.id) ? t("areaHasNotes", { area: a.title }) : t("deleteArea", { area: a.title }), () =>
              this.ctx.propose(
                { kind: { case: "delete", value: { target: { kind: ObjectKind.AREA, id: a.id } } } },
                { kind: { case: "restore", value: { target: { kind: ObjectKind.AREA, id: a.id } } } },
              ),
              { icon: "trash", showLabel: false, cls: "btn-icon", disabled: board.closed || used.has(a.id) || areas.length <= 1 },
            ),
            this.btn(`area-${a.id}`, a.locked ? t("unlockArea", { area: a.title }) : t("lockArea", { area: a.title }), () =>
              this.ctx.propose({ kind: { case: "updateArea", value: { id: a.id, mask: [AreaField.LOCKED], locked: !a.locked } } }),
              { icon: a.locked ? "lock" : "unlock", showLabel: false, cls: a.locked ? "btn-icon btn-warn" : "btn-icon", disabled: board.closed },
            ),
          ),
        ),
      ),
      this.btn("add-area", t("addArea"), () => void this.addArea(board), {
        icon: "plus",
        cls: "btn-block",
        disabled: board.closed || areas.length >= MAX_AREAS,
      }),
    ]);
  }

  private async renameArea(id: string, title: string): Promise<void> {
    const t = this.ctx.t;
    const next = (await promptDialog(t("renameArea", { area: title }), title, { ok: t("save"), cancel: t("cancel") }, 120))?.trim();
    if (next && next !== title) {
      this.ctx.propose(
        { kind: { case: "updateArea", value: { id, mask: [AreaField.TITLE], title: next } } },
        { kind: { case: "updateArea", value: { id, mask: [AreaField.TITLE], title } } },
      );
    }
  }

  /** A new area right of the others, as tall as the tallest, in the next colour. */
  private async addArea(board: BoardView): Promise<void> {
    const t = this.ctx.t;
    const title = (await promptDialog(t("newAreaTitle"), "", { ok: t("addArea"), cancel: t("cancel") }, 120))?.trim();
    if (!title) return;
    const live = [...board.areas.values()].filter((a) => !a.deleted);
    const right = Math.max(0, ...live.map((a) => (a.rect?.x ?? 0) + (a.rect?.width ?? 0)));
    const top = live.length > 0 ? Math.min(...live.map((a) => a.rect?.y ?? 0)) : 0;
    const height = Math.max(800, ...live.map((a) => a.rect?.height ?? 0));
    const width = live.length > 0 ? Math.round(live.reduce((sum, a) => sum + (a.rect?.width ?? 0), 0) / live.length) : 1200;
    const color = AREA_COLORS[live.length % AREA_COLORS.length] ?? Color.BLUE;
    const id = randomId();
    this.ctx.propose(
      { kind: { case: "createArea", value: { id, title, color, rect: { x: right + AREA_GAP, y: top, width, height } } } },
      { kind: { case: "delete", value: { target: { kind: ObjectKind.AREA, id } } } },
    );
  }

  /** Unrevealed notes per area and per author, as this facilitator knows
   *  them: those they can see (hidden flag) plus the counted ones. */
  private hiddenStats(board: BoardView): { total: number; byArea: Map<string, number>; byAuthor: Map<string, number> } {
    const byArea = new Map<string, number>();
    const byAuthor = new Map<string, number>();
    const add = (area: string, author: string, n: number) => {
      byArea.set(area, (byArea.get(area) ?? 0) + n);
      byAuthor.set(author, (byAuthor.get(author) ?? 0) + n);
    };
    for (const n of board.notes.values()) if (n.hidden && !n.deleted) add(n.areaId, n.authorId, 1);
    for (const hn of board.hiddenNotes) add(hn.areaId, hn.authorId, hn.count);
    let total = 0;
    for (const v of byArea.values()) total += v;
    return { total, byArea, byAuthor };
  }

  private renderPrivacy(board: BoardView): void {
    const t = this.ctx.t;
    const stats = this.hiddenStats(board);
    const sig = `${[...stats.byArea].join(",")}|${[...stats.byAuthor].join(",")}|${[...board.participants.values()].map((p) => p.displayName).join(",")}|${board.closed}`;
    this.update("privacy", sig, () => {
      if (stats.total === 0) return [h("p", { class: "muted", text: t("nothingHidden") })];
      const reveal = (scope: { case: "all"; value: boolean } | { case: "areaId"; value: string } | { case: "participantId"; value: string }) =>
        this.ctx.propose({ kind: { case: "reveal", value: { scope } } });
      return [
        h("p", { class: "stat", text: t("hiddenSummary", { n: stats.total }) }),
        this.btn("reveal-all", t("revealAll"), () => reveal({ case: "all", value: true }), { icon: "eye", cls: "btn-primary btn-block", disabled: board.closed }),
        h(
          "ul",
          { class: "plain-list" },
          ...[...stats.byArea].map(([areaId, n]) => {
            const title = board.areas.get(areaId)?.title ?? t("onBoard");
            return h("li", { class: "list-row" }, h("span", { class: "grow", text: title }), h("span", { class: "count", text: String(n) }),
              this.btn(`reveal-area-${areaId}`, t("revealArea", { area: title }), () => reveal({ case: "areaId", value: areaId }), { icon: "eye", showLabel: false, cls: "btn-icon", disabled: board.closed }));
          }),
        ),
        h(
          "ul",
          { class: "plain-list" },
          ...[...stats.byAuthor].map(([author, n]) => {
            const name = this.ctx.name(author) || author;
            return h("li", { class: "list-row" }, avatar(name, author), h("span", { class: "grow", text: name }), h("span", { class: "count", text: String(n) }),
              this.btn(`reveal-person-${author}`, t("revealPerson", { name }), () => reveal({ case: "participantId", value: author }), { icon: "eye", showLabel: false, cls: "btn-icon", disabled: board.closed }));
          }),
        ),
      ];
    });
  }

  private renderVoting(board: BoardView): void {
    const t = this.ctx.t;
    const round = openRound(board);
    const scopeOptions = [
      { value: "", label: t("scopeAll") },
      ...[...board.areas.values()].filter((a) => !a.deleted).map((a) => ({ value: `a:${a.id}`, label: a.title })),
      ...[...board.clusters.values()].filter((c) => !c.deleted && c.title).map((c) => ({ value: `c:${c.id}`, label: `${t("cluster")}: ${c.title}` })),
    ];
    const scopeSig = scopeOptions.map((o) => o.value + o.label).join(",");
    if (this.roundScope.dataset.sig !== scopeSig) {
      this.roundScope.dataset.sig = scopeSig;
      const selected = this.roundScope.value;
      replace(this.roundScope, ...scopeOptions.map((o) => h("option", { attrs: { value: o.value }, text: o.label })));
      this.roundScope.value = scopeOptions.some((o) => o.value === selected) ? selected : "";
    }
    const tallies = round ? [...board.tallies].sort((a, b) => b[1] - a[1]).slice(0, 8) : [];
    const closed = board.rounds.filter((r) => !r.open);
    const sig = `${round?.id}|${tallies.join(",")}|${closed.map((r) => r.id + r.results.length).join(",")}|${board.closed}|${board.notes.size}`;
    // Dots may be on a cluster itself: its id names the cluster.
    const noteText = (id: string) => {
      const c = board.clusters.get(id);
      return c ? t("clusterResult", { title: c.title || t("clusterUnnamed") }) : board.notes.get(id)?.text || t("emptyNote");
    };
    this.update("voting", sig, () => {
      const out: (Node | null)[] = [];
      if (round) {
        out.push(
          h("p", { class: "stat" }, icon("vote", 14), h("strong", { text: round.title || t("votingOpen") })),
          h("p", { class: "muted small", text: `${t("dotsPerPerson")}: ${round.dotsPerParticipant} · ${t("maxPerNote")}: ${round.maxDotsPerNote}` }),
          tallies.length
            ? h("ol", { class: "result-list" }, ...tallies.map(([id, dots]) => h("li", {}, h("span", { class: "grow ellipsis", text: noteText(id) }), h("span", { class: "count", text: String(dots) }))))
            : h("p", { class: "muted", text: t("noResults") }),
          this.btn("close-round", t("closeRound"), () => this.ctx.propose({ kind: { case: "closeVotingRound", value: { roundId: round.id } } }), { icon: "stop", cls: "btn-primary btn-block", disabled: board.closed }),
        );
      } else {
        out.push(
          h("div", { class: "field" }, this.inlineLabel(this.roundTitle, t("roundTitle")), this.roundTitle),
          h("div", { class: "row two" },
            h("div", { class: "field" }, this.inlineLabel(this.roundDots, t("dotsPerPerson")), this.roundDots),
            h("div", { class: "field" }, this.inlineLabel(this.roundMax, t("maxPerNote")), this.roundMax)),
          h("div", { class: "field" }, this.inlineLabel(this.roundScope, t("scope")), this.roundScope),
          h("label", { class: "check" }, this.roundLive, h("span", { text: t("liveCounts") })),
          this.btn("open-round", t("openRound"), () => this.openRound(), { icon: "play", cls: "btn-primary btn-block", disabled: board.closed }),
        );
      }
      closed.forEach((r) => {
        const n = board.rounds.indexOf(r) + 1;
        out.push(
          h("div", { class: "round-results" },
            h("h4", { text: `${t("roundN", { n })}${r.title ? `: ${r.title}` : ""}` }),
            r.results.length
              ? h("ol", { class: "result-list" }, ...r.results.slice(0, 10).map((x) => h("li", {}, h("span", { class: "grow ellipsis", text: noteText(x.noteId) }), h("span", { class: "count", text: String(x.dots) }))))
              : h("p", { class: "muted small", text: t("noResults") })),
        );
      });
      return out;
    });
  }

  private inlineLabel(input: HTMLElement, text: string): HTMLElement {
    return h("label", { class: "field-label", attrs: { for: input.id }, text });
  }

  private openRound(): void {
    const dots = Math.min(100, Math.max(1, Math.round(Number(this.roundDots.value) || 5)));
    const max = Math.min(dots, Math.max(1, Math.round(Number(this.roundMax.value) || 1)));
    const scope = this.roundScope.value;
    this.ctx.propose({
      kind: {
        case: "openVotingRound",
        value: {
          round: {
            id: randomId(),
            title: this.roundTitle.value.trim() || this.ctx.t("roundTitleDefault"),
            dotsPerParticipant: dots,
            maxDotsPerNote: max,
            scopeAreaIds: scope.startsWith("a:") ? [scope.slice(2)] : [],
            scopeClusterIds: scope.startsWith("c:") ? [scope.slice(2)] : [],
            liveCounts: this.roundLive.checked,
          },
        },
      },
    });
  }

  private renderView(board: BoardView): void {
    const t = this.ctx.t;
    const self = this.ctx.selfId();
    const mine = board.followMe.active && board.followMe.facilitatorId === self;
    this.update("view", `${board.followMe.active}|${board.followMe.facilitatorId}|${board.closed}|${board.settings.projector}|${this.ctx.currentArea?.() ?? ""}|${this.ctx.lang.current}`, () => [
      board.followMe.active && !mine ? h("p", { class: "muted small", text: t("following", { name: this.ctx.name(board.followMe.facilitatorId) }) }) : null,
      this.btn("follow", mine ? t("endFollowMe") : t("followMe"), () => this.ctx.propose({ kind: { case: "setFollowMe", value: { active: !mine } } }), {
        icon: "navigation",
        cls: mine ? "btn-active btn-block" : "btn-block",
        disabled: board.closed,
      }),
      mine ? h("p", { class: "muted small", text: t("followMeActive") }) : null,
      this.btn("bring", t("bringHere"), () => {
        const viewport = this.ctx.currentViewport();
        if (viewport) this.ctx.propose({ kind: { case: "bringEveryoneHere", value: { viewport } } });
      }, { icon: "target", cls: "btn-block", disabled: board.closed }),
      ...this.sortControls(board),
    ]);
  }

  /** "Sort": tidy the area in view or the whole board (placement.ts). */
  private sortControls(board: BoardView): (HTMLElement | null)[] {
    const t = this.ctx.t;
    const areaId = this.ctx.currentArea?.() ?? "";
    const area = areaId ? board.areas.get(areaId) : undefined;
    const projector = board.settings.projector;
    return [
      h("h4", { text: t("projectorSection") }),
      h("p", { class: "muted small", text: t("projectorHint") }),
      h("div", { class: "btn-col" },
        ...([[ProjectorView.BOARD, "projector-board", t("projectorBoard"), "layers"], [ProjectorView.RESULTS, "projector-results", t("projectorResults"), "vote"], [ProjectorView.JOIN, "projector-join", t("projectorJoin"), "qr"]] as const).map(([view, key, label, ic]) => {
          const b = this.btn(key, label, () => this.ctx.setProjector?.(view), { icon: ic, cls: `btn-block${projector === view ? " btn-active" : ""}`, disabled: board.closed });
          b.setAttribute("aria-pressed", projector === view ? "true" : "false");
          return b;
        })),
      h("h4", { text: t("sortSection") }),
      h("p", { class: "muted small", text: t("tidyHint") }),
      area ? this.btn("tidy-area", t("tidyArea", { title: area.title || "—" }), () => this.ctx.tidy?.(areaId), { icon: "layers", cls: "btn-block", disabled: board.closed }) : null,
      this.btn("tidy-board", t("tidyBoard"), () => this.ctx.tidy?.(undefined), { icon: "layers", cls: "btn-block", disabled: board.closed }),
    ];
  }

  private renderPeople(board: BoardView): void {
    const t = this.ctx.t;
    const self = this.ctx.selfId();
    const online = this.ctx.presence.all;
    // Erased people stay listed under their pseudonym (no actions): the
    // organiser sees the request was carried out.
    const token = this.ctx.facilitatorToken;
    const people = [...board.participants.values()].filter((p) => !p.removed || p.erased).sort((a, b) => Number(b.online) - Number(a.online) || a.role - b.role || a.displayName.localeCompare(b.displayName));
    const hands = board.raisedHands;
    const sig = `${people.map((p) => `${p.id}:${p.displayName}:${p.role}:${online.has(p.id)}:${p.erased}`).join(",")}|${hands.join(",")}|${board.closed}|${this.ctx.lang.current}|${token ? 1 : 0}`;
    this.update("people", sig, () => [
      h("h4", { text: t("hands") }),
      hands.length
        ? h("ul", { class: "plain-list" }, ...hands.map((id) => h("li", { class: "list-row hand-row" }, icon("hand", 16), h("span", { class: "grow", text: this.ctx.name(id) }),
            this.btn(`lower-${id}`, t("lowerHand"), () => this.ctx.propose({ kind: { case: "lowerHand", value: { participantId: id } } }), { icon: "check", showLabel: false, cls: "btn-icon" }))))
        : h("p", { class: "muted small", text: t("noHands") }),
      // By role: observers (the projector) and facilitators are not "Teilnehmende".
      h("h4", { text: t("people") }),
      h("p", { class: "muted small people-counts", text: [
        `${t("countParticipants")}: ${people.filter((p) => !p.erased && p.role === Role.PARTICIPANT).length}`,
        `${t("countFacilitators")}: ${people.filter((p) => !p.erased && p.role === Role.FACILITATOR).length}`,
        `${t("countObservers")}: ${people.filter((p) => !p.erased && p.role === Role.OBSERVER).length}`,
      ].join(" · ") }),
      h(
        "ul",
        { class: "plain-list people" },
        ...people.map((p) => {
          const name = p.displayName || t("guest");
          const isSelf = p.id === self;
          if (p.erased) {
            return h("li", { class: "list-row person-row erased" },
              h("span", { class: "presence-dot", attrs: { title: t("offline") } }),
              h("span", { class: "grow" }, h("span", { class: "person-name", text: name }), h("span", { class: "person-role", text: t("erasedPerson") })));
          }
          return h(
            "li",
            { class: "list-row person-row" },
            h("span", { class: `presence-dot${online.has(p.id) ? " on" : ""}`, attrs: { title: online.has(p.id) ? t("online") : t("offline") } }),
            h("span", { class: "grow" }, h("span", { class: "person-name", text: isSelf ? `${name} (${t("you")})` : name }), h("span", { class: "person-role", text: roleText(this.ctx.lang.current, p.role) })),
            this.btn(`rename-${p.id}`, t("rename"), () => void this.rename(p.id, name), { icon: "edit", showLabel: false, cls: "btn-icon", disabled: board.closed || p.role === Role.OBSERVER && !isSelf }),
            p.role === Role.FACILITATOR && people.filter((x) => x.role === Role.FACILITATOR).length > 1
              ? this.btn(`role-${p.id}`, t("demote"), () => this.ctx.propose({ kind: { case: "setRole", value: { participantId: p.id, role: Role.PARTICIPANT } } }), { icon: "chevronDown", showLabel: false, cls: "btn-icon", disabled: board.closed })
              : p.role === Role.PARTICIPANT
                ? this.btn(`role-${p.id}`, t("promote"), () => this.ctx.propose({ kind: { case: "setRole", value: { participantId: p.id, role: Role.FACILITATOR } } }), { icon: "flag", showLabel: false, cls: "btn-icon", disabled: board.closed })
                : null,
            isSelf ? null : this.btn(`remove-${p.id}`, t("remove"), () => void this.remove(p.id, name), { icon: "trash", showLabel: false, cls: "btn-icon btn-danger-quiet", disabled: board.closed }),
            // DSGVO Art. 15 and 17 over REST with the facilitator token (a
            // promoted participant has none); also once the workshop is
            // closed, since requests come afterwards.
            isSelf || !token ? null : this.btn(`export-person-${p.id}`, t("exportPerson", { name }), () => void this.exportPerson(p.id, name), { icon: "download", showLabel: false, cls: "btn-icon" }),
            isSelf || !token ? null : this.btn(`erase-person-${p.id}`, t("erasePerson", { name }), () => void this.erasePerson(p.id, name), { icon: "userX", showLabel: false, cls: "btn-icon btn-danger-quiet" }),
          );
        }),
      ),
    ]);
  }

  private async rename(id: string, name: string): Promise<void> {
    const t = this.ctx.t;
    const next = await promptDialog(t("newName", { name }), name, { ok: t("save"), cancel: t("cancel") }, 60);
    if (next && next !== name) this.ctx.propose({ kind: { case: "renameParticipant", value: { participantId: id, displayName: next } } });
  }

  private async remove(id: string, name: string): Promise<void> {
    const t = this.ctx.t;
    if (await confirmDialog(t("confirmRemove", { name }), { ok: t("remove"), cancel: t("cancel") }, true)) {
      this.ctx.propose({ kind: { case: "removeParticipant", value: { participantId: id } } });
    }
  }

  /** The person's data as the server's journal holds it (GET …/participants/{pid}/export). */
  private async exportPerson(id: string, name: string): Promise<void> {
    const t = this.ctx.t;
    const res = await this.personRequest(id, "/export", "GET", (status) => t("exportPersonFailed", { name, status }));
    if (!res) return;
    const disposition = res.headers.get("Content-Disposition") ?? "";
    const match = /filename="?([^";]+)"?/i.exec(disposition);
    download(await res.blob(), match?.[1] ?? `participant-${id}.json`);
  }

  /** Erasure on request (DELETE …/participants/{pid}): the server journals
   *  EraseParticipant, so the list and every page show the pseudonym once it
   *  arrives; the toast tells the new name. */
  private async erasePerson(id: string, name: string): Promise<void> {
    const t = this.ctx.t;
    const sure = await confirmDialog(t("eraseConfirm", { name }), { ok: t("eraseOk"), cancel: t("cancel") }, true, [
      t("erasePseudonym"),
      t("eraseNoRejoin"),
      t("eraseNotesStay"),
      t("eraseFinal"),
    ]);
    if (!sure) return;
    const res = await this.personRequest(id, "", "DELETE", (status) => t("eraseFailed", { name, status }));
    if (!res) return;
    if (res.status === 202) {
      this.ctx.toasts.show(t("erasing", { name }), { kind: "info" });
      return;
    }
    const body = (await res.json().catch(() => ({}))) as { display_name?: string };
    this.ctx.toasts.show(t("erased", { name, pseudonym: body.display_name ?? "—" }), { kind: "success" });
  }

  /** A participant request with the facilitator token; a refusal or a
   *  network error becomes an error toast (and undefined). */
  private async personRequest(id: string, suffix: string, method: string, failed: (status: string | number) => string): Promise<Response | undefined> {
    const token = this.ctx.facilitatorToken;
    if (!token) return undefined;
    try {
      const res = await fetch(`/api/workshops/${encodeURIComponent(this.ctx.workshopId)}/participants/${encodeURIComponent(id)}${suffix}`, {
        method,
        headers: { Authorization: `Bearer ${token}` },
      });
      if (res.ok) return res;
      const reason = ((await res.json().catch(() => ({}))) as { error?: string }).error;
      this.ctx.toasts.show(failed(reason ? `${res.status}: ${reason}` : res.status), { kind: "error" });
    } catch (e) {
      this.ctx.toasts.show(failed((e as Error).message), { kind: "error" });
    }
    return undefined;
  }

  private renderInvite(board: BoardView): void {
    const t = this.ctx.t;
    const code = board.joinCode;
    const origin = this.ctx.origin;
    const id = this.ctx.workshopId;
    this.update("invite", `${code}|${board.closed}|${this.ctx.lang.current}`, () => {
      // Closed: the code admits nobody, so neither code nor QR nor projector screen is offered.
      if (board.closed) return [h("p", { class: "muted invite-closed", text: t("inviteClosed") })];
      const link = shortLink(origin, id);
      const full = code ? participantLink(origin, id, code) : link;
      return [
        h("div", { class: "invite" },
          qrCanvas(full, 132, t("projectorStep1")),
          h("div", { class: "invite-text" },
            h("span", { class: "field-label", text: t("currentCode") }),
            h("span", { class: "join-code", text: code || "—" }),
            h("span", { class: "field-label", text: t("shortLink") }),
            linkText(link))),
        h("div", { class: "btn-row" },
          this.btn("copy", t("copy"), () => void this.copy(`${link}  ${t("joinCode")}: ${code}`), { icon: "copy" }),
          this.btn("projector", t("projector"), () => this.projector(full, link, code, board.settings.title), { icon: "monitor", cls: "btn-primary" })),
        this.btn("rotate", t("rotateCode"), () => void this.rotate(), { icon: "refresh", cls: "btn-block", disabled: board.closed }),
      ];
    });
  }

  private async copy(text: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      this.ctx.toasts.show(this.ctx.t("copied"), { kind: "success" });
    } catch {
      await promptDialog(this.ctx.t("shortLink"), text, { ok: this.ctx.t("close"), cancel: this.ctx.t("cancel") }, 400);
    }
  }

  private async rotate(): Promise<void> {
    const t = this.ctx.t;
    if (await confirmDialog(t("confirmRotate"), { ok: t("rotateCode"), cancel: t("cancel") })) {
      this.ctx.propose({ kind: { case: "rotateJoinCode", value: {} } });
    }
  }

  private projector(full: string, link: string, code: string, title: string): void {
    fullscreenLayer(joinPoster(this.ctx.t, title, { join_code: code, participant_url: full, short_url: link }), this.ctx.t("close"));
  }

  private renderSettings(board: BoardView): void {
    const t = this.ctx.t;
    this.update("settings", `${board.settings.pseudonymous}|${board.closed}|${this.ctx.lang.current}`, () => {
      const box = h("input", { attrs: { type: "checkbox" }, data: { key: "pseudo" } });
      box.checked = board.settings.pseudonymous;
      box.disabled = board.closed;
      box.addEventListener("change", () =>
        this.ctx.propose({ kind: { case: "updateSettings", value: { mask: [SettingsField.PSEUDONYMOUS], settings: { pseudonymous: box.checked } } } }),
      );
      return [h("label", { class: "check" }, box, h("span", { text: t("pseudonymous") }))];
    });
  }

  /** The workshop's retention (GET /api/workshops/{id}), fetched when the
   *  panel first shows and again when the workshop closes (the date then
   *  counts from the closing). */
  private retention: { days: number; eraseAfterMs: number | null; closed: boolean } | undefined;
  private retentionAsked: boolean | undefined;

  private askRetention(closed: boolean, attempt = 0): void {
    if (attempt === 0 && this.retentionAsked === closed) return;
    this.retentionAsked = closed;
    void fetch(`/api/workshops/${encodeURIComponent(this.ctx.workshopId)}`)
      .then((res) => (res.ok ? res.json() : undefined))
      .then((info: { retention_days?: number; erase_after_ms?: number | null; closed?: boolean } | undefined) => {
        if (!info || typeof info.retention_days !== "number") return;
        this.retention = { days: info.retention_days, eraseAfterMs: info.erase_after_ms ?? null, closed: info.closed === true };
        this.render();
        // The board closes here as soon as the facilitator proposes it; the
        // server may not have applied it yet: ask again, a few times.
        if ((info.closed === true) !== closed && attempt < 5 && this.retentionAsked === closed)
          setTimeout(() => this.askRetention(closed, attempt + 1), 500 * (attempt + 1));
      })
      .catch(() => undefined); // no line rather than a wrong one
  }

  private retentionLine(): HTMLElement | null {
    const r = this.retention;
    if (!r) return null;
    const t = this.ctx.t;
    if (r.eraseAfterMs === null || r.days === 0) return h("p", { class: "muted small retention", text: t("retentionKeep") });
    const date = new Date(r.eraseAfterMs).toLocaleDateString(this.ctx.lang.current === "de" ? "de-DE" : "en-GB", { year: "numeric", month: "long", day: "numeric" });
    return h("p", { class: "muted small retention", text: t(r.closed ? "retentionAfterClose" : "retentionAfterActivity", { date, days: r.days }) });
  }

  private renderExport(board: BoardView): void {
    const t = this.ctx.t;
    const token = this.ctx.facilitatorToken;
    this.askRetention(board.closed);
    const r = this.retention;
    this.update("export", `${token ? 1 : 0}|${board.closed}|${this.ctx.lang.current}|${r ? `${r.days}:${r.eraseAfterMs}:${r.closed}` : ""}`, () => {
      if (!token) return [h("p", { class: "muted small", text: t("replayNoToken") })];
      return [
        this.retentionLine(),
        h("div", { class: "btn-col" },
          ...EXPORT_FORMATS.map((f) => this.btn(f.format, t(f.key), () => void exportFile(this.ctx, f.format, undefined), { icon: "download" }))),
        h("a", { class: "btn btn-block", attrs: { href: replayLink(this.ctx.origin, this.ctx.workshopId, token), target: "_blank", rel: "noopener" } }, icon("history", 16), h("span", { class: "label", text: t("openReplay") })),
        h("hr"),
        this.btn("close-workshop", t("closeWorkshop"), () => void this.closeWorkshop(), { icon: "closeWorkshop", cls: "btn-danger btn-block", disabled: board.closed }),
      ];
    });
  }

  private async closeWorkshop(): Promise<void> {
    const t = this.ctx.t;
    if (await confirmDialog(t("confirmClose"), { ok: t("closeWorkshop"), cancel: t("cancel") }, true)) {
      this.ctx.propose({ kind: { case: "closeWorkshop", value: {} } });
    }
  }
}

/** Downloads an export of the workshop (at `seq`, or now) with the
 *  facilitator token in the Authorization header. */
export async function exportFile(ctx: Pick<AppContext, "workshopId" | "facilitatorToken" | "toasts" | "t">, format: ExportFormat, seq: bigint | undefined): Promise<void> {
  if (!ctx.facilitatorToken) return;
  const query = new URLSearchParams({ format });
  if (seq !== undefined) query.set("seq", String(seq));
  try {
    const res = await fetch(`/api/workshops/${encodeURIComponent(ctx.workshopId)}/export?${query}`, {
      headers: { Authorization: `Bearer ${ctx.facilitatorToken}` },
    });
    if (!res.ok) {
      ctx.toasts.show(ctx.t("exportFailed", { status: res.status }), { kind: "error" });
      return;
    }
    const blob = await res.blob();
    const disposition = res.headers.get("Content-Disposition") ?? "";
    const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
    const name = match?.[1] ? decodeURIComponent(match[1]) : `werkstatt-${ctx.workshopId}${seq !== undefined ? `-seq${seq}` : ""}.${format}`;
    download(blob, name);
  } catch (e) {
    ctx.toasts.show(ctx.t("exportFailed", { status: (e as Error).message }), { kind: "error" });
  }
}
