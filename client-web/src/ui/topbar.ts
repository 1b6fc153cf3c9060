// The bar at the top of the board: workshop, phase, timer, voting budget,
// connection, who is online, raise hand, language, facilitator panel.
// Always visible, on phones too (in a compact form).
import { Role, Timer_State } from "../gen/werkstatt/v1/board_pb";
import { currentPhase, dotsOf, hiddenCountOf, openRound } from "../state/board-model";
import { may, privatePhase } from "../state/permissions";
import type { AppContext } from "./context";
import { button, h, initials, personColor, replace, setText, toggleClass } from "./dom";
import { formatDuration, timerRemaining } from "./format";
import { roleText } from "./i18n";
import { icon } from "./icons";

/** Connection trouble shorter than this is not worth alarming anyone. */
const RECONNECT_NOTICE_DELAY_MS = 1500;

export class TopBar {
  readonly el: HTMLElement;
  private readonly title: HTMLElement;
  private readonly phase: HTMLElement;
  private readonly timer: HTMLElement;
  private readonly chips: HTMLElement;
  private readonly status: HTMLElement;
  private readonly onlineButton: HTMLButtonElement;
  private readonly onlinePopover: HTMLElement;
  private readonly handButton: HTMLButtonElement;
  private readonly langButton: HTMLButtonElement;
  private readonly panelButton: HTMLButtonElement;
  private notOnlineSince: number | undefined;
  private signature = "";

  constructor(
    private readonly ctx: AppContext,
    private readonly togglePanel: () => void,
    private readonly panelOpen: () => boolean,
  ) {
    const t = ctx.t;
    this.title = h("div", { class: "tb-title" });
    this.phase = h("div", { class: "tb-phase" });
    this.timer = h("div", { class: "tb-timer", attrs: { role: "timer", "aria-live": "off" } });
    this.chips = h("div", { class: "tb-chips" });
    this.status = h("div", { class: "tb-status", attrs: { role: "status", "aria-live": "polite" } });
    this.onlinePopover = h("div", { class: "popover online-popover", attrs: { role: "dialog", "aria-label": t("onlineList") } });
    this.onlinePopover.hidden = true;
    this.onlineButton = button(t("onlineList"), () => this.toggleOnline(), { class: "tb-online", showLabel: false, attrs: { "aria-expanded": "false" } });
    this.handButton = button(t("raiseHand"), () => this.toggleHand(), { class: "tb-btn tb-hand", icon: icon("hand"), showLabel: true });
    this.langButton = button(t("switchLanguage"), () => ctx.lang.set(ctx.lang.current === "de" ? "en" : "de"), { class: "tb-btn tb-lang", showLabel: false });
    this.panelButton = button(t("openPanel"), () => this.togglePanel(), { class: "tb-btn tb-panel", icon: icon("sidebar"), showLabel: true });
    this.el = h(
      "header",
      { class: "topbar" },
      h("div", { class: "tb-left" }, h("span", { class: "brand", attrs: { "aria-hidden": "true" } }, h("span", { class: "brand-mark" }), "werkstatt"), this.title),
      h("div", { class: "tb-center" }, this.phase, this.timer, this.chips),
      h("div", { class: "tb-right" }, this.status, h("div", { class: "tb-online-wrap" }, this.onlineButton, this.onlinePopover), this.handButton, this.langButton, this.panelButton),
    );
    document.addEventListener("pointerdown", (ev) => {
      if (!this.onlinePopover.hidden && !(ev.target as HTMLElement).closest(".tb-online-wrap")) this.closeOnline();
    });
    this.onlinePopover.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape") {
        this.closeOnline();
        this.onlineButton.focus();
      }
    });
  }

  private toggleOnline(): void {
    if (this.onlinePopover.hidden) {
      this.onlinePopover.hidden = false;
      this.onlineButton.setAttribute("aria-expanded", "true");
      this.renderOnline();
    } else this.closeOnline();
  }

  private closeOnline(): void {
    this.onlinePopover.hidden = true;
    this.onlineButton.setAttribute("aria-expanded", "false");
  }

  private toggleHand(): void {
    const self = this.ctx.selfId();
    const raised = this.ctx.board().raisedHands.includes(self);
    this.ctx.propose(raised ? { kind: { case: "lowerHand", value: { participantId: self } } } : { kind: { case: "raiseHand", value: {} } });
  }

  /** Everything except the ticking timer. */
  render(): void {
    const ctx = this.ctx;
    const t = ctx.t;
    const board = ctx.board();
    const self = ctx.selfId();
    const phase = currentPhase(board);
    const phases = board.agenda.phases;
    const index = phase ? phases.findIndex((p) => p.id === phase.id) + 1 : 0;
    const round = openRound(board);
    const left = round ? round.dotsPerParticipant - dotsOf(board, self) : 0;
    const canVote = !!round && may(board, self, "vote");
    const raised = board.raisedHands.includes(self);
    const online = [...ctx.presence.all.values()];
    const signature = [
      ctx.lang.current, board.settings.title, phase?.id, phase?.name, index, phases.length, privatePhase(board), board.settings.locked,
      board.closed, round?.id, left, canVote, raised, ctx.role(), this.panelOpen(), online.map((p) => `${p.participantId}:${p.displayName}`).join(","),
      board.raisedHands.join(","),
    ].join("|");
    this.renderStatus();
    this.renderTimer();
    if (signature === this.signature) return;
    this.signature = signature;

    setText(this.title, board.settings.title || t("appName"));
    this.title.title = board.settings.title;
    replace(
      this.phase,
      phase
        ? h("span", { class: "phase-chip" }, h("span", { class: "phase-index", text: t("phaseOf", { i: index, n: phases.length }) }), h("span", { class: "phase-name", text: phase.name }))
        : h("span", { class: "phase-chip muted" }, h("span", { class: "phase-name", text: t("openBoard") })),
      privatePhase(board) ? h("span", { class: "chip chip-private" }, icon("eyeOff", 14), t("privateCollection")) : null,
    );
    const chips: HTMLElement[] = [];
    if (board.closed) chips.push(h("span", { class: "chip chip-closed" }, icon("closeWorkshop", 14), t("workshopClosed")));
    else if (board.settings.locked) chips.push(h("span", { class: "chip chip-lock" }, icon("lock", 14), t("boardLocked")));
    if (round && canVote) {
      chips.push(h("span", { class: `chip chip-vote${left === 0 ? " empty" : ""}`, attrs: { title: round.title } }, icon("vote", 14), t("dotsLeft", { n: left, m: round.dotsPerParticipant })));
    } else if (round) chips.push(h("span", { class: "chip chip-vote" }, icon("vote", 14), t("votingOpen")));
    replace(this.chips, ...chips);

    // Online: a stack of avatars and the count.
    const avatars = h("span", { class: "avatars", attrs: { "aria-hidden": "true" } });
    for (const p of online.slice(0, 4)) avatars.appendChild(avatar(p.displayName, p.participantId));
    replace(this.onlineButton, avatars, h("span", { class: "online-count", text: t("onlineCount", { n: online.length }) }));
    this.onlineButton.setAttribute("aria-label", `${t("onlineList")}: ${t("onlineCount", { n: online.length })}`);
    if (!this.onlinePopover.hidden) this.renderOnline();

    const canHand = ctx.role() === Role.PARTICIPANT || ctx.role() === Role.FACILITATOR;
    this.handButton.hidden = !canHand || board.closed;
    toggleClass(this.handButton, "active", raised);
    this.handButton.setAttribute("aria-pressed", raised ? "true" : "false");
    const handLabel = raised ? t("lowerHand") : t("raiseHand");
    this.handButton.setAttribute("aria-label", handLabel);
    this.handButton.title = handLabel;
    const handText = this.handButton.querySelector(".label");
    if (handText) setText(handText, handLabel);

    replace(this.langButton, icon("globe", 16), h("span", { class: "label", text: ctx.lang.current === "de" ? "DE" : "EN" }));
    this.langButton.setAttribute("aria-label", `${t("language")}. ${t("switchLanguage")}`);
    this.langButton.title = t("switchLanguage");

    const facilitator = ctx.role() === Role.FACILITATOR;
    this.panelButton.hidden = !facilitator;
    const panelLabel = this.panelOpen() ? t("closePanel") : t("openPanel");
    this.panelButton.setAttribute("aria-label", panelLabel);
    this.panelButton.title = panelLabel;
    this.panelButton.setAttribute("aria-expanded", this.panelOpen() ? "true" : "false");
    const panelText = this.panelButton.querySelector(".label");
    if (panelText) setText(panelText, t("facilitation"));
    if (board.raisedHands.length > 0 && facilitator) this.panelButton.dataset.badge = String(board.raisedHands.length);
    else delete this.panelButton.dataset.badge;
  }

  private renderOnline(): void {
    const ctx = this.ctx;
    const t = ctx.t;
    const board = ctx.board();
    const self = ctx.selfId();
    const items = [...ctx.presence.all.values()]
      .sort((a, b) => (a.role - b.role) || a.displayName.localeCompare(b.displayName))
      .map((p) => {
        const hidden = hiddenCountOf(board, p.participantId);
        return h(
          "li",
          { class: "person" },
          avatar(p.displayName, p.participantId),
          h("span", { class: "person-name", text: p.participantId === self ? `${p.displayName} (${t("you")})` : p.displayName }),
          h("span", { class: "person-role", text: roleText(ctx.lang.current, p.role) }),
          board.raisedHands.includes(p.participantId) ? h("span", { class: "person-hand", attrs: { title: t("handRaised"), "aria-label": t("handRaised") } }, icon("hand", 14)) : null,
          hidden > 0 ? h("span", { class: "chip chip-private small", text: t("privateNotes", { n: hidden }) }) : null,
        );
      });
    replace(this.onlinePopover, h("h3", { class: "popover-title", text: t("onlineList") }), h("ul", { class: "people-list" }, ...items));
  }

  renderTimer(): void {
    const board = this.ctx.board();
    const t = this.ctx.t;
    const remaining = timerRemaining(board.timer, this.ctx.serverNow());
    this.timer.hidden = remaining === undefined;
    if (remaining === undefined) return;
    const state = board.timer.state;
    const text = state === Timer_State.EXPIRED ? t("timerExpired") : formatDuration(remaining);
    const sig = `${text}|${state}`;
    if (this.timer.dataset.sig === sig) return;
    this.timer.dataset.sig = sig;
    toggleClass(this.timer, "paused", state === Timer_State.PAUSED);
    toggleClass(this.timer, "expired", state === Timer_State.EXPIRED);
    toggleClass(this.timer, "ending", state === Timer_State.RUNNING && remaining <= 60_000);
    replace(
      this.timer,
      icon("clock", 16),
      h("span", { class: "tb-timer-value", text }),
      state === Timer_State.PAUSED ? h("span", { class: "tb-timer-note", text: t("timerPaused") }) : null,
    );
    this.timer.setAttribute("aria-label", `${t("timeLeft")}: ${text}`);
  }

  private renderStatus(): void {
    const ctx = this.ctx;
    const status = ctx.connectionStatus();
    const now = Date.now();
    if (status === "online") this.notOnlineSince = undefined;
    else this.notOnlineSince ??= now;
    const troubled = status !== "online" && (status === "offline" || now - (this.notOnlineSince ?? now) >= RECONNECT_NOTICE_DELAY_MS);
    const shown = troubled ? status : "online";
    const unsent = ctx.unsentCount();
    const sig = `${shown}|${unsent}|${ctx.lang.current}`;
    if (this.status.dataset.sig === sig) return;
    this.status.dataset.sig = sig;
    this.status.dataset.status = shown;
    const label = ctx.t(shown);
    const short = shown === "reconnecting" || shown === "connecting" ? ctx.t("reconnectingShort") : label;
    replace(
      this.status,
      h("span", { class: "status-dot", attrs: { "aria-hidden": "true" } }),
      h("span", { class: "status-text", text: short }),
      troubled && unsent > 0 ? h("span", { class: "status-unsent", text: `· ${ctx.t("unsentShort", { n: unsent })}` }) : null,
    );
    this.status.title = troubled && unsent > 0 ? `${label} ${ctx.t("unsent", { n: unsent })}` : label;
    this.status.setAttribute("aria-label", this.status.title);
  }
}

export function avatar(name: string, id: string): HTMLElement {
  const el = h("span", { class: "avatar", text: initials(name), attrs: { title: name } });
  el.style.background = personColor(id);
  return el;
}
