// The replay page for organisers: the board as it was at any moment of the
// session, a timeline with phase markers and an activity histogram, playback
// at 1×/10×/60×, stepping event by event, and exports at that moment.
import { browserTimers } from "../net/connection";
import { currentPhase, emptyBoard, visibleName, type BoardView } from "../state/board-model";
import { EXPORT_FORMATS, ReplayApi, ReplayError, type ExportFormat, type Timeline } from "../replay/replay-api";
import { ReplayPlayer, SPEEDS } from "../replay/replay-player";
import { AreaNav } from "./area-nav";
import { BoardCanvas } from "./board-canvas";
import { READABLE_ZOOM } from "./camera";
import { button, download, h, replace, setText, toggleClass } from "./dom";
import { clockTime } from "./format";
import type { LanguageState, TextKey } from "./i18n";
import { icon } from "./icons";
import { Toasts } from "./overlays";
import { legalLinks } from "../legal/legal";

/** Dragging the slider asks the server at most this often. */
const SEEK_DEBOUNCE_MS = 120;

export class ReplayApp {
  private readonly api: ReplayApi;
  private player: ReplayPlayer | undefined;
  private timeline: Timeline | undefined;
  private readonly canvas: BoardCanvas;
  private readonly areaNav: AreaNav;
  private readonly toasts: Toasts;
  private readonly header: HTMLElement;
  private readonly footer: HTMLElement;
  private readonly track: HTMLElement;
  private readonly histogram: HTMLCanvasElement;
  private readonly markerLayer: HTMLElement;
  private readonly fill: HTMLElement;
  private readonly thumb: HTMLElement;
  private readonly label: HTMLElement;
  private readonly controls: HTMLElement;
  private readonly message: HTMLElement;
  private preview: number | undefined;
  private seekTimer = 0;
  private frame = 0;

  constructor(
    root: HTMLElement,
    private readonly workshopId: string,
    token: string,
    private readonly lang: LanguageState,
  ) {
    this.api = new ReplayApi(workshopId, token);
    this.toasts = new Toasts(() => this.t("close"));
    this.canvas = new BoardCanvas({
      t: this.t,
      selfId: () => "",
      board: () => this.board(),
      presence: () => new Map(),
      readOnly: () => true,
      replay: true,
      readableZoom: () => READABLE_ZOOM,
      onCamera: () => this.areaNav?.render(),
      propose: () => undefined,
      deleteNote: () => undefined,
      undo: () => undefined,
      name: (id) => visibleName(this.board(), id, "", this.t("person")),
      onViewport: () => undefined,
      onCursor: () => undefined,
      onTyping: () => undefined,
      onDrag: () => undefined,
      onUserCamera: () => undefined,
      onSelection: () => undefined,
      denied: () => undefined,
    });
    this.areaNav = new AreaNav(this.canvas, this.t);
    this.header = h("header", { class: "topbar replay-bar" });
    this.histogram = h("canvas", { class: "histogram", attrs: { "aria-hidden": "true" } });
    this.markerLayer = h("div", { class: "markers" });
    this.fill = h("div", { class: "track-fill" });
    this.thumb = h("div", { class: "track-thumb" });
    this.track = h("div", { class: "track", attrs: { role: "slider", tabindex: 0, "aria-valuemin": 0 } }, this.histogram, this.fill, this.thumb);
    this.label = h("div", { class: "timeline-label", attrs: { "aria-live": "polite" } });
    this.controls = h("div", { class: "timeline-controls" });
    // The phase markers are buttons, so they lie over the slider instead of
    // inside it (a slider may not contain interactive controls, WCAG 4.1.2).
    this.footer = h("footer", { class: "timeline" }, this.controls, h("div", { class: "track-wrap" }, this.track, this.markerLayer), legalLinks(this.lang));
    this.message = h("div", { class: "replay-message" });
    this.message.hidden = true;
    const zoom = h(
      "div",
      { class: "zoom-controls" },
      button(this.t("zoomOut"), () => this.canvas.zoomBy(0.8), { icon: icon("zoomOut"), class: "zc" }),
      button(this.t("zoomIn"), () => this.canvas.zoomBy(1.25), { icon: icon("zoomIn"), class: "zc" }),
    );
    replace(root, h("div", { class: "app replay" }, this.header, h("div", { class: "main" }, h("main", { class: "stage" }, this.canvas.el, this.areaNav.el, zoom, this.message)), this.footer, this.toasts.el));
    this.attachTrack();
    this.lang.changes.add(() => this.render(true));
    window.addEventListener("resize", () => this.render(true));
    document.documentElement.lang = lang.current;
    if (!token) this.fail(this.t("replayNoToken"));
    else void this.start();
  }

  private t = (key: TextKey, params?: Record<string, string | number>): string => this.lang.t(key, params);

  private board(): BoardView {
    return this.player?.model ?? emptyView;
  }

  private async start(): Promise<void> {
    this.renderHeader();
    this.setMessage(this.t("loading"));
    try {
      this.timeline = await this.api.timeline();
    } catch (e) {
      this.fail(this.t("replayUnavailable", { reason: describe(e) }));
      return;
    }
    const player = new ReplayPlayer(this.api, BigInt(this.timeline.head_seq), browserTimers);
    this.player = player;
    player.changes.add(() => this.schedule());
    player.errors.add((e) => this.toasts.show(this.t("replayUnavailable", { reason: describe(e) }), { kind: "error" }));
    await player.seek(player.headSeq);
    this.setMessage(undefined);
    this.render(true);
    this.canvas.openDefaultView();
  }

  private fail(text: string): void {
    this.setMessage(text, true);
    this.renderHeader();
  }

  private setMessage(text: string | undefined, error = false): void {
    this.message.hidden = text === undefined;
    toggleClass(this.message, "error", error);
    setText(this.message, text ?? "");
  }

  private schedule(): void {
    if (this.frame === 0) this.frame = requestAnimationFrame(() => this.render(false));
  }

  private render(full: boolean): void {
    this.frame = 0;
    if (full) {
      document.documentElement.lang = this.lang.current;
      this.renderHeader();
      this.renderControls();
      this.renderTrack();
    }
    this.renderHeader();
    this.renderControls();
    this.renderPosition();
    this.canvas.render();
    this.areaNav.render();
  }

  private renderHeader(): void {
    const t = this.t;
    const board = this.board();
    const phase = currentPhase(board);
    const phases = board.agenda.phases;
    // The phase's name and the agenda's length too: an agenda edit renames and reorders.
    const sig = `${this.lang.current}|${board.settings.title}|${phase?.id}|${phase?.name}|${phases.findIndex((p) => p.id === phase?.id)}|${phases.length}|${this.player ? 1 : 0}`;
    if (this.header.dataset.sig === sig) return;
    this.header.dataset.sig = sig;
    const exportButton = (format: ExportFormat, key: TextKey, short: string) => {
      const b = button(t(key), () => void this.export(format), { class: "btn btn-small", icon: icon("download", 16), attrs: { disabled: !this.player } });
      b.appendChild(h("span", { class: "label", text: short }));
      return b;
    };
    replace(
      this.header,
      h("div", { class: "tb-left" }, h("span", { class: "brand" }, h("span", { class: "brand-mark" }), "werkstatt"), h("div", { class: "tb-title", text: t("replayOf", { title: board.settings.title || this.workshopId }) })),
      h("div", { class: "tb-center" }, phase
        ? h("span", { class: "phase-chip" }, h("span", { class: "phase-index", text: t("phaseOf", { i: phases.findIndex((p) => p.id === phase.id) + 1, n: phases.length }) }), h("span", { class: "phase-name", text: phase.name }))
        : h("span", { class: "phase-chip muted" }, h("span", { class: "phase-name", text: t("openBoard") }))),
      h("div", { class: "tb-right" },
        h("span", { class: "export-label", text: t("exportAt") }),
        ...EXPORT_FORMATS.map((f) => exportButton(f.format, f.key, f.short)),
        button(t("switchLanguage"), () => this.lang.set(this.lang.current === "de" ? "en" : "de"), { class: "tb-btn tb-lang", icon: icon("globe", 16), showLabel: false })),
    );
    const langButton = this.header.querySelector(".tb-lang");
    if (langButton) langButton.appendChild(h("span", { class: "label", text: this.lang.current.toUpperCase() }));
  }

  private async export(format: ExportFormat): Promise<void> {
    if (!this.player) return;
    try {
      const { blob, filename } = await this.api.exportFile(format, this.player.seq);
      download(blob, filename);
    } catch (e) {
      this.toasts.show(this.t("exportFailed", { status: describe(e) }), { kind: "error" });
    }
  }

  private renderControls(): void {
    const t = this.t;
    const p = this.player;
    const sig = `${this.lang.current}|${p?.isPlaying}|${p?.speed}|${p ? 1 : 0}|${p?.seq === p?.headSeq}|${p?.seq === 0n}`;
    if (this.controls.dataset.sig === sig) return;
    this.controls.dataset.sig = sig;
    const disabled = !p;
    const speeds = h("div", { class: "segmented", attrs: { role: "radiogroup", "aria-label": t("speed") } },
      ...SPEEDS.map((s) => h("button", {
        class: `seg${p?.speed === s ? " active" : ""}`,
        attrs: { type: "button", role: "radio", "aria-checked": p?.speed === s ? "true" : "false", disabled },
        text: `${s}×`,
        on: { click: () => p?.setSpeed(s) },
      })));
    const phaseSelect = h("select", { class: "input input-small", attrs: { "aria-label": t("jumpToPhase"), disabled } },
      h("option", { attrs: { value: "" }, text: t("jumpToPhase") }),
      ...(this.timeline?.markers ?? []).filter((m) => m.kind === "phase").map((m) => h("option", { attrs: { value: String(m.seq) }, text: `${m.label} · ${clockTime(m.time_ms, this.lang.current)}` })));
    phaseSelect.addEventListener("change", () => {
      if (phaseSelect.value) void p?.seek(BigInt(phaseSelect.value));
      phaseSelect.value = "";
    });
    replace(
      this.controls,
      h("div", { class: "btn-row" },
        button(t("stepBack"), () => void p?.stepBack(), { class: "btn btn-icon", icon: icon("stepBack"), attrs: { disabled: disabled || p?.seq === 0n } }),
        p?.isPlaying
          ? button(t("pause"), () => p.pause(), { class: "btn btn-primary btn-play", icon: icon("pause") })
          : button(t("play"), () => p?.play(), { class: "btn btn-primary btn-play", icon: icon("play"), attrs: { disabled: disabled || p?.seq === p?.headSeq } }),
        button(t("stepForward"), () => void p?.stepForward(), { class: "btn btn-icon", icon: icon("stepForward"), attrs: { disabled: disabled || p?.seq === p?.headSeq } })),
      h("label", { class: "inline" }, h("span", { class: "field-label", text: t("speed") }), speeds),
      phaseSelect,
      this.label,
    );
  }

  private fraction(ms: number): number {
    const tl = this.timeline;
    if (!tl || tl.last_ms <= tl.first_ms) return 1;
    return Math.min(1, Math.max(0, (ms - tl.first_ms) / (tl.last_ms - tl.first_ms)));
  }

  private renderTrack(): void {
    const tl = this.timeline;
    const t = this.t;
    const width = this.track.clientWidth || 800;
    const height = 56;
    const ratio = window.devicePixelRatio || 1;
    this.histogram.width = Math.round(width * ratio);
    this.histogram.height = Math.round(height * ratio);
    this.histogram.style.width = `${width}px`;
    this.histogram.style.height = `${height}px`;
    const ctx = this.histogram.getContext("2d");
    if (ctx && tl && tl.activity.length > 0) {
      ctx.clearRect(0, 0, this.histogram.width, this.histogram.height);
      const max = Math.max(...tl.activity.map((a) => a.events), 1);
      const span = Math.max(60_000, tl.last_ms - tl.first_ms);
      const barWidth = Math.max(2, (60_000 / span) * width - 1);
      ctx.fillStyle = "#b9c9ea";
      const usable = height * 0.7;
      for (const a of tl.activity) {
        const x = this.fraction(a.minute_start_ms) * width;
        const w = Math.min(barWidth, width - x);
        const h2 = Math.max(2, (a.events / max) * usable);
        ctx.fillRect(Math.round(x * ratio), Math.round((height - h2) * ratio), Math.max(1, Math.round((w - 1) * ratio)), Math.round(h2 * ratio));
      }
    }
    replace(
      this.markerLayer,
      ...(tl?.markers ?? []).map((m) => {
        const f = this.fraction(m.time_ms);
        const left = `${f * 100}%`;
        if (m.kind === "phase") {
          const el = h("button", { class: `marker marker-phase${f > 0.85 ? " marker-end" : ""}`, attrs: { type: "button", title: `${m.label} · ${clockTime(m.time_ms, this.lang.current)}`, tabindex: -1 }, on: { click: (ev) => (ev.stopPropagation(), void this.player?.seek(BigInt(m.seq))) } }, h("span", { class: "marker-label", text: m.label }));
          el.style.left = left;
          return el;
        }
        const el = h("span", { class: `marker marker-${m.kind}`, attrs: { "aria-hidden": "true", title: t(m.kind === "join" ? "marker_join" : "marker_leave", { label: m.label }) } });
        el.style.left = left;
        return el;
      }),
    );
    this.track.setAttribute("aria-label", `${t("timeline")} · ${t("activity")}`);
  }

  private renderPosition(): void {
    const p = this.player;
    const tl = this.timeline;
    if (!p || !tl) return;
    const ms = this.preview ?? p.timeMs;
    const f = this.fraction(ms);
    this.fill.style.width = `${f * 100}%`;
    this.thumb.style.left = `${f * 100}%`;
    const text = `${clockTime(ms, this.lang.current)} · ${this.t("eventOf", { seq: String(p.seq), n: String(p.headSeq) })}`;
    setText(this.label, p.isLoading ? `${text} · ${this.t("loading")}` : text);
    this.track.setAttribute("aria-valuemax", String(p.headSeq));
    this.track.setAttribute("aria-valuenow", String(p.seq));
    this.track.setAttribute("aria-valuetext", text);
  }

  private attachTrack(): void {
    const at = (ev: PointerEvent) => {
      const r = this.track.getBoundingClientRect();
      const f = Math.min(1, Math.max(0, (ev.clientX - r.left) / Math.max(1, r.width)));
      const tl = this.timeline;
      return tl ? tl.first_ms + f * (tl.last_ms - tl.first_ms) : 0;
    };
    let dragging = false;
    const seekSoon = (ms: number, now: boolean) => {
      this.preview = ms;
      this.renderPosition();
      window.clearTimeout(this.seekTimer);
      const go = () => {
        this.player?.pause();
        void this.player?.seekTime(ms).then(() => {
          if (this.preview === ms) this.preview = undefined;
          this.schedule();
        });
      };
      if (now) go();
      else this.seekTimer = window.setTimeout(go, SEEK_DEBOUNCE_MS);
    };
    this.track.addEventListener("pointerdown", (ev) => {
      if (!this.player || (ev.target as HTMLElement).closest(".marker-phase")) return;
      dragging = true;
      this.track.setPointerCapture(ev.pointerId);
      seekSoon(at(ev), false);
    });
    this.track.addEventListener("pointermove", (ev) => {
      if (dragging) seekSoon(at(ev), false);
    });
    this.track.addEventListener("pointerup", (ev) => {
      if (!dragging) return;
      dragging = false;
      seekSoon(at(ev), true);
    });
    this.track.addEventListener("keydown", (ev) => {
      const p = this.player;
      if (!p) return;
      const minute = 60_000;
      switch (ev.key) {
        case "ArrowLeft":
          void p.stepBack();
          break;
        case "ArrowRight":
          void p.stepForward();
          break;
        case "PageDown":
          seekSoon(p.timeMs - minute, true);
          break;
        case "PageUp":
          seekSoon(p.timeMs + minute, true);
          break;
        case "Home":
          void p.seek(0n);
          break;
        case "End":
          void p.seek(p.headSeq);
          break;
        case " ":
          if (p.isPlaying) p.pause();
          else p.play();
          break;
        default:
          return;
      }
      ev.preventDefault();
    });
  }
}

const emptyView: BoardView = Object.assign(emptyBoard(), { full: true });

function describe(e: unknown): string {
  if (e instanceof ReplayError) return e.status ? `${e.status}: ${e.message}` : e.message;
  return e instanceof Error ? e.message : String(e);
}

