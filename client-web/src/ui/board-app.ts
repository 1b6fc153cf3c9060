// The live board page: joins the workshop named in the link and wires the
// store, the connection and the views (top bar, board or phone list,
// facilitator panel, notices).
import { ObjectKind, ProjectorView, RejectCode, Role, SettingsField, TimerControl_Action, type Op } from "../gen/werkstatt/v1/board_pb";
import { ErrorCode } from "../gen/werkstatt/v1/protocol_pb";
import { shortLink, websocketUrl, type Launch } from "../app/launch";
import { Connection, FINAL_ERRORS, browserTimers } from "../net/connection";
import { IdentityStore, browserStorage } from "../net/identity";
import { visibleName, type BoardView } from "../state/board-model";
import { may, mayCreateIn } from "../state/permissions";
import { BoardStore, type OpInit } from "../state/board-store";
import { BoardSync } from "../sync/board-sync";
import { PendingOpStore } from "../sync/pending-ops";
import { PresenceSender } from "../sync/presence";
import { AreaNav } from "./area-nav";
import { BoardCanvas } from "./board-canvas";
import { PROJECTOR_ZOOM, READABLE_ZOOM, type Rect } from "./camera";
import type { AppContext } from "./context";
import { button, h, replace, toggleClass } from "./dom";
import { FacilitatorPanel } from "./facilitator-panel";
import { errorText, rejectionText, type LanguageState, type TextKey } from "./i18n";
import { icon } from "./icons";
import { Announcer, Toasts, chooseDialog, infoDialog, textDialog } from "./overlays";
import { combinedText, MAX_NOTE_TEXT, mergeCandidates, mergeOps } from "./merge";
import { legalLinks } from "../legal/legal";
import { PhoneBoard } from "./phone-board";
import { ResultsView } from "./results-view";
import { spreadRevealed, tidyArea } from "./placement";
import { TopBar } from "./topbar";
import { notPermittedText, PhaseInstructions } from "./phase-info";
import { joinPoster, type JoinInfo } from "./join-poster";

/** Narrow screens get the list view (phones held upright). */
export const PHONE_QUERY = "(max-width: 700px)";
const UNDO_DEPTH = 50;
const PACED_FIRST = 40;
const CURSORS_KEY = "werkstatt.hideCursors";

function readCursorsHidden(): boolean {
  try {
    return localStorage.getItem(CURSORS_KEY) === "1";
  } catch {
    return false;
  }
}
const PACED_CHUNK = 25;

function moveItem(kind: ObjectKind, id: string, to: { x: number; y: number }, from: { x: number; y: number }): { op: OpInit; undo: OpInit } {
  return {
    op: { kind: { case: "move", value: { target: { kind, id }, position: to } } },
    undo: { kind: { case: "move", value: { target: { kind, id }, position: from } } },
  };
}

export class BoardApp implements AppContext {
  readonly store: BoardStore;
  readonly connection: Connection;
  readonly sync: BoardSync;
  readonly toasts: Toasts;
  private readonly announcer: Announcer;
  readonly workshopId: string;
  readonly facilitatorToken: string | undefined;
  private readonly credentialKind: Launch["credentialKind"];
  readonly origin = location.origin;
  private readonly presenceSender: PresenceSender;
  private readonly appEl: HTMLElement;
  private readonly stage: HTMLElement;
  private readonly topbar: TopBar;
  private readonly canvas: BoardCanvas;
  private readonly phone: PhoneBoard;
  private readonly panel: FacilitatorPanel;
  private readonly banner: HTMLElement;
  private readonly instructions: PhaseInstructions;
  /** The projector's join screen (observers, while PROJECTOR_VIEW_JOIN is on). */
  private readonly joinLayer: HTMLElement;
  private readonly observerToken: string | undefined;
  private joinInfo: JoinInfo | "unavailable" | undefined;
  private joinShown = false;
  private joinRequest = 0;
  private readonly blocker: HTMLElement;
  private readonly zoomControls: HTMLElement;
  private readonly areaNav: AreaNav;
  /** Shows or hides the others' cursors on this device (remembered). */
  private readonly cursorToggle: HTMLButtonElement = button("", () => this.applyCursorsHidden(this.cursorToggle.getAttribute("aria-pressed") !== "true", true), {
    icon: icon("pointer"),
    class: "zc zc-cursors",
    attrs: { "aria-pressed": "false" },
  });
  private readonly phoneQuery = window.matchMedia(PHONE_QUERY);
  private panelOpen = false;
  private frame = 0;
  private presenceFrame = 0;
  private followBroken = false;
  private removed = false;
  private lastDenied = 0;
  private undoStack: { clientOpId: string; undo: OpInit | OpInit[] }[] = [];
  /** Ops of a group (tidy, reveal spread) waiting to be sent: the server
   *  allows 30 ops/s (burst 60) per connection, so they go in chunks. */
  private paced: OpInit[] = [];
  private pacer = 0;
  private readonly areaPicker: HTMLElement;
  private readonly results: ResultsView;
  private readonly resultsButton: HTMLButtonElement;
  private resultsOpen = false;
  /** The projector setting last seen (observers and phones follow changes). */
  private projectorSeen: ProjectorView | undefined;

  constructor(root: HTMLElement, launch: Launch, readonly lang: LanguageState) {
    this.workshopId = launch.workshopId;
    this.credentialKind = launch.credentialKind;
    this.facilitatorToken = launch.credential.kind?.case === "facilitatorToken" ? launch.credential.kind.value : undefined;
    this.observerToken = launch.credential.kind?.case === "observerToken" ? launch.credential.kind.value : undefined;
    this.store = new BoardStore({ serverNow: () => this.serverNow() });
    this.connection = new Connection({
      url: websocketUrl(location.href, launch.workshopId),
      workshopId: launch.workshopId,
      credential: launch.credential,
      displayName: launch.displayName,
      identity: new IdentityStore(browserStorage(), launch.workshopId, launch.credentialKind),
      lastSeenSeq: () => this.store.lastSeenSeq,
      historyId: () => this.store.historyId,
    });
    this.sync = new BoardSync(this.store, this.connection, new PendingOpStore(browserStorage(), launch.workshopId, launch.credentialKind));
    this.presenceSender = new PresenceSender(
      (p) => this.connection.send({ body: { case: "presence", value: { cursor: p.cursor, viewport: p.viewport, typingNoteId: p.typingNoteId ?? "", drag: p.drag } } }),
      browserTimers,
    );
    this.toasts = new Toasts(() => this.t("close"));
    this.announcer = new Announcer({ one: (detail) => this.t("announceNote", { detail }), many: (n) => this.t("announceNotes", { n }) });
    this.topbar = new TopBar(this, () => this.togglePanel(), () => this.panelOpen);
    this.canvas = new BoardCanvas({
      t: this.t,
      selfId: () => this.selfId(),
      board: () => this.board(),
      presence: () => this.presence.all,
      readOnly: () => this.readOnly(),
      replay: false,
      readableZoom: () => (this.role() === Role.OBSERVER ? PROJECTOR_ZOOM : READABLE_ZOOM),
      onCamera: () => this.areaNav?.render(),
      propose: (op, undo) => void this.propose(op, undo),
      deleteNote: (id) => this.deleteNote(id),
      undo: () => this.undo(),
      name: (id) => this.name(id),
      onViewport: (rect) => this.presenceSender.update({ viewport: rect }),
      onCursor: (p) => this.presenceSender.update({ cursor: p }),
      onTyping: (noteId) => this.presenceSender.update({ typingNoteId: noteId }),
      onDrag: (drag) => this.presenceSender.update({ drag }),
      onUserCamera: () => this.onUserCamera(),
      onSelection: () => this.invalidate(),
      mergeDuplicate: (id) => void this.mergeDuplicate(id),
      denied: (key) => {
        const now = Date.now();
        if (now - this.lastDenied < 3000) return;
        this.lastDenied = now;
        this.toasts.show(key === "reject_4" ? notPermittedText(this.t, this.board()) : this.t(key));
      },
    });
    this.phone = new PhoneBoard(this);
    this.panel = new FacilitatorPanel(this, () => this.togglePanel());
    this.banner = h("div", { class: "banner", attrs: { role: "status" } });
    this.banner.hidden = true;
    this.zoomControls = h(
      "div",
      { class: "zoom-controls", attrs: { role: "toolbar" } },
      button(this.t("zoomOut"), () => this.canvas.zoomBy(0.8), { icon: icon("zoomOut"), class: "zc zc-out" }),
      button(this.t("zoomIn"), () => this.canvas.zoomBy(1.25), { icon: icon("zoomIn"), class: "zc zc-in" }),
      this.cursorToggle,
    );
    this.applyCursorsHidden(readCursorsHidden());
    this.areaNav = new AreaNav(this.canvas, this.t);
    const addButton: HTMLButtonElement = button(this.t("addNote"), () => this.addNote(addButton), { icon: icon("plus", 20), class: "fab add-note", showLabel: true, attrs: { "aria-haspopup": "true", "aria-expanded": "false" } });
    this.results = new ResultsView(this.t, () => this.showResults(false));
    this.resultsButton = button(this.t("results"), () => this.showResults(!this.resultsOpen), { icon: icon("vote", 18), class: "btn results-toggle", showLabel: true, attrs: { "aria-pressed": "false" } });
    this.areaPicker = h("div", { class: "popover area-picker", attrs: { role: "dialog", "aria-label": this.t("chooseArea") } });
    this.areaPicker.hidden = true;
    this.joinLayer = h("div", { class: "join-layer", attrs: { role: "region", "aria-live": "polite" } });
    this.joinLayer.hidden = true;
    this.stage = h("main", { class: "stage", attrs: { "aria-label": this.t("boardLabel") } }, this.joinLayer, this.canvas.el, this.phone.el, this.banner, this.areaNav.el, this.zoomControls, addButton, this.areaPicker, this.resultsButton, this.results.el, h("div", { class: "stage-foot" }, h("p", { class: "hint" }), legalLinks(this.lang)));
    this.blocker = h("div", { class: "blocker" });
    this.blocker.hidden = true;
    this.instructions = new PhaseInstructions(this.t);
    this.appEl = h("div", { class: "app" }, this.topbar.el, this.instructions.el, h("div", { class: "main" }, this.stage, this.panel.el), this.toasts.el, this.announcer.el, this.blocker);
    replace(root, this.appEl);
    this.wire(addButton);
    this.connection.start();
    this.render();
  }

  // ---------------------------------------------------------------- AppContext

  t = (key: TextKey, params?: Record<string, string | number>): string => this.lang.t(key, params);

  board(): BoardView {
    return this.store.visible;
  }

  selfId(): string {
    return this.store.participantId;
  }

  role(): Role {
    return this.board().participants.get(this.selfId())?.role ?? Role.UNSPECIFIED;
  }

  serverNow(): number {
    // The estimate from ping round trips can trail the server by a few ms;
    // an event's own time is a certain lower bound.
    return Math.max(this.connection.serverNow(), this.store.latestEventTimeMs);
  }

  get presence() {
    return this.sync.online;
  }

  readOnly(): boolean {
    const role = this.role();
    return this.board().closed || this.removed || (role !== Role.FACILITATOR && role !== Role.PARTICIPANT);
  }

  name(participantId: string): string {
    return visibleName(this.board(), participantId, this.selfId(), this.t("person")) || this.presence.all.get(participantId)?.displayName || "";
  }

  connectionStatus() {
    return this.connection.status;
  }

  unsentCount(): number {
    return this.store.pendingOps.length;
  }

  currentViewport(): Rect | undefined {
    return this.isPhone() ? undefined : this.canvas.visible();
  }

  propose(op: OpInit, undo?: OpInit): string {
    const id = this.sync.propose(op);
    if (undo) {
      this.undoStack.push({ clientOpId: id, undo });
      if (this.undoStack.length > UNDO_DEPTH) this.undoStack.shift();
    }
    return id;
  }

  deleteNote(noteId: string): void {
    const restore: OpInit = { kind: { case: "restore", value: { target: { kind: ObjectKind.NOTE, id: noteId } } } };
    const id = this.propose({ kind: { case: "delete", value: { target: { kind: ObjectKind.NOTE, id: noteId } } } }, restore);
    if (this.canvas.selection === noteId) this.canvas.select(undefined);
    this.toasts.show(this.t("noteDeleted"), {
      action: {
        label: this.t("undo"),
        run: () => {
          this.undoStack = this.undoStack.filter((u) => u.clientOpId !== id);
          this.propose(restore);
        },
      },
    });
  }

  /** "Merge with duplicate…": pick the duplicate, confirm the text, send
   *  MergeNotes; Ctrl+Z or the toast's Undo restores the duplicate and the text. */
  async mergeDuplicate(noteId: string): Promise<void> {
    const t = this.t;
    const board = this.board();
    const into = board.notes.get(noteId);
    if (!into || into.deleted || this.readOnly()) return;
    const candidates = mergeCandidates(board, this.selfId(), into);
    const area = (id: string) => board.areas.get(id)?.title || t("onBoard");
    const short = (text: string) => (text.length > 60 ? `${text.slice(0, 57)}…` : text) || t("emptyNote");
    const back = () => this.board().notes.get(noteId) && (document.querySelector<HTMLElement>(`[data-note="${CSS.escape(noteId)}"]`)?.focus({ preventScroll: true }));
    const pick = await chooseDialog(t("mergeChoose", { text: short(into.text) }), candidates.map((n) => `${short(n.text)} – ${this.name(n.authorId)} · ${area(n.areaId)}`), { cancel: t("cancel"), empty: t("mergeNone") });
    const from = pick === undefined ? undefined : candidates[pick];
    if (!from) {
      back();
      return;
    }
    const text = await textDialog(t("mergeTitle"), t("mergeText"), combinedText(into.text, from.text), { ok: t("mergeOk"), cancel: t("cancel") }, MAX_NOTE_TEXT);
    const now = this.board();
    const a = now.notes.get(into.id);
    const b = now.notes.get(from.id);
    if (text === undefined || !a || !b || a.deleted || b.deleted) {
      back();
      return;
    }
    const { op, undo } = mergeOps(a, b, text === a.text ? "" : text);
    const id = this.sync.propose(op);
    this.undoStack.push({ clientOpId: id, undo });
    if (this.undoStack.length > UNDO_DEPTH) this.undoStack.shift();
    this.toasts.show(t("merged"), {
      kind: "success",
      action: {
        label: t("undo"),
        run: () => {
          this.undoStack = this.undoStack.filter((u) => u.clientOpId !== id);
          this.sendPaced([...undo]);
        },
      },
    });
    back();
  }

  private undo(): void {
    const last = this.undoStack.pop();
    if (!last) return;
    if (Array.isArray(last.undo)) this.sendPaced([...last.undo].reverse());
    else this.propose(last.undo);
  }

  private applyCursorsHidden(hidden: boolean, remember = false): void {
    this.canvas.setCursorsHidden(hidden);
    this.cursorToggle.setAttribute("aria-pressed", hidden ? "true" : "false");
    const label = this.t("hideCursors");
    this.cursorToggle.setAttribute("aria-label", label);
    this.cursorToggle.title = label;
    if (remember) {
      try {
        localStorage.setItem(CURSORS_KEY, hidden ? "1" : "0");
      } catch {
        // Kept for this page only.
      }
    }
  }

  /** Opens or closes the results over the board. */
  showResults(open: boolean): void {
    this.resultsOpen = open;
    this.invalidate();
    if (open) window.requestAnimationFrame(() => this.results.el.querySelector<HTMLElement>(".results-close")?.focus());
  }

  /** Facilitators: what the projector (observer view) and phones show. */
  setProjector(view: ProjectorView): void {
    this.propose({ kind: { case: "updateSettings", value: { mask: [SettingsField.PROJECTOR], settings: { projector: view } } } });
  }

  /** Sends a group of ops (each with its undo) as one undo step. */
  proposeGroup(items: { op: OpInit; undo: OpInit }[]): void {
    if (items.length === 0) return;
    const first = this.sendPaced(items.map((i) => i.op));
    this.undoStack.push({ clientOpId: first, undo: items.map((i) => i.undo) });
    if (this.undoStack.length > UNDO_DEPTH) this.undoStack.shift();
  }

  /** The first chunk now, then PACED_CHUNK ops a second (returns the first
   *  op's id, or "" when everything waits). */
  private sendPaced(ops: OpInit[]): string {
    this.paced.push(...ops);
    let first = "";
    const flush = (n: number) => {
      for (const op of this.paced.splice(0, n)) {
        const id = this.sync.propose(op);
        if (!first) first = id;
      }
      if (this.paced.length > 0 && this.pacer === 0) {
        this.pacer = window.setTimeout(() => {
          this.pacer = 0;
          flush(PACED_CHUNK);
        }, 1000);
      }
    };
    if (this.pacer === 0) flush(PACED_FIRST);
    return first;
  }

  /** Facilitators: lays out one area (or every area) in a grid, as moves. */
  tidy(areaId: string | undefined): void {
    const board = this.board();
    const areas = areaId ? [areaId] : [...board.areas.values()].filter((a) => !a.deleted).map((a) => a.id);
    const items: { op: OpInit; undo: OpInit }[] = [];
    let moved = 0;
    for (const id of areas) {
      const layout = tidyArea(board, id);
      for (const [clusterId, p] of layout.clusters) {
        const c = board.clusters.get(clusterId);
        if (!c || (c.position?.x === p.x && c.position?.y === p.y)) continue;
        items.push(moveItem(ObjectKind.CLUSTER, clusterId, p, { x: c.position?.x ?? 0, y: c.position?.y ?? 0 }));
      }
      for (const [noteId, p] of layout.notes) {
        const n = board.notes.get(noteId);
        if (!n || (n.position?.x === p.x && n.position?.y === p.y)) continue;
        moved += 1;
        items.push(moveItem(ObjectKind.NOTE, noteId, p, { x: n.position?.x ?? 0, y: n.position?.y ?? 0 }));
      }
    }
    this.proposeGroup(items);
    this.toasts.show(this.t("tidied", { n: moved }), moved > 0 ? { action: { label: this.t("undo"), run: () => this.undo() } } : {});
  }

  currentArea(): string {
    return this.canvas.currentArea();
  }

  /** After this facilitator's reveal: revealed notes that lie on others move
   *  to free spots of their areas (ordinary moves, one undo step). */
  private spreadAfterReveal(noteIds: string[]): void {
    const board = this.board();
    const moves = spreadRevealed(board, noteIds);
    const items: { op: OpInit; undo: OpInit }[] = [];
    for (const [id, p] of moves) {
      const n = board.notes.get(id);
      if (n) items.push(moveItem(ObjectKind.NOTE, id, p, { x: n.position?.x ?? 0, y: n.position?.y ?? 0 }));
    }
    if (items.length === 0) return;
    this.proposeGroup(items);
    this.toasts.show(this.t("revealSpread", { n: items.length }), { action: { label: this.t("undo"), run: () => this.undo() } });
  }

  /** "Add note": with more than one area, which one (the one in view first). */
  private addNote(anchor: HTMLElement): void {
    const areas = this.canvas.areasInOrder().filter((a) => may(this.board(), this.selfId(), "createNotes") && mayCreateIn(this.board(), this.selfId(), a.id));
    if (areas.length <= 1) {
      if (areas[0]) this.canvas.newNoteInArea(areas[0].id);
      else this.canvas.newNoteInView();
      return;
    }
    if (!this.areaPicker.hidden) {
      this.areaPicker.hidden = true;
      return;
    }
    const current = this.canvas.currentArea();
    const sorted = [...areas.filter((a) => a.id === current), ...areas.filter((a) => a.id !== current)];
    const close = () => {
      this.areaPicker.hidden = true;
      anchor.setAttribute("aria-expanded", "false");
    };
    replace(
      this.areaPicker,
      h("h3", { class: "popover-title", text: this.t("chooseArea") }),
      ...sorted.map((a) =>
        button(a.title || "—", () => {
          close();
          this.canvas.newNoteInArea(a.id);
        }, { class: "btn btn-block area-pick", attrs: { "aria-label": this.t("addNoteIn", { title: a.title || "—" }) } }),
      ),
    );
    this.areaPicker.hidden = false;
    anchor.setAttribute("aria-expanded", "true");
    this.areaPicker.querySelector<HTMLElement>("button")?.focus();
    this.areaPicker.onkeydown = (ev) => {
      if (ev.key === "Escape") {
        close();
        anchor.focus();
      }
    };
  }

  invalidate = (): void => {
    if (this.frame === 0) this.frame = requestAnimationFrame(() => this.render());
  };

  // ---------------------------------------------------------------- wiring

  private wire(addButton: HTMLButtonElement): void {
    this.store.changes.add(this.invalidate);
    document.addEventListener("pointerdown", (ev) => {
      const target = ev.target as Node;
      if (!this.areaPicker.hidden && !this.areaPicker.contains(target) && !addButton.contains(target)) {
        this.areaPicker.hidden = true;
        addButton.setAttribute("aria-expanded", "false");
      }
    });
    this.presence.changes.add(() => {
      this.followFacilitator();
      // Cursors move up to 20 times a second per person: redraw only them
      // (and the online list), not the whole board.
      if (this.presenceFrame === 0) {
        this.presenceFrame = requestAnimationFrame(() => {
          this.presenceFrame = 0;
          if (!this.isPhone()) this.canvas.renderPresence();
          this.topbar.render();
          if (this.panelOpen) this.panel.render();
        });
      }
    });
    this.lang.changes.add(() => this.relabel(addButton));
    this.connection.statusChanges.add((status) => {
      if (status === "online") this.presenceSender.resend();
      // Who is online and where their cursors are is unknown while we are
      // not connected (the next Welcome lists it afresh); a quick session
      // restart does not blank the list.
      else {
        window.setTimeout(() => {
          if (this.connection.status !== "online") this.presence.clear();
        }, 1500);
      }
      this.invalidate();
      // Trouble is shown after a short delay (TopBar); render again then.
      window.setTimeout(this.invalidate, 1600);
    });
    this.store.rejections.add((r) => {
      this.undoStack = this.undoStack.filter((u) => u.clientOpId !== r.clientOpId);
      // "Not permitted" names the phase and what it allows instead.
      const text = r.code === RejectCode.NOT_PERMITTED && this.role() === Role.PARTICIPANT ? notPermittedText(this.t, this.board()) : rejectionText(this.lang.current, r.code, r.reason);
      this.toasts.show(text, { kind: "error" });
    });
    this.sync.serverErrors.add((e) => {
      const text = errorText(this.lang.current, e.code) ?? e.message;
      const reconnecting = e.code === ErrorCode.SHUTTING_DOWN || e.code === ErrorCode.MOVED;
      if (!e.fatal || reconnecting) this.toasts.show(text, { kind: reconnecting ? "info" : "error" });
    });
    this.sync.removed.add(() => {
      this.removed = true;
      this.showBlocker(this.t("removed"), false);
    });
    this.store.applied.add((e) => this.notice(e.op, e.authorId, e.own));
    this.store.applied.add((e) => {
      // A new join code: observers learn of it only as an empty Redacted
      // (their view never carries the code), so either asks again.
      const k = e.op.kind;
      if (this.joinShown && (k.case === "rotateJoinCode" || (k.case === "redacted" && k.value.hiddenAuthorId === "" && !k.value.talliesReplaced))) this.fetchJoinInfo();
    });
    this.store.applied.add((e) => {
      const k = e.op.kind;
      if (k.case === "reveal" && e.authorId === this.selfId() && this.role() === Role.FACILITATOR && k.value.notes.length > 0) {
        const ids = k.value.notes.map((n) => n.id);
        // After the model has the revealed notes (this listener runs inside the apply).
        window.setTimeout(() => this.spreadAfterReveal(ids), 0);
      }
    });
    this.phoneQuery.addEventListener("change", () => this.render());
    // Do not sit out a long backoff delay once the device is usable again.
    window.addEventListener("online", () => this.connection.reconnectNow());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.connection.reconnectNow();
    });
    window.addEventListener("pagehide", () => this.connection.stop());
    window.addEventListener("pageshow", (ev) => {
      if (ev.persisted) this.connection.start();
    });
    window.setInterval(() => {
      this.topbar.renderTimer();
      if (this.panelOpen) this.panel.render();
    }, 500);
    // Keyboard shortcuts anywhere on the page (not while typing).
    document.addEventListener("keydown", (ev) => {
      const target = ev.target as HTMLElement;
      if (ev.key === "?" && !target.closest("input, textarea, select, dialog") && !this.canvas.isEditing) {
        ev.preventDefault();
        infoDialog(this.t("keyboardHelp"), this.t("keys").split("|"), this.t("close"));
        return;
      }
      if (target.closest("input, textarea, select, dialog, .board") || ev.ctrlKey || ev.metaKey || ev.altKey) return;
      if ((ev.key === "n" || ev.key === "N") && !this.isPhone()) {
        ev.preventDefault();
        this.canvas.newNoteInView();
      }
      // 1–9 open an area, 0 shows all (as on the board itself).
      if (/^[0-9]$/.test(ev.key) && !this.isPhone()) {
        const area = this.canvas.areasInOrder()[Number(ev.key) - 1];
        if (ev.key === "0") this.canvas.fitAll();
        else if (area) this.canvas.showArea(area.id);
      }
    });
    this.relabel(addButton);
  }

  private relabel(addButton: HTMLButtonElement): void {
    document.documentElement.lang = this.lang.current;
    const label = this.t("addNote");
    addButton.setAttribute("aria-label", label);
    addButton.title = `${label} (N)`;
    const span = addButton.querySelector(".label");
    if (span) span.textContent = label;
    const [out, inn] = [...this.zoomControls.querySelectorAll("button")];
    for (const [b, key] of [[out, "zoomOut"], [inn, "zoomIn"]] as const) {
      if (!b) continue;
      b.setAttribute("aria-label", this.t(key));
      b.title = this.t(key);
    }
    this.applyCursorsHidden(this.cursorToggle.getAttribute("aria-pressed") === "true");
    const hint = this.stage.querySelector(".hint");
    if (hint) hint.textContent = this.t("shortcuts");
    this.stage.setAttribute("aria-label", this.t("boardLabel"));
    this.canvas.el.setAttribute("aria-label", this.t("boardLabel"));
    this.invalidate();
  }

  private isPhone(): boolean {
    return this.phoneQuery.matches;
  }

  private togglePanel(): void {
    this.panelOpen = !this.panelOpen;
    this.render();
    if (this.panelOpen) this.panel.el.querySelector<HTMLElement>("summary")?.focus();
  }

  private onUserCamera(): void {
    const board = this.board();
    if (board.followMe.active && board.followMe.facilitatorId !== this.selfId() && !this.followBroken) {
      this.followBroken = true;
      this.invalidate();
    }
  }

  private followFacilitator(): void {
    const board = this.board();
    const fid = board.followMe.facilitatorId;
    if (!board.followMe.active || fid === this.selfId() || this.followBroken || this.isPhone()) return;
    const viewport = this.presence.all.get(fid)?.viewport;
    if (viewport && viewport.width > 0 && viewport.height > 0) this.canvas.showRect(viewport);
  }

  private notice(op: Op, authorId: string, own: boolean): void {
    const t = this.t;
    const k = op.kind;
    const board = this.board();
    const self = this.selfId();
    switch (k.case) {
      case "createNote":
        if (!own && authorId !== self) {
          const area = board.areas.get(k.value.areaId)?.title ?? t("onBoard");
          this.announcer.note(t("announceDetail", { author: this.name(authorId), area, text: k.value.text }));
        }
        return;
      case "bringEveryoneHere":
        if (!own && authorId !== self && k.value.viewport && !this.isPhone()) {
          this.followBroken = false;
          this.canvas.showRect(k.value.viewport);
          this.toasts.show(t("broughtHere", { name: this.name(authorId) }));
        }
        return;
      case "setFollowMe":
        if (k.value.active && authorId !== self) {
          this.followBroken = false;
          this.followFacilitator();
        }
        return;
      case "goToPhase":
        if (!own) {
          const phase = board.agenda.phases.find((p) => p.id === k.value.phaseId);
          if (phase) this.toasts.show(t("phaseStarted", { name: phase.name }));
        }
        return;
      case "reveal":
        if (!own && this.role() !== Role.FACILITATOR) this.toasts.show(t("revealedNotice"));
        return;
      case "openVotingRound":
        if (!own && k.value.round) this.toasts.show(t("roundOpened", { n: k.value.round.dotsPerParticipant }));
        return;
      case "closeVotingRound":
        if (!own) this.toasts.show(t("roundClosed"));
        return;
      case "raiseHand":
        if (!own && this.role() === Role.FACILITATOR) this.toasts.show(t("handRaisedBy", { name: this.name(authorId) }));
        return;
      case "timer":
        if (k.value.action === TimerControl_Action.EXPIRE) this.toasts.show(t("timerExpired"));
        else if (k.value.action === TimerControl_Action.START) this.announcer.say(t("announceTimer", { n: Math.round(Number(k.value.durationMs) / 60000) }));
        return;
      case "updateSettings":
        if (!own && k.value.mask.includes(SettingsField.LOCKED)) this.toasts.show(k.value.settings?.locked ? t("lockedNotice") : t("unlockedNotice"));
        return;
      default:
        return;
    }
  }

  private showBlocker(message: string, reload: boolean, rejoin = false): void {
    replace(
      this.blocker,
      h("div", { class: "blocker-card", attrs: { role: "alertdialog", "aria-live": "assertive" } },
        h("span", { class: "brand" }, h("span", { class: "brand-mark" }), "werkstatt"),
        h("p", { text: message }),
        reload ? button(this.t("reload"), () => location.reload(), { class: "btn btn-primary" }) : null,
        // A wrong or outdated code: back to the form to type the current one.
        rejoin ? h("a", { class: "btn btn-primary", attrs: { href: shortLink(location.origin, this.workshopId) }, text: this.t("enterCode") }) : null),
    );
    this.blocker.hidden = false;
  }

  // ---------------------------------------------------------------- render

  private render(): void {
    this.frame = 0;
    const phone = this.isPhone();
    const facilitator = this.role() === Role.FACILITATOR;
    if (!facilitator) this.panelOpen = false;
    toggleClass(this.appEl, "phone", phone);
    toggleClass(this.appEl, "panel-open", this.panelOpen);
    toggleClass(this.appEl, "read-only", this.readOnly());
    toggleClass(this.appEl, "observer", this.role() === Role.OBSERVER);
    // For tests and support: what the page knows, without opening devtools.
    this.appEl.dataset.connection = this.connection.status;
    this.appEl.dataset.pending = String(this.store.pendingOps.length);
    this.appEl.dataset.seq = String(this.store.confirmed.seq);
    this.appEl.dataset.role = Role[this.role()] ?? "";
    this.canvas.el.hidden = phone;
    this.phone.el.hidden = !phone;
    this.zoomControls.hidden = phone;
    if (phone) this.areaNav.el.hidden = true;
    const add = this.stage.querySelector<HTMLElement>(".add-note");
    const canWrite = !this.readOnly() && this.selfId() !== "" && may(this.board(), this.selfId(), "createNotes");
    if (add) add.hidden = phone || !canWrite;
    const hint = this.stage.querySelector<HTMLElement>(".hint");
    if (hint) hint.hidden = phone || !canWrite;
    // The facilitator's projector command: observers and phones follow it.
    const projector = this.board().settings.projector;
    if (projector !== this.projectorSeen) {
      const first = this.projectorSeen === undefined;
      this.projectorSeen = projector;
      if ((phone || this.role() === Role.OBSERVER) && !(first && projector === ProjectorView.BOARD)) this.resultsOpen = projector === ProjectorView.RESULTS;
    }
    this.renderJoinLayer(this.role() === Role.OBSERVER && projector === ProjectorView.JOIN);
    const hasRounds = this.board().rounds.length > 0;
    this.resultsButton.hidden = !hasRounds && !this.resultsOpen;
    this.resultsButton.setAttribute("aria-pressed", this.resultsOpen ? "true" : "false");
    this.results.el.hidden = !this.resultsOpen;
    toggleClass(this.appEl, "results-open", this.resultsOpen);
    if (this.resultsOpen) this.results.render(this.board());
    this.topbar.render();
    this.instructions.render(this.board(), this.lang.current);
    if (phone) this.phone.render();
    else {
      this.canvas.render();
      this.areaNav.render();
    }
    this.panel.el.hidden = !this.panelOpen;
    if (this.panelOpen) this.panel.render();
    this.renderBanner();
    this.renderProblem();
  }

  /** GET …/join-screen with the observer token; the newest answer wins. */
  private fetchJoinInfo(): void {
    const request = ++this.joinRequest;
    const token = this.observerToken ?? this.facilitatorToken;
    void fetch(`/api/workshops/${encodeURIComponent(this.workshopId)}/join-screen`, { headers: token ? { Authorization: `Bearer ${token}` } : {} })
      .then(async (res) => (res.ok ? ((await res.json()) as JoinInfo) : "unavailable" as const))
      .catch(() => "unavailable" as const)
      .then((info) => {
        if (request !== this.joinRequest) return;
        this.joinInfo = info;
        this.joinLayer.dataset.sig = "";
        this.invalidate();
      });
  }

  private renderJoinLayer(show: boolean): void {
    if (show && !this.joinShown) {
      this.joinInfo = undefined;
      this.fetchJoinInfo();
    }
    this.joinShown = show;
    this.joinLayer.hidden = !show;
    toggleClass(this.appEl, "join-open", show);
    if (!show) return;
    const info = this.joinInfo;
    const title = this.board().settings.title;
    const sig = `${this.lang.current}|${title}|${info === undefined ? "" : info === "unavailable" ? "x" : `${info.join_code}|${info.short_url}|${info.participant_url}`}`;
    if (this.joinLayer.dataset.sig === sig) return;
    this.joinLayer.dataset.sig = sig;
    this.joinLayer.setAttribute("aria-label", this.t("joinScreenTitle"));
    if (info === undefined) replace(this.joinLayer, h("p", { class: "muted", text: this.t("loading") }));
    else if (info === "unavailable") replace(this.joinLayer, h("p", { class: "muted", text: this.t("joinScreenUnavailable") }));
    else replace(this.joinLayer, joinPoster(this.t, title, info, Math.max(240, Math.min(560, Math.round(Math.min(window.innerWidth * 0.4, window.innerHeight * 0.6))))));
  }

  private renderBanner(): void {
    const board = this.board();
    const fid = board.followMe.facilitatorId;
    const show = board.followMe.active && fid !== "" && fid !== this.selfId() && !this.isPhone();
    this.banner.hidden = !show;
    if (!show) return;
    const t = this.t;
    const sig = `${this.followBroken}|${fid}|${this.name(fid)}|${this.lang.current}`;
    if (this.banner.dataset.sig === sig) return;
    this.banner.dataset.sig = sig;
    replace(
      this.banner,
      icon("navigation", 16),
      h("span", { text: this.followBroken ? t("notFollowing") : t("following", { name: this.name(fid) }) }),
      this.followBroken
        ? button(t("followAgain"), () => {
            this.followBroken = false;
            this.followFacilitator();
            this.invalidate();
          }, { class: "btn btn-small btn-primary" })
        : button(t("stopFollowing"), () => {
            this.followBroken = true;
            this.invalidate();
          }, { class: "btn btn-small" }),
    );
    toggleClass(this.banner, "broken", this.followBroken);
  }

  private renderProblem(): void {
    if (this.removed) return;
    const problem = this.connection.lastError;
    if (this.connection.status === "offline" && problem && problem.code !== undefined && FINAL_ERRORS.has(problem.code)) {
      const rejoin = problem.code === ErrorCode.BAD_CREDENTIAL && this.credentialKind === "joinCode";
      this.showBlocker(errorText(this.lang.current, problem.code) ?? problem.message, problem.code === ErrorCode.PROTOCOL_VERSION, rejoin);
    } else if (!this.blocker.hidden) this.blocker.hidden = true;
  }
}
