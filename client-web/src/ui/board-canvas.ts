// The board as a zoomable, pannable surface: areas, clusters, sticky notes,
// vote dots, private-note counts and other people's cursors.
//
// Rendering: one "world" element carries the camera as a CSS transform (set
// through the CSSOM); areas, clusters and notes are absolutely positioned in
// board units inside it. Elements are kept per object id and rebuilt only
// when what they show changed (model objects are replaced, never mutated,
// so a changed object is a new reference). Cursors and the selection
// toolbar live in a screen-space overlay so they keep their size at any zoom.
//
// Interaction: drag empty space (or hold space) to pan, Ctrl/⌘ + wheel or
// pinch to zoom, wheel/two-finger scroll to pan; double-click or N for a new
// note; drag a note to move it, onto another note to cluster both, onto a
// cluster to add it; Delete removes (with undo); Enter edits.
import { Color, ObjectKind, type Note } from "../gen/werkstatt/v1/board_pb";
import type { PresenceState } from "../gen/werkstatt/v1/protocol_pb";
import { MAX_DRAG_NOTES, type OwnDrag } from "../sync/presence";
import { clusterMembers, dotsOn, hiddenCountIn, openRound, ownDotsOn, type BoardView } from "../state/board-model";
import type { OpInit } from "../state/board-store";
import { randomId } from "../state/ids";
import { mayCluster, mayCreateIn, mayDelete, mayEdit, mayMove, mayVoteOn, mayVoteOnCluster, isFacilitator } from "../state/permissions";
import { areaView, contains, fitRect, panBy, toScreen, toWorld, union, visibleRect, zoomAt, type Camera, type Pt, type Rect } from "./camera";
import { button, h, personColor, replace, setText, toggleClass } from "./dom";
import { CLUSTER_HEADER, CLUSTER_PAD, freeSlot, NEW_NOTE_SIDE, startCellFor } from "./placement";
import type { TextKey } from "./i18n";
import { icon } from "./icons";

import { clusterChoices, clusterOps, type ClusterTarget } from "./clustering";
import { chooseDialog } from "./overlays";

/** Side of the notes this client creates (board units). 200, not the
 *  server's default 160: a note of ~100 characters fits at 15 px (see
 *  READABLE_ZOOM in camera.ts). */
export const NOTE_SIDE = NEW_NOTE_SIDE;
/** Clustering by drop is deliberate: the pointer rests this long on a note
 *  or cluster before it becomes the drop target (shown), else the drop is
 *  a plain move. */
export const CLUSTER_HOVER_MS = 600;
/** A cursor that has not moved for this long fades out. */
export const CURSOR_IDLE_MS = 4000;
const DRAG_THRESHOLD_PX = 4;
export const PALETTE: readonly Color[] = [Color.YELLOW, Color.ORANGE, Color.PINK, Color.GREEN, Color.BLUE, Color.PURPLE, Color.GREY];

export interface CanvasEnv {
  t: (key: TextKey, params?: Record<string, string | number>) => string;
  selfId(): string;
  board(): BoardView;
  presence(): ReadonlyMap<string, PresenceState>;
  /** Nothing can be changed (observers, replay, a closed workshop). */
  readOnly(): boolean;
  /** Replay: hidden notes are everyone's, marked "still private". */
  replay: boolean;
  /** The zoom below which this view does not open (camera.ts: READABLE_ZOOM,
   *  PROJECTOR_ZOOM for the projector). */
  readableZoom(): number;
  /** The camera changed (area navigation shows where the view is). */
  onCamera?(): void;
  /** Sends an op; `undo` is the op that takes it back (for Ctrl+Z). */
  propose(op: OpInit, undo?: OpInit): void;
  /** Deletes a note with an undo offer. */
  deleteNote(noteId: string): void;
  undo(): void;
  name(participantId: string): string;
  onViewport(rect: Rect): void;
  onCursor(p: Pt | undefined): void;
  onTyping(noteId: string): void;
  /** A drag of notes in progress (undefined: it ended), for others to see live. */
  onDrag(drag: OwnDrag | undefined): void;
  /** The user moved the camera (ends following the facilitator). */
  onUserCamera(): void;
  onSelection(noteId: string | undefined): void;
  /** The user tried something the phase or a lock does not allow. */
  denied(key: TextKey): void;
  /** "Merge with duplicate…" from the note's menu (absent: not offered). */
  mergeDuplicate?(noteId: string): void;
}

interface NoteView {
  el: HTMLDivElement;
  text: HTMLParagraphElement;
  foot: HTMLDivElement;
  signature: string;
}

interface DragState {
  kind: "note" | "cluster" | "pan" | "pending-note";
  pointerId: number;
  start: Pt; // screen
  last: Pt; // screen
  noteId?: string;
  clusterId?: string;
  origin?: Pt; // world position of the dragged object at start
  members?: { id: string; origin: Pt }[];
  moved: boolean;
}

export class BoardCanvas {
  readonly el: HTMLDivElement;
  private readonly world: HTMLDivElement;
  private readonly areaLayer: HTMLDivElement;
  private readonly noteLayer: HTMLDivElement;
  private readonly overlay: HTMLDivElement;
  private readonly toolbar: HTMLDivElement;
  private readonly cursorEls = new Map<string, HTMLDivElement>();
  // Others' drags in progress: where each dragged note was when the drag was
  // first seen, by participant. A note shows at base + offset while its
  // board position is still that base; once the drop's move arrives (before
  // the drag's end, which presence delivers a little later) the board wins.
  private readonly remoteDragBases = new Map<string, Map<string, Pt>>();
  private remoteDragged = new Map<string, Pt>();
  private dragSignature = "";
  private readonly noteViews = new Map<string, NoteView>();
  /** Areas live in the world; their headers in the overlay, so titles and
   *  counts stay readable at any zoom (like frame titles elsewhere). */
  private readonly areaEls = new Map<string, { el: HTMLDivElement; header: HTMLDivElement; signature: string }>();
  private readonly clusterEls = new Map<string, { el: HTMLDivElement; signature: string }>();
  /** For assistive technology and the Tab order, each area is a region with
   *  a list of its clusters and notes in reading order (top to bottom, left
   *  to right); "" holds what lies outside every area. The groups sit at the
   *  world's origin with no size, so their children keep board positions. */
  private readonly groups = new Map<string, { region: HTMLDivElement; list: HTMLDivElement; empty: HTMLParagraphElement; order: number }>();
  private cam: Camera = { x: -600, y: -400, zoom: 1 };
  private selected: string | undefined;
  private editing: { noteId: string | undefined; area: HTMLTextAreaElement; el: HTMLElement } | undefined;
  private drag: DragState | undefined;
  private readonly pointers = new Map<number, Pt>();
  private pinch: { distance: number; center: Pt } | undefined;
  private spaceDown = false;
  private lastPointer: Pt | undefined;
  private fitted = false;
  private color: Color = Color.YELLOW;
  private resizeObserver: ResizeObserver | undefined;

  constructor(private readonly env: CanvasEnv) {
    this.areaLayer = h("div", { class: "layer areas" });
    this.noteLayer = h("div", { class: "layer notes" });
    this.world = h("div", { class: "world" }, this.areaLayer, this.noteLayer);
    this.toolbar = h("div", { class: "note-toolbar", attrs: { role: "toolbar", "aria-label": env.t("noteMenu") } });
    this.toolbar.hidden = true;
    this.toolbar.addEventListener("keydown", (ev) => {
      if (ev.key !== "Escape") return;
      ev.stopPropagation();
      if (this.selected) this.noteViews.get(this.selected)?.el.focus({ preventScroll: true });
    });
    this.overlay = h("div", { class: "overlay" }, this.toolbar, this.dropHint);
    this.el = h("div", {
      class: "board",
      attrs: { tabindex: 0, role: "application", "aria-roledescription": "whiteboard", "aria-label": env.t("boardLabel") },
    }, this.world, this.overlay);
    this.attach();
  }

  // ---------------------------------------------------------------- camera

  get camera(): Camera {
    return this.cam;
  }

  setCamera(cam: Camera, user = false): void {
    this.cam = cam;
    this.applyCamera();
    if (user) this.env.onUserCamera();
  }

  /** Shows `rect` (a viewport someone else sent) whole. */
  showRect(rect: Rect): void {
    const { width, height } = this.size();
    this.setCamera(fitRect(rect, width, height, 16));
  }

  /** Areas in reading order: left to right, then top to bottom. */
  areasInOrder(): { id: string; title: string; rect: Rect }[] {
    const out: { id: string; title: string; rect: Rect }[] = [];
    for (const a of this.env.board().areas.values()) if (!a.deleted && a.rect) out.push({ id: a.id, title: a.title, rect: a.rect });
    return out.sort((a, b) => a.rect.x - b.rect.x || a.rect.y - b.rect.y || (a.id < b.id ? -1 : 1));
  }

  /** Opens an area at a readable zoom (its width fitted when that is readable). */
  showArea(areaId: string, user = true): void {
    const area = this.env.board().areas.get(areaId);
    if (!area?.rect || area.deleted) return;
    const { width, height } = this.size();
    this.setCamera(areaView(area.rect, width, height, this.env.readableZoom()), user);
  }

  /** The area the middle of the screen shows ("" for none or "show all"). */
  currentArea(): string {
    const v = this.visible();
    const c = { x: v.x + v.width / 2, y: v.y + v.height / 2 };
    let best = "";
    for (const a of this.areasInOrder()) {
      // Showing more than one area whole is "show all", not an area.
      if (v.width > a.rect.width * 1.6 && v.x <= a.rect.x && v.x + v.width >= a.rect.x + a.rect.width) return "";
      if (c.x >= a.rect.x && c.x <= a.rect.x + a.rect.width) best = a.id;
    }
    return best;
  }

  /** What a view opens with: the first area at a readable zoom; without
   *  areas, the notes' middle at that zoom. */
  openDefaultView(): void {
    const first = this.areasInOrder()[0];
    if (first) {
      this.showArea(first.id, false);
      return;
    }
    const rects: Rect[] = [];
    for (const n of this.env.board().notes.values()) if (!n.deleted) rects.push(noteRect(n));
    const all = union(rects) ?? { x: -800, y: -500, width: 1600, height: 1000 };
    const { width, height } = this.size();
    const fit = fitRect(all, width, height, 40);
    const zoom = Math.max(fit.zoom, this.env.readableZoom());
    this.setCamera({ zoom, x: all.x + all.width / 2 - width / 2 / zoom, y: all.y + all.height / 2 - height / 2 / zoom }, false);
  }

  /** "Show all": every area and note on screen, at whatever zoom that takes. */
  fitAll(user = true): void {
    const board = this.env.board();
    const rects: Rect[] = [];
    for (const a of board.areas.values()) if (!a.deleted && a.rect) rects.push(a.rect);
    for (const n of board.notes.values()) if (!n.deleted) rects.push(noteRect(n));
    const all = union(rects) ?? { x: -800, y: -500, width: 1600, height: 1000 };
    const { width, height } = this.size();
    this.setCamera(fitRect(all, width, height, 40), user);
  }

  /** Zooms around the selected note when it is on screen, else the centre. */
  zoomBy(factor: number): void {
    const { width, height } = this.size();
    const note = this.selected ? this.env.board().notes.get(this.selected) : undefined;
    let anchor = { x: width / 2, y: height / 2 };
    if (note) {
      const r = noteRect(note);
      const c = toScreen(this.cam, { x: r.x + r.width / 2, y: r.y + r.height / 2 });
      if (c.x >= 0 && c.y >= 0 && c.x <= width && c.y <= height) anchor = c;
    }
    this.setCamera(zoomAt(this.cam, factor, anchor), true);
  }

  visible(): Rect {
    const { width, height } = this.size();
    return visibleRect(this.cam, width, height);
  }

  private size(): { width: number; height: number } {
    return { width: this.el.clientWidth || 1024, height: this.el.clientHeight || 768 };
  }

  private applyCamera(): void {
    const { x, y, zoom } = this.cam;
    this.world.style.transform = `scale(${zoom}) translate(${-x}px, ${-y}px)`;
    // The dot grid moves with the board; below 8 px it would be noise.
    const grid = 24 * zoom * (zoom < 0.34 ? 4 : 1);
    this.el.style.backgroundSize = `${grid}px ${grid}px`;
    this.el.style.backgroundPosition = `${-x * zoom}px ${-y * zoom}px`;
    this.el.style.setProperty("--zoom", String(zoom));
    toggleClass(this.el, "far", zoom < 0.35);
    this.positionOverlay();
    this.env.onViewport(this.visible());
    this.env.onCamera?.();
  }

  // ---------------------------------------------------------------- rendering

  setColor(color: Color): void {
    this.color = color;
  }

  get selection(): string | undefined {
    return this.selected;
  }

  select(noteId: string | undefined): void {
    if (this.selected === noteId) return;
    this.selected = noteId;
    this.env.onSelection(noteId);
    this.render();
    if (noteId) this.noteViews.get(noteId)?.el.focus({ preventScroll: true });
  }

  render(): void {
    const board = this.env.board();
    if (!this.fitted && this.el.isConnected && this.el.clientWidth > 0 && (board.areas.size > 0 || board.notes.size > 0)) {
      this.fitted = true;
      this.openDefaultView();
    }
    this.updateRemoteDrags(board);
    this.renderAreas(board);
    this.renderClusters(board);
    this.renderNotes(board);
    this.arrange(board);
    this.renderCursors();
    this.positionOverlay();
  }

  private renderAreas(board: BoardView): void {
    const seen = new Set<string>();
    const t = this.env.t;
    for (const area of board.areas.values()) {
      if (area.deleted || !area.rect) continue;
      seen.add(area.id);
      const hidden = this.env.replay ? 0 : hiddenCountIn(board, area.id);
      const people = new Set(board.hiddenNotes.filter((x) => x.areaId === area.id && x.count > 0).map((x) => x.authorId)).size;
      const signature = `${area.title}|${area.color}|${area.locked}|${hidden}|${people}|${JSON.stringify(area.rect)}|${t("areaLocked")}`;
      let entry = this.areaEls.get(area.id);
      if (!entry) {
        entry = { el: h("div", { class: "area", data: { area: area.id }, attrs: { "aria-hidden": "true" } }), header: h("div", { class: "area-header" }), signature: "" };
        this.areaEls.set(area.id, entry);
        this.areaLayer.appendChild(entry.el);
        this.overlay.insertBefore(entry.header, this.overlay.firstChild);
      }
      entry.header.dataset.x = String(area.rect.x);
      entry.header.dataset.y = String(area.rect.y);
      entry.header.dataset.w = String(area.rect.width);
      if (entry.signature === signature) continue;
      entry.signature = signature;
      const el = entry.el;
      el.className = `area c-${area.color}`;
      const r = area.rect;
      el.style.left = `${r.x}px`;
      el.style.top = `${r.y}px`;
      el.style.width = `${r.width}px`;
      el.style.height = `${r.height}px`;
      entry.header.className = `area-header c-${area.color}`;
      replace(
        entry.header,
        h("h2", { class: "area-title", text: area.title || "—" }),
        area.locked ? h("span", { class: "chip chip-lock", attrs: { title: t("areaLocked") } }, icon("lock", 14), t("areaLocked")) : null,
        hidden > 0
          ? h("span", { class: "chip chip-private" }, icon("eyeOff", 14), t("privateNotesOf", { notes: t("privateNotes", { n: hidden }), people: t("persons", { n: people }) }))
          : null,
      );
      el.dataset.title = area.title;
      const group = this.group(area.id);
      group.region.setAttribute("aria-label", area.title || "—");
      setText(group.empty, t("emptyArea"));
    }
    for (const [id, entry] of this.areaEls) {
      if (!seen.has(id)) {
        entry.el.remove();
        entry.header.remove();
        this.areaEls.delete(id);
      }
    }
    // Regions in reading order of the areas; the rest ("Weitere Karten") last.
    const outside = this.group("");
    outside.region.setAttribute("aria-label", t("onBoard"));
    const areas = [...board.areas.values()].filter((a) => !a.deleted && a.rect).sort((a, b) => readingOrder(a.rect as Rect, b.rect as Rect));
    areas.forEach((a, i) => {
      const g = this.groups.get(a.id);
      if (g) g.order = i;
    });
    outside.order = areas.length;
    this.positionAreaHeaders();
  }

  private positionAreaHeaders(): void {
    for (const { header } of this.areaEls.values()) {
      const s = toScreen(this.cam, { x: Number(header.dataset.x), y: Number(header.dataset.y) });
      const width = Number(header.dataset.w) * this.cam.zoom;
      header.style.transform = `translate(${Math.round(s.x + 14)}px, ${Math.round(s.y + 12)}px)`;
      header.style.maxWidth = `${Math.max(0, width - 28)}px`;
      header.hidden = width < 90;
    }
  }

  private clusterRect(board: BoardView, clusterId: string, members = clusterMembers(board, clusterId)): Rect | undefined {
    members = members.filter((n) => this.shows(n));
    const bbox = union(members.map((n) => this.noteRectLive(n)));
    if (!bbox) {
      const c = board.clusters.get(clusterId);
      if (!c?.position) return undefined;
      return { x: c.position.x, y: c.position.y, width: NOTE_SIDE + 2 * CLUSTER_PAD, height: CLUSTER_HEADER + 60 };
    }
    return {
      x: bbox.x - CLUSTER_PAD,
      y: bbox.y - CLUSTER_PAD - CLUSTER_HEADER,
      width: bbox.width + 2 * CLUSTER_PAD,
      height: bbox.height + 2 * CLUSTER_PAD + CLUSTER_HEADER,
    };
  }

  private renderClusters(board: BoardView): void {
    const seen = new Set<string>();
    const t = this.env.t;
    // Members of every cluster in one pass (not one pass per cluster).
    const members = new Map<string, Readonly<Note>[]>();
    for (const n of board.notes.values()) {
      if (n.clusterId && !n.deleted) members.set(n.clusterId, [...(members.get(n.clusterId) ?? []), n]);
    }
    // Dots on clusters themselves (a round may rank clusters and notes together).
    const self = this.env.selfId();
    const round = openRound(board);
    const lastClosed = round ? undefined : [...board.rounds].reverse().find((r) => !r.open && r.results.length > 0);
    const results = new Map(lastClosed?.results.map((r) => [r.noteId, r.dots]) ?? []);
    const budgetLeft = round ? round.dotsPerParticipant - dotsSpent(board, self) : 0;
    for (const c of board.clusters.values()) {
      if (c.deleted) continue;
      const own = members.get(c.id) ?? [];
      const rect = this.clusterRect(board, c.id, own);
      if (!rect) continue;
      seen.add(c.id);
      const count = own.length;
      const editable = !this.env.readOnly() && this.mayClusterAny(board);
      const votable = !this.env.readOnly() && mayVoteOnCluster(board, self, c);
      const mine = round ? ownDotsOn(board, self, c.id) : 0;
      const total = round ? dotsOn(board, c.id) : (results.get(c.id) ?? 0);
      const showTotal = round ? board.tallies.size > 0 || board.full : results.has(c.id);
      const maxed = round ? mine >= round.maxDotsPerNote || budgetLeft <= 0 : true;
      const voteSig = round || results.has(c.id) ? `${votable}|${mine}|${total}|${showTotal}|${maxed}` : "";
      const signature = `${c.title}|${count}|${editable}|${t("clusterPlaceholder")}|${voteSig}`;
      let entry = this.clusterEls.get(c.id);
      if (!entry) {
        entry = { el: h("div", { class: "cluster", data: { cluster: c.id }, attrs: { role: "listitem" } }), signature: "" };
        this.clusterEls.set(c.id, entry);
      }
      const el = entry.el;
      el.style.left = `${rect.x}px`;
      el.style.top = `${rect.y}px`;
      el.style.width = `${rect.width}px`;
      el.style.height = `${rect.height}px`;
      if (entry.signature === signature || el.querySelector("input")) continue;
      entry.signature = signature;
      const title = h("button", {
        class: `cluster-title${c.title ? "" : " placeholder"}`,
        attrs: { type: "button", "aria-label": `${t("clusterTitle")}: ${c.title || t("clusterPlaceholder")}`, disabled: !editable },
        text: c.title || t("clusterPlaceholder"),
        on: { click: (ev) => (ev.stopPropagation(), this.editClusterTitle(c.id)) },
      });
      replace(
        el,
        h("div", { class: "cluster-header", data: { clusterHeader: c.id } }, icon("group", 14), title, h("span", { class: "cluster-count", text: t("clusterCount", { n: count }) }),
          voteSig && (votable || mine > 0 || showTotal) ? this.voteControls(c.id, votable, mine, total, showTotal, maxed, c.title || t("clusterUnnamed")) : null),
      );
    }
    for (const [id, entry] of this.clusterEls) {
      if (!seen.has(id)) {
        entry.el.remove();
        this.clusterEls.delete(id);
      }
    }
  }

  private group(areaId: string): { region: HTMLDivElement; list: HTMLDivElement; empty: HTMLParagraphElement; order: number } {
    let g = this.groups.get(areaId);
    if (!g) {
      const list = h("div", { class: "area-list", attrs: { role: "list" } });
      const empty = h("p", { class: "visually-hidden", text: this.env.t("emptyArea") });
      const region = h("div", { class: "area-group", attrs: { role: "region" }, data: { group: areaId } }, empty, list);
      g = { region, list, empty, order: 0 };
      this.groups.set(areaId, g);
      this.noteLayer.appendChild(region);
    }
    return g;
  }

  /** Puts clusters and notes into their area's list in reading order (a
   *  cluster's notes right after it), so Tab and screen readers go area by
   *  area. Only what is out of order moves; never while an editor is open
   *  (moving it would blur and commit it) or a drag runs. */
  private arrange(board: BoardView): void {
    if (this.editing || this.drag) return;
    type Unit = { rect: Rect; el: HTMLElement; notes: { rect: Rect; el: HTMLElement }[] };
    const units = new Map<string, Unit[]>();
    const groupOf = (areaId: string) => (areaId && this.areaEls.has(areaId) ? areaId : "");
    const add = (gid: string, u: Unit) => units.set(gid, [...(units.get(gid) ?? []), u]);
    const clusterUnits = new Map<string, Unit>();
    for (const [id, entry] of this.clusterEls) {
      const c = board.clusters.get(id);
      const rect = c ? this.clusterRect(board, id) : undefined;
      if (!c || !rect) continue;
      const u: Unit = { rect, el: entry.el, notes: [] };
      clusterUnits.set(id, u);
      add(groupOf(c.areaId), u);
    }
    for (const note of this.orderedNotes(board)) {
      const view = this.noteViews.get(note.id);
      if (!view) continue;
      const cu = note.clusterId ? clusterUnits.get(note.clusterId) : undefined;
      if (cu) cu.notes.push({ rect: noteRect(note), el: view.el });
      else add(groupOf(note.areaId), { rect: noteRect(note), el: view.el, notes: [] });
    }
    const active = document.activeElement;
    const regions: HTMLElement[] = [];
    for (const [gid, g] of [...this.groups].sort((a, b) => a[1].order - b[1].order)) {
      if (gid !== "" && !this.areaEls.has(gid)) {
        g.region.remove();
        this.groups.delete(gid);
        continue;
      }
      const wanted = (units.get(gid) ?? [])
        .sort((a, b) => readingOrder(a.rect, b.rect))
        .flatMap((u) => [u.el, ...u.notes.sort((a, b) => readingOrder(a.rect, b.rect)).map((n) => n.el)]);
      reorder(g.list, wanted);
      g.empty.hidden = wanted.length > 0;
      // An empty "outside" group would be a region with nothing in it.
      g.region.hidden = gid === "" && wanted.length === 0;
      regions.push(g.region);
    }
    reorder(this.noteLayer, regions);
    // The areas' headings (in the overlay, before the toolbar and cursors)
    // in the same order, so a screen reader's list of headings reads it too.
    const headers = [...this.groups.keys()].filter((id) => id !== "").sort((a, b) => (this.groups.get(a)?.order ?? 0) - (this.groups.get(b)?.order ?? 0)).map((id) => this.areaEls.get(id)?.header).filter((x): x is HTMLDivElement => !!x);
    const current = [...this.overlay.children].filter((c) => c.classList.contains("area-header"));
    if (headers.some((hd, i) => current[i] !== hd)) {
      const after = [...this.overlay.children].find((c) => !c.classList.contains("area-header")) ?? null;
      for (const hd of headers) this.overlay.insertBefore(hd, after);
    }
    if (active instanceof HTMLElement && active !== document.activeElement && active.isConnected) active.focus({ preventScroll: true });
  }

  private mayClusterAny(board: BoardView): boolean {
    const self = this.env.selfId();
    return isFacilitator(board, self) || mayCluster(board, self, { hidden: false, areaId: "" } as Note);
  }

  private editClusterTitle(clusterId: string): void {
    const el = this.clusterEls.get(clusterId)?.el;
    const c = this.env.board().clusters.get(clusterId);
    if (!el || !c || this.env.readOnly()) return;
    const header = el.querySelector(".cluster-header");
    const button = header?.querySelector(".cluster-title");
    if (!header || !button) return;
    const input = h("input", {
      class: "cluster-title-input",
      attrs: { type: "text", maxlength: 120, "aria-label": this.env.t("clusterTitle"), placeholder: this.env.t("clusterPlaceholder") },
    });
    input.value = c.title;
    let done = false;
    const finish = (save: boolean) => {
      if (done) return;
      done = true;
      const value = input.value.trim();
      if (save && value !== c.title) {
        this.env.propose(
          { kind: { case: "updateCluster", value: { id: clusterId, mask: [1], title: value } } },
          { kind: { case: "updateCluster", value: { id: clusterId, mask: [1], title: c.title } } },
        );
      }
      const entry = this.clusterEls.get(clusterId);
      if (entry) entry.signature = "";
      input.remove();
      this.render();
      this.el.focus({ preventScroll: true });
    };
    input.addEventListener("keydown", (ev) => {
      ev.stopPropagation();
      if (ev.key === "Enter") finish(true);
      else if (ev.key === "Escape") finish(false);
    });
    input.addEventListener("blur", () => finish(true));
    input.addEventListener("pointerdown", (ev) => ev.stopPropagation());
    button.replaceWith(input);
    input.focus();
    input.select();
  }

  /** Whether this view draws `note` (others' hidden notes only in a replay). */
  private shows(note: Readonly<Note>): boolean {
    return !note.deleted;
  }

  private orderedNotes(board: BoardView): Readonly<Note>[] {
    return [...board.notes.values()]
      .filter((n) => this.shows(n))
      .sort((a, b) => {
        const sa = a.createdSeq === 0n ? Number.MAX_SAFE_INTEGER : Number(a.createdSeq);
        const sb = b.createdSeq === 0n ? Number.MAX_SAFE_INTEGER : Number(b.createdSeq);
        return sa - sb || (a.id < b.id ? -1 : 1);
      });
  }

  private renderNotes(board: BoardView): void {
    const t = this.env.t;
    const self = this.env.selfId();
    const readOnly = this.env.readOnly();
    const round = openRound(board);
    const lastClosed = round ? undefined : [...board.rounds].reverse().find((r) => !r.open && r.results.length > 0);
    const results = new Map(lastClosed?.results.map((r) => [r.noteId, r.dots]) ?? []);
    const typing = new Map<string, string>();
    for (const p of this.env.presence().values()) if (p.typingNoteId && p.participantId !== self) typing.set(p.typingNoteId, p.displayName);
    const seen = new Set<string>();
    let order = 0;
    const budgetLeft = round ? round.dotsPerParticipant - dotsSpent(board, self) : 0;
    for (const note of this.orderedNotes(board)) {
      seen.add(note.id);
      let view = this.noteViews.get(note.id);
      if (!view) {
        view = this.createNoteView(note.id);
        this.noteViews.set(note.id, view);
      }
      order += 1;
      view.el.style.zIndex = String(this.drag?.noteId === note.id ? 100000 : order);
      if (this.drag?.noteId !== note.id && !this.drag?.members?.some((m) => m.id === note.id)) {
        const remote = this.remoteDragged.get(note.id);
        view.el.style.left = `${remote?.x ?? note.position?.x ?? 0}px`;
        view.el.style.top = `${remote?.y ?? note.position?.y ?? 0}px`;
        toggleClass(view.el, "remote-dragging", remote !== undefined);
      }
      const votable = !readOnly && mayVoteOn(board, self, note);
      const mine = round ? ownDotsOn(board, self, note.id) : 0;
      const total = round ? dotsOn(board, note.id) : (results.get(note.id) ?? 0);
      const showTotal = round ? board.tallies.has(note.id) || board.tallies.size > 0 || board.full : results.has(note.id);
      const maxed = round ? mine >= round.maxDotsPerNote || budgetLeft <= 0 : true;
      // A note without an author came with a copied workshop (the server wrote it).
      const author = note.authorId === "" ? t("carriedOver") : this.env.name(note.authorId);
      const privacy = note.hidden ? (this.env.replay || note.authorId !== self ? "still" : "own") : "";
      const editing = this.editing?.noteId === note.id;
      const signature = [
        note.text, note.color, note.size?.width, note.size?.height, author, privacy, note.createdSeq === 0n,
        votable, mine, total, showTotal, maxed, round?.id ?? "", this.selected === note.id, typing.get(note.id) ?? "", editing,
        t("onlyYou"), note.clusterId, note.clusterId ? (board.clusters.get(note.clusterId)?.title ?? "") : "",
      ].join("|");
      if (view.signature === signature) continue;
      view.signature = signature;
      const el = view.el;
      el.className = `note c-${note.color || Color.YELLOW}`;
      toggleClass(el, "pending", note.createdSeq === 0n);
      toggleClass(el, "selected", this.selected === note.id);
      toggleClass(el, "private", privacy !== "");
      toggleClass(el, "editing", editing);
      el.style.width = `${note.size?.width ?? NOTE_SIDE}px`;
      el.style.height = `${note.size?.height ?? NOTE_SIDE}px`;
      const cluster = note.clusterId ? board.clusters.get(note.clusterId) : undefined;
      const label = [
        cluster && !cluster.deleted
          ? t("noteInCluster", { author, cluster: cluster.title || t("clusterPlaceholder"), text: note.text || t("emptyNote") })
          : t("noteLabel", { author, text: note.text || t("emptyNote") }),
        privacy === "own" ? t("onlyYou") : privacy === "still" ? t("stillPrivate") : "",
        showTotal && total > 0 ? t("dotsOnNote", { n: total }) : "",
        mine > 0 ? t("yourDots", { n: mine }) : "",
      ].filter(Boolean).join(". ");
      el.setAttribute("aria-label", label);
      if (!editing) setText(view.text, note.text);
      toggleClass(view.text, "small", note.text.length > 60);
      toggleClass(view.text, "tiny", note.text.length > 200);
      const foot: (Node | null)[] = [h("span", { class: "note-author", text: author })];
      if (privacy === "own") foot.push(h("span", { class: "badge badge-private", attrs: { title: t("onlyYou") } }, icon("eyeOff", 12), t("onlyYou")));
      if (privacy === "still") foot.push(h("span", { class: "badge badge-private", attrs: { title: t("stillPrivate") } }, icon("eyeOff", 12), t("stillPrivate")));
      if (round && (votable || mine > 0 || (showTotal && total > 0))) {
        foot.push(this.voteControls(note.id, votable, mine, total, showTotal, maxed));
      } else if (!round && showTotal && total > 0) {
        foot.push(h("span", { class: "badge badge-result", attrs: { title: t("dotsOnNote", { n: total }) } }, icon("vote", 12), String(total)));
      }
      const typer = typing.get(note.id);
      if (typer) foot.push(h("span", { class: "note-typing", text: t("typing", { name: typer }) }));
      replace(view.foot, ...foot);
    }
    for (const [id, view] of this.noteViews) {
      if (!seen.has(id)) {
        view.el.remove();
        this.noteViews.delete(id);
        if (this.selected === id) this.select(undefined);
      }
    }
  }

  /** The dots and vote buttons of a note, or of a cluster (`clusterTitle` set). */
  private voteControls(noteId: string, votable: boolean, mine: number, total: number, showTotal: boolean, maxed: boolean, clusterTitle?: string): HTMLElement {
    const t = this.env.t;
    const dots = h("span", { class: "dots", attrs: { role: "img", "aria-label": t("yourDots", { n: mine }) } });
    for (let i = 0; i < mine; i++) dots.appendChild(h("span", { class: "dot" }));
    const box = h("span", { class: clusterTitle === undefined ? "vote" : "vote cluster-vote" }, dots);
    const target = clusterTitle === undefined ? { noteId } : { clusterId: noteId };
    if (votable) {
      box.append(
        button(clusterTitle === undefined ? t("retractVote") : t("retractVoteCluster", { title: clusterTitle }), (ev) => (ev.stopPropagation(), this.env.propose({ kind: { case: "retractVote", value: target } })), {
          class: "vote-btn",
          icon: icon("minus", 14),
          attrs: { disabled: mine === 0 },
        }),
        button(clusterTitle === undefined ? t("castVote") : t("castVoteCluster", { title: clusterTitle }), (ev) => (ev.stopPropagation(), this.env.propose({ kind: { case: "castVote", value: target } })), {
          class: "vote-btn vote-plus",
          icon: icon("plus", 14),
          attrs: { disabled: maxed },
        }),
      );
    }
    if (showTotal) box.appendChild(h("span", { class: "tally", attrs: { title: t("dotsOnNote", { n: total }) } }, icon("vote", 12), String(total)));
    return box;
  }

  private createNoteView(id: string): NoteView {
    const text = h("p", { class: "note-text" });
    const foot = h("div", { class: "note-foot" });
    const el = h("div", { class: "note", data: { note: id }, attrs: { tabindex: 0, role: "listitem" } }, text, foot);
    el.addEventListener("focus", () => {
      if (this.selected !== id && !this.drag) this.select(id);
      if (!this.drag) this.ensureVisible(el);
    });
    this.noteLayer.appendChild(el);
    return { el, text, foot, signature: "" };
  }

  private noteRectLive(n: Readonly<Note>): Rect {
    const remote = this.remoteDragged.get(n.id);
    if (remote && this.drag?.noteId !== n.id) return { x: remote.x, y: remote.y, width: n.size?.width ?? NOTE_SIDE, height: n.size?.height ?? NOTE_SIDE };
    const el = this.noteViews.get(n.id)?.el;
    if (el && (this.drag?.noteId === n.id || this.drag?.members?.some((m) => m.id === n.id))) {
      return { x: parseFloat(el.style.left), y: parseFloat(el.style.top), width: n.size?.width ?? NOTE_SIDE, height: n.size?.height ?? NOTE_SIDE };
    }
    return noteRect(n);
  }

  /** Presence changed: cursors move; notes only if who types where, or what others drag, changed. */
  renderPresence(): void {
    const self = this.env.selfId();
    const typing = [...this.env.presence().values()].filter((p) => p.typingNoteId && p.participantId !== self).map((p) => `${p.participantId}:${p.typingNoteId}`).sort().join(",");
    const drags = [...this.env.presence().values()]
      .filter((p) => p.drag && p.participantId !== self)
      .map((p) => `${p.participantId}:${p.drag?.noteIds.join("+")}@${p.drag?.offset?.x},${p.drag?.offset?.y}`)
      .sort()
      .join(",");
    if (typing !== this.typingSignature || drags !== this.dragSignature) {
      this.typingSignature = typing;
      this.dragSignature = drags;
      this.render();
    } else this.renderCursors();
  }

  /** Where others' drags show notes now (see remoteDragBases). */
  private updateRemoteDrags(board: BoardView): void {
    const self = this.env.selfId();
    const shown = new Map<string, Pt>();
    const active = new Set<string>();
    for (const p of this.env.presence().values()) {
      if (!p.drag || p.participantId === self || this.env.replay) continue;
      active.add(p.participantId);
      let bases = this.remoteDragBases.get(p.participantId);
      if (!bases) {
        bases = new Map();
        this.remoteDragBases.set(p.participantId, bases);
      }
      const offset = p.drag.offset ?? { x: 0, y: 0 };
      for (const id of p.drag.noteIds) {
        const note = board.notes.get(id);
        if (!note || note.deleted) continue;
        const at = { x: note.position?.x ?? 0, y: note.position?.y ?? 0 };
        const base = bases.get(id) ?? at;
        bases.set(id, base);
        if (base.x === at.x && base.y === at.y) shown.set(id, { x: base.x + offset.x, y: base.y + offset.y });
      }
    }
    for (const id of [...this.remoteDragBases.keys()]) if (!active.has(id)) this.remoteDragBases.delete(id);
    this.remoteDragged = shown;
  }

  private typingSignature = "";

  private renderCursors(): void {
    const self = this.env.selfId();
    const seen = new Set<string>();
    for (const p of this.env.presence().values()) {
      if (p.participantId === self || !p.cursor) continue;
      seen.add(p.participantId);
      let el = this.cursorEls.get(p.participantId);
      if (!el) {
        const color = personColor(p.participantId);
        const arrow = icon("pointer", 20);
        arrow.style.color = color;
        el = h("div", { class: "cursor", attrs: { "aria-hidden": "true" } }, arrow, h("span", { class: "cursor-name" }));
        (el.lastChild as HTMLElement).style.background = color;
        this.cursorEls.set(p.participantId, el);
        this.overlay.appendChild(el);
      }
      setText(el.lastChild as HTMLElement, p.displayName);
      if (el.dataset.x !== String(p.cursor.x) || el.dataset.y !== String(p.cursor.y)) {
        el.dataset.moved = String(Date.now());
        el.classList.remove("idle");
      }
      el.dataset.x = String(p.cursor.x);
      el.dataset.y = String(p.cursor.y);
    }
    for (const [id, el] of this.cursorEls) {
      if (!seen.has(id)) {
        el.remove();
        this.cursorEls.delete(id);
      }
    }
    this.positionCursors();
  }

  /** Cursors that have not moved for CURSOR_IDLE_MS fade out (CSS), so
   *  resting name tags do not cover the notes. Called once a second. */
  private fadeIdleCursors(): void {
    const now = Date.now();
    for (const el of this.cursorEls.values()) toggleClass(el, "idle", now - Number(el.dataset.moved ?? now) >= CURSOR_IDLE_MS);
  }

  /** Hides everyone's cursors on this screen (the toggle beside the zoom). */
  setCursorsHidden(hidden: boolean): void {
    toggleClass(this.el, "hide-cursors", hidden);
  }

  private positionCursors(): void {
    for (const el of this.cursorEls.values()) {
      const s = toScreen(this.cam, { x: Number(el.dataset.x), y: Number(el.dataset.y) });
      el.style.transform = `translate(${s.x}px, ${s.y}px)`;
    }
  }

  private positionOverlay(): void {
    this.positionAreaHeaders();
    this.positionCursors();
    this.renderToolbar();
  }

  // ---------------------------------------------------------------- selection toolbar

  private renderToolbar(): void {
    const board = this.env.board();
    const note = this.selected ? board.notes.get(this.selected) : undefined;
    const self = this.env.selfId();
    if (!note || note.deleted || this.env.readOnly() || this.drag?.moved || this.editing) {
      this.toolbar.hidden = true;
      return;
    }
    const editable = mayEdit(board, self, note);
    const deletable = mayDelete(board, self, note);
    const canCluster = mayCluster(board, self, note);
    const clustered = note.clusterId !== "" && canCluster;
    // Voting from the toolbar: its buttons keep their size at any zoom
    // (the ones on the note shrink with it), and keyboard users reach them.
    const round = openRound(board);
    const votable = !!round && mayVoteOn(board, self, note);
    const mine = round ? ownDotsOn(board, self, note.id) : 0;
    const maxed = !round || mine >= round.maxDotsPerNote || round.dotsPerParticipant - dotsSpent(board, self) <= 0;
    if (!editable && !deletable && !canCluster && !votable) {
      this.toolbar.hidden = true;
      return;
    }
    const t = this.env.t;
    const signature = `${note.id}|${note.color}|${editable}|${deletable}|${clustered}|${canCluster}|${votable}|${mine}|${maxed}|${t("editNote")}`;
    if (this.toolbar.dataset.signature !== signature) {
      this.toolbar.dataset.signature = signature;
      const items: HTMLElement[] = [];
      if (editable) {
        const swatches = h("div", { class: "swatches", attrs: { role: "radiogroup", "aria-label": t("noteColor") } });
        for (const c of PALETTE) {
          const key = `color_${c}` as TextKey;
          swatches.appendChild(
            h("button", {
              class: `swatch c-${c}`,
              attrs: { type: "button", role: "radio", "aria-checked": note.color === c ? "true" : "false", "aria-label": t(key), title: t(key) },
              on: {
                click: () => {
                  this.color = c;
                  if (note.color !== c) {
                    this.env.propose(
                      { kind: { case: "updateNote", value: { id: note.id, mask: [2], color: c } } },
                      { kind: { case: "updateNote", value: { id: note.id, mask: [2], color: note.color } } },
                    );
                  }
                },
              },
            }),
          );
        }
        items.push(swatches, button(t("editNote"), () => this.editNote(note.id), { icon: icon("edit", 16), class: "tool" }));
      }
      if (votable) {
        items.push(
          button(t("retractVote"), () => this.vote(note.id, -1), { icon: icon("minus", 16), class: "tool", attrs: { disabled: mine === 0 }, data: { key: "tb-retract" } }),
          h("span", { class: "tool-count", text: String(mine), attrs: { role: "img", "aria-label": t("yourDots", { n: mine }) } }),
          button(t("castVote"), () => this.vote(note.id, 1), { icon: icon("plus", 16), class: "tool", attrs: { disabled: maxed }, data: { key: "tb-cast" } }),
        );
      }
      if (canCluster) {
        items.push(button(t("addToCluster"), () => this.clusterMenu(note.id), { icon: icon("group", 16), class: "tool", data: { key: "tb-cluster" } }));
      }
      if (clustered) {
        items.push(
          button(t("removeFromCluster"), () => this.removeFromCluster(note.id), { icon: icon("ungroup", 16), class: "tool" }),
        );
      }
      const merge = this.env.mergeDuplicate;
      if (canCluster && merge && !note.hidden) {
        items.push(button(t("mergeDuplicate"), () => merge(note.id), { icon: icon("merge", 16), class: "tool", data: { key: "tb-merge" } }));
      }
      if (deletable) items.push(button(t("deleteNote"), () => this.env.deleteNote(note.id), { icon: icon("trash", 16), class: "tool danger" }));
      // The focused button survives a rebuild (a dot cast from it changes it).
      const focused = (document.activeElement as HTMLElement | null)?.closest?.(".note-toolbar") ? (document.activeElement as HTMLElement).dataset.key ?? (document.activeElement as HTMLElement).getAttribute("aria-label") : undefined;
      replace(this.toolbar, ...items);
      if (focused) {
        const again = [...this.toolbar.querySelectorAll<HTMLElement>("button")].find((b) => (b.dataset.key ?? b.getAttribute("aria-label")) === focused);
        (again && !(again as HTMLButtonElement).disabled ? again : this.toolbar.querySelector<HTMLElement>("button:not([disabled])"))?.focus();
      }
    }
    this.toolbar.hidden = false;
    // Above the note, or above its cluster's title bar (never covering it).
    const frame = note.clusterId ? this.clusterRect(board, note.clusterId) : undefined;
    const r = noteRect(note);
    const top = frame && frame.y + CLUSTER_HEADER + CLUSTER_PAD >= r.y - 1 ? frame.y : r.y;
    const topLeft = toScreen(this.cam, { x: r.x, y: top });
    const width = this.toolbar.offsetWidth || 300;
    const x = Math.max(8, Math.min(this.size().width - width - 8, topLeft.x + (r.width * this.cam.zoom) / 2 - width / 2));
    const y = topLeft.y - 52 < 8 ? toScreen(this.cam, { x: r.x, y: r.y + r.height }).y + 10 : topLeft.y - 52;
    this.toolbar.style.transform = `translate(${Math.round(x)}px, ${Math.round(y)}px)`;
  }

  /** The selected note's menu (toolbar) by keyboard; Escape goes back to the note. */
  private focusToolbar(): void {
    this.renderToolbar();
    if (this.toolbar.hidden) return;
    this.toolbar.querySelector<HTMLElement>("button:not([disabled])")?.focus();
  }

  private removeFromCluster(noteId: string): void {
    const note = this.env.board().notes.get(noteId);
    if (!note || !note.clusterId) return;
    this.env.propose(
      { kind: { case: "removeFromCluster", value: { noteId } } },
      { kind: { case: "addToCluster", value: { clusterId: note.clusterId, noteId } } },
    );
  }

  // ---------------------------------------------------------------- editing

  /** Opens the editor for a new note at world point `at` (its centre). */
  newNoteAt(at: Pt, inArea?: string): void {
    if (this.env.readOnly()) return;
    const board = this.env.board();
    const areaId = inArea ?? this.areaAt(at);
    if (!mayCreateIn(board, this.env.selfId(), areaId)) {
      const locked = board.settings.locked || !!board.areas.get(areaId)?.locked;
      this.env.denied(locked ? "reject_5" : "reject_4");
      return;
    }
    const pos = { x: Math.round(at.x - NOTE_SIDE / 2), y: Math.round(at.y - NOTE_SIDE / 2) };
    const el = h("div", { class: `note draft c-${this.color}` });
    el.style.left = `${pos.x}px`;
    el.style.top = `${pos.y}px`;
    el.style.width = `${NOTE_SIDE}px`;
    el.style.height = `${NOTE_SIDE}px`;
    el.style.zIndex = "100001";
    this.noteLayer.appendChild(el);
    this.openEditor(el, undefined, "", (text) => {
      el.remove();
      if (text.trim() === "") return;
      const id = randomId();
      this.env.propose(
        { kind: { case: "createNote", value: { id, text, color: this.color, position: pos, areaId, size: { width: NOTE_SIDE, height: NOTE_SIDE } } } },
        { kind: { case: "delete", value: { target: { kind: ObjectKind.NOTE, id } } } },
      );
      this.selected = id;
      this.env.onSelection(id);
    }, () => el.remove());
  }

  /** A new note in a free spot of `areaId` (the area picker of "add note"):
   *  the view moves there, the editor opens on that spot. */
  newNoteInArea(areaId: string): void {
    const board = this.env.board();
    const pos = freeSlot(board, areaId, startCellFor(this.env.selfId()));
    const centre = { x: pos.x + NOTE_SIDE / 2, y: pos.y + NOTE_SIDE / 2 };
    const { width, height } = this.size();
    const shown = this.visible();
    const margin = 40 / this.cam.zoom;
    if (!contains({ x: shown.x + margin, y: shown.y + margin, width: shown.width - 2 * margin, height: shown.height - 2 * margin }, { x: pos.x, y: pos.y }) ||
        !contains({ x: shown.x + margin, y: shown.y + margin, width: shown.width - 2 * margin, height: shown.height - 2 * margin }, { x: pos.x + NOTE_SIDE, y: pos.y + NOTE_SIDE })) {
      const zoom = Math.max(this.cam.zoom, this.env.readableZoom());
      const area = board.areas.get(areaId);
      if (area?.rect && this.currentArea() !== areaId) this.showArea(areaId);
      if (!contains(this.visible(), centre)) this.setCamera({ zoom, x: centre.x - width / 2 / zoom, y: centre.y - height / 2 / zoom }, true);
    }
    this.newNoteAt(centre, areaId);
  }

  /** A new note in the middle of what the screen shows (key N, toolbar). */
  newNoteInView(): void {
    const at = this.lastPointer && contains({ x: 0, y: 0, ...this.size() }, this.lastPointer) ? toWorld(this.cam, this.lastPointer) : undefined;
    const v = this.visible();
    this.newNoteAt(at ?? { x: v.x + v.width / 2, y: v.y + v.height / 2 });
  }

  editNote(noteId: string): void {
    const board = this.env.board();
    const note = board.notes.get(noteId);
    const view = this.noteViews.get(noteId);
    if (!note || !view || !mayEdit(board, this.env.selfId(), note) || this.env.readOnly()) return;
    this.openEditor(view.el, noteId, note.text, (text) => {
      const current = this.env.board().notes.get(noteId);
      if (current && text !== current.text) {
        this.env.propose(
          { kind: { case: "updateNote", value: { id: noteId, mask: [1], text } } },
          { kind: { case: "updateNote", value: { id: noteId, mask: [1], text: current.text } } },
        );
      }
    });
  }

  private openEditor(host: HTMLElement, noteId: string | undefined, initial: string, commit: (text: string) => void, cancel?: () => void): void {
    this.closeEditor(true);
    const t = this.env.t;
    const area = h("textarea", {
      class: "note-editor",
      attrs: { maxlength: 500, "aria-label": noteId ? t("editNote") : t("newNote"), placeholder: t("notePlaceholder"), title: t("editHint") },
    });
    area.value = initial;
    const textEl = host.querySelector(".note-text");
    if (textEl instanceof HTMLElement) textEl.hidden = true;
    host.insertBefore(area, host.firstChild);
    host.classList.add("editing");
    this.editing = { noteId, area, el: host };
    this.toolbar.hidden = true;
    if (noteId) this.env.onTyping(noteId);
    let finished = false;
    const finish = (save: boolean) => {
      if (finished) return;
      finished = true;
      this.editing = undefined;
      area.remove();
      host.classList.remove("editing");
      if (textEl instanceof HTMLElement) textEl.hidden = false;
      this.env.onTyping("");
      if (save) commit(area.value.replace(/\s+$/, ""));
      else cancel?.();
      const v = noteId ? this.noteViews.get(noteId) : undefined;
      if (v) v.signature = "";
      this.render();
      if (noteId) this.noteViews.get(noteId)?.el.focus({ preventScroll: true });
      else this.el.focus({ preventScroll: true });
    };
    area.addEventListener("keydown", (ev) => {
      ev.stopPropagation();
      if (ev.key === "Enter" && !ev.shiftKey) {
        ev.preventDefault();
        finish(true);
      } else if (ev.key === "Escape") {
        ev.preventDefault();
        finish(false);
      }
    });
    area.addEventListener("blur", () => finish(true));
    area.addEventListener("pointerdown", (ev) => ev.stopPropagation());
    area.addEventListener("dblclick", (ev) => ev.stopPropagation());
    area.focus();
    area.setSelectionRange(area.value.length, area.value.length);
  }

  private closeEditor(save: boolean): void {
    if (!this.editing) return;
    const area = this.editing.area;
    if (save) area.blur();
    else area.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape" }));
  }

  get isEditing(): boolean {
    return this.editing !== undefined;
  }

  // ---------------------------------------------------------------- hit tests

  private areaAt(p: Pt): string {
    let found = "";
    for (const a of this.env.board().areas.values()) if (!a.deleted && a.rect && contains(a.rect, p)) found = a.id;
    return found;
  }

  private noteAt(p: Pt, exclude: Set<string>): Readonly<Note> | undefined {
    let found: Readonly<Note> | undefined;
    for (const n of this.orderedNotes(this.env.board())) if (!exclude.has(n.id) && contains(noteRect(n), p)) found = n;
    return found;
  }

  private clusterAt(p: Pt, exclude: string): string | undefined {
    const board = this.env.board();
    let found: string | undefined;
    for (const c of board.clusters.values()) {
      if (c.deleted || c.id === exclude) continue;
      const r = this.clusterRect(board, c.id);
      if (r && contains(r, p)) found = c.id;
    }
    return found;
  }

  // ---------------------------------------------------------------- input

  private attach(): void {
    const el = this.el;
    el.addEventListener("pointerdown", (ev) => this.onPointerDown(ev));
    el.addEventListener("pointermove", (ev) => this.onPointerMove(ev));
    el.addEventListener("pointerup", (ev) => this.onPointerUp(ev));
    el.addEventListener("pointercancel", (ev) => this.onPointerUp(ev, true));
    el.addEventListener("pointerleave", () => {
      this.lastPointer = undefined;
      this.env.onCursor(undefined);
    });
    el.addEventListener("wheel", (ev) => this.onWheel(ev), { passive: false });
    el.addEventListener("dblclick", (ev) => this.onDoubleClick(ev));
    el.addEventListener("keydown", (ev) => this.onKey(ev));
    el.addEventListener("keyup", (ev) => {
      if (ev.key === " ") {
        this.spaceDown = false;
        el.classList.remove("space-pan");
      }
    });
    this.idleTimer = window.setInterval(() => this.fadeIdleCursors(), 1000);
    this.resizeObserver = new ResizeObserver(() => {
      if (!this.fitted) this.render();
      this.applyCamera();
    });
    this.resizeObserver.observe(el);
  }

  private idleTimer = 0;

  dispose(): void {
    window.clearInterval(this.idleTimer);
    this.resizeObserver?.disconnect();
  }

  private local(ev: { clientX: number; clientY: number }): Pt {
    const r = this.el.getBoundingClientRect();
    return { x: ev.clientX - r.left, y: ev.clientY - r.top };
  }

  private onPointerDown(ev: PointerEvent): void {
    if (ev.button !== 0 && ev.pointerType === "mouse" && ev.button !== 1) return;
    const target = ev.target as HTMLElement;
    if (target.closest(".note-toolbar, button, input, textarea, .vote")) return;
    const p = this.local(ev);
    this.pointers.set(ev.pointerId, p);
    if (this.pointers.size === 2) {
      // Two fingers: pinch-zoom and pan; whatever one finger started ends.
      this.cancelDrag();
      const [a, b] = [...this.pointers.values()] as [Pt, Pt];
      this.pinch = { distance: dist(a, b), center: mid(a, b) };
      return;
    }
    if (this.editing) this.closeEditor(true);
    this.el.focus({ preventScroll: true });
    const noteEl = target.closest<HTMLElement>("[data-note]");
    const header = target.closest<HTMLElement>("[data-cluster-header]");
    const board = this.env.board();
    const self = this.env.selfId();
    const pan = ev.button === 1 || this.spaceDown;
    if (!pan && noteEl?.dataset.note) {
      const note = board.notes.get(noteEl.dataset.note);
      if (note) {
        this.select(note.id);
        if (!this.env.readOnly() && mayMove(board, self, note)) {
          // The pointer is captured only once it really drags: a capture
          // retargets click and dblclick to the board, which must still see
          // a double-click on the note as "edit this note".
          this.drag = { kind: "note", pointerId: ev.pointerId, start: p, last: p, noteId: note.id, origin: { x: note.position?.x ?? 0, y: note.position?.y ?? 0 }, moved: false };
        }
      }
      return;
    }
    if (!pan && header?.dataset.clusterHeader && !this.env.readOnly()) {
      const id = header.dataset.clusterHeader;
      const c = board.clusters.get(id);
      const members = clusterMembers(board, id);
      if (c && members.every((n) => mayMove(board, self, n))) {
        this.select(undefined);
        this.drag = {
          kind: "cluster",
          pointerId: ev.pointerId,
          start: p,
          last: p,
          clusterId: id,
          origin: { x: c.position?.x ?? 0, y: c.position?.y ?? 0 },
          members: members.map((n) => ({ id: n.id, origin: { x: n.position?.x ?? 0, y: n.position?.y ?? 0 } })),
          moved: false,
        };
        return;
      }
    }
    this.select(undefined);
    this.drag = { kind: "pan", pointerId: ev.pointerId, start: p, last: p, moved: false };
    this.el.setPointerCapture(ev.pointerId);
    this.el.classList.add("panning");
  }

  private onPointerMove(ev: PointerEvent): void {
    const p = this.local(ev);
    if (this.pointers.has(ev.pointerId)) this.pointers.set(ev.pointerId, p);
    if (this.pinch && this.pointers.size >= 2) {
      const [a, b] = [...this.pointers.values()] as [Pt, Pt];
      const d = dist(a, b);
      const c = mid(a, b);
      let cam = panBy(this.cam, c.x - this.pinch.center.x, c.y - this.pinch.center.y);
      cam = zoomAt(cam, d / Math.max(1, this.pinch.distance), c);
      this.pinch = { distance: d, center: c };
      this.setCamera(cam, true);
      return;
    }
    this.lastPointer = p;
    const world = toWorld(this.cam, p);
    this.env.onCursor(world);
    const drag = this.drag;
    if (!drag || drag.pointerId !== ev.pointerId) return;
    if (!drag.moved && dist(p, drag.start) < DRAG_THRESHOLD_PX) return;
    if (!drag.moved && drag.kind !== "pan") {
      try {
        this.el.setPointerCapture(ev.pointerId);
      } catch {
        // The pointer is already gone; the drag ends with pointerup anyway.
      }
    }
    drag.moved = true;
    const dx = (p.x - drag.start.x) / this.cam.zoom;
    const dy = (p.y - drag.start.y) / this.cam.zoom;
    if (drag.kind === "pan") {
      this.setCamera(panBy(this.cam, p.x - drag.last.x, p.y - drag.last.y), true);
    } else if (drag.kind === "note" && drag.noteId && drag.origin) {
      const view = this.noteViews.get(drag.noteId);
      if (view) {
        view.el.style.left = `${drag.origin.x + dx}px`;
        view.el.style.top = `${drag.origin.y + dy}px`;
        view.el.style.zIndex = "100000";
        view.el.classList.add("dragging");
        this.highlightDropTarget(world, drag.noteId);
      }
      this.env.onDrag({ noteIds: [drag.noteId], offset: { x: dx, y: dy } });
      this.toolbar.hidden = true;
      this.renderClusters(this.env.board());
    } else if (drag.kind === "cluster" && drag.members) {
      for (const m of drag.members) {
        const view = this.noteViews.get(m.id);
        if (!view) continue;
        view.el.style.left = `${m.origin.x + dx}px`;
        view.el.style.top = `${m.origin.y + dy}px`;
      }
      this.env.onDrag({ noteIds: drag.members.slice(0, MAX_DRAG_NOTES).map((m) => m.id), offset: { x: dx, y: dy } });
      this.renderClusters(this.env.board());
    }
    drag.last = p;
  }

  /** What a drop at `world` would join: a loose note, or a cluster. */
  private dropCandidate(world: Pt, dragged: string): { kind: "note" | "cluster"; id: string } | undefined {
    const board = this.env.board();
    const note = board.notes.get(dragged);
    if (!note || !mayCluster(board, this.env.selfId(), note)) return undefined;
    const target = this.noteAt(world, new Set([dragged]));
    if (target && !target.hidden && mayCluster(board, this.env.selfId(), target)) {
      if (target.clusterId && target.clusterId !== note.clusterId) return { kind: "cluster", id: target.clusterId };
      if (!target.clusterId) return { kind: "note", id: target.id };
      return undefined;
    }
    const cluster = this.clusterAt(world, note.clusterId);
    return cluster ? { kind: "cluster", id: cluster } : undefined;
  }

  /** The candidate becomes the drop target only after the pointer rested on
   *  it for CLUSTER_HOVER_MS (a timer arms it; moving away disarms). */
  private highlightDropTarget(world: Pt, dragged: string): void {
    const c = this.dropCandidate(world, dragged);
    const key = c ? `${c.kind}:${c.id}` : "";
    if (key === this.hover.key) return;
    window.clearTimeout(this.hover.timer);
    this.hover = { key, armed: false, timer: 0 };
    this.paintDropTarget(undefined);
    if (!c) return;
    this.hover.timer = window.setTimeout(() => {
      if (this.hover.key !== key) return;
      this.hover.armed = true;
      this.paintDropTarget(c);
    }, CLUSTER_HOVER_MS);
  }

  private paintDropTarget(c: { kind: "note" | "cluster"; id: string } | undefined): void {
    for (const el of this.el.querySelectorAll(".drop-target")) el.classList.remove("drop-target");
    this.dropHint.hidden = !c;
    if (!c) return;
    const el = c.kind === "note" ? this.noteViews.get(c.id)?.el : this.clusterEls.get(c.id)?.el;
    el?.classList.add("drop-target");
    this.dropHint.textContent = this.env.t(c.kind === "note" ? "dropToCluster" : "dropToAdd");
    const p = this.lastPointer ?? { x: 0, y: 0 };
    this.dropHint.style.transform = `translate(${Math.round(p.x + 16)}px, ${Math.round(p.y + 16)}px)`;
  }

  private hover: { key: string; armed: boolean; timer: number } = { key: "", armed: false, timer: 0 };
  private readonly dropHint: HTMLDivElement = (() => {
    const el = h("div", { class: "drop-hint", attrs: { role: "status" } });
    el.hidden = true;
    return el;
  })();

  /** Ends the hover state; returns whether the drop target was armed. */
  private endHover(): boolean {
    const armed = this.hover.armed;
    window.clearTimeout(this.hover.timer);
    this.hover = { key: "", armed: false, timer: 0 };
    this.dropHint.hidden = true;
    return armed;
  }

  private onPointerUp(ev: PointerEvent, cancelled = false): void {
    this.pointers.delete(ev.pointerId);
    if (this.pointers.size < 2) this.pinch = undefined;
    const drag = this.drag;
    if (!drag || drag.pointerId !== ev.pointerId) return;
    this.drag = undefined;
    if (drag.moved && drag.kind !== "pan") this.env.onDrag(undefined);
    this.el.classList.remove("panning");
    const armed = this.endHover();
    for (const el of this.el.querySelectorAll(".drop-target, .dragging")) el.classList.remove("drop-target", "dragging");
    if (cancelled || !drag.moved) {
      this.render();
      return;
    }
    const p = this.local(ev);
    const dx = (p.x - drag.start.x) / this.cam.zoom;
    const dy = (p.y - drag.start.y) / this.cam.zoom;
    if (drag.kind === "note" && drag.noteId && drag.origin) this.dropNote(drag.noteId, { x: Math.round(drag.origin.x + dx), y: Math.round(drag.origin.y + dy) }, toWorld(this.cam, p), armed);
    else if (drag.kind === "cluster" && drag.clusterId && drag.members && drag.origin) this.dropCluster(drag.clusterId, drag.origin, drag.members, dx, dy);
    this.render();
  }

  private cancelDrag(): void {
    if (!this.drag) return;
    this.endHover();
    if (this.drag.moved && this.drag.kind !== "pan") this.env.onDrag(undefined);
    this.drag = undefined;
    this.el.classList.remove("panning");
    for (const el of this.el.querySelectorAll(".drop-target, .dragging")) el.classList.remove("drop-target", "dragging");
    this.render();
  }

  private dropNote(noteId: string, position: Pt, pointer: Pt, armed: boolean): void {
    const board = this.env.board();
    const note = board.notes.get(noteId);
    if (!note) return;
    const self = this.env.selfId();
    const before = { x: note.position?.x ?? 0, y: note.position?.y ?? 0 };
    const moveOp = (pos: Pt, areaId: string): OpInit => ({
      kind: { case: "move", value: { target: { kind: ObjectKind.NOTE, id: noteId }, position: pos, ...(areaId !== note.areaId ? { areaId } : {}) } },
    });
    const undoMove: OpInit = {
      kind: { case: "move", value: { target: { kind: ObjectKind.NOTE, id: noteId }, position: before, areaId: note.areaId } },
    };
    // Joining a note or cluster needs the armed drop target (a rest on it);
    // leaving one's own cluster by dragging out stays a plain gesture.
    const canCluster = mayCluster(board, self, note);
    const joins = canCluster && armed;
    const target = joins ? this.noteAt(pointer, new Set([noteId])) : undefined;
    if (target && !target.hidden && mayCluster(board, self, target)) {
      if (target.clusterId === note.clusterId && target.clusterId !== "") {
        // Rearranging inside its own cluster.
        this.env.propose(moveOp(position, this.areaAt(centre(position, note))), undoMove);
        return;
      }
      // Into the target's cluster, or a new cluster of both (clustering.ts).
      this.proposeAll(clusterOps(board, note, target.clusterId ? { kind: "cluster", id: target.clusterId } : { kind: "note", id: target.id }));
      return;
    }
    const cluster = joins ? this.clusterAt(pointer, note.clusterId) : undefined;
    if (cluster && cluster !== note.clusterId) {
      this.env.propose(moveOp(position, this.areaAt(centre(position, note))), undoMove);
      this.env.propose({ kind: { case: "addToCluster", value: { clusterId: cluster, noteId } } }, { kind: { case: "removeFromCluster", value: { noteId } } });
      return;
    }
    this.env.propose(moveOp(position, this.areaAt(centre(position, note))), undoMove);
    if (note.clusterId && canCluster) {
      // Dragged well out of its cluster's frame: it leaves the cluster.
      const frame = this.clusterRect(board, note.clusterId);
      const c = centre(position, note);
      if (frame && !contains({ x: frame.x - 40, y: frame.y - 40, width: frame.width + 80, height: frame.height + 80 }, c)) {
        this.env.propose({ kind: { case: "removeFromCluster", value: { noteId } } }, { kind: { case: "addToCluster", value: { clusterId: note.clusterId, noteId } } });
      }
    }
  }

  private proposeAll(ops: readonly { op: OpInit; undo: OpInit }[]): void {
    for (const { op, undo } of ops) this.env.propose(op, undo);
  }

  /** "Add to cluster…": a list of the clusters and loose notes of the
   *  note's area; picking one does what dropping the note there does. */
  clusterMenu(noteId: string): void {
    const board = this.env.board();
    const note = board.notes.get(noteId);
    if (!note || note.deleted || this.env.readOnly()) return;
    const t = this.env.t;
    const choices = clusterChoices(board, this.env.selfId(), note, {
      cluster: (title, count) => t("clusterChoice", { title: title || t("clusterPlaceholder"), count: t("clusterCount", { n: count }) }),
      withNote: (text, author) => t("newClusterWith", { text: text || t("emptyNote"), author }),
      name: (id) => this.env.name(id),
    });
    if (!mayCluster(board, this.env.selfId(), note)) {
      this.env.denied(board.settings.locked || board.areas.get(note.areaId)?.locked ? "reject_5" : "reject_4");
      return;
    }
    const back = () => this.noteViews.get(noteId)?.el.focus({ preventScroll: true });
    void chooseDialog(t("addToCluster"), choices.map((c) => c.label), { cancel: t("cancel"), empty: t("noClusterChoice") }).then((i) => {
      const choice = i === undefined ? undefined : choices[i];
      const current = this.env.board().notes.get(noteId);
      if (choice && current) this.proposeAll(clusterOps(this.env.board(), current, choice.target as ClusterTarget));
      back();
    });
  }

  /** Casts (+1) or takes back (−1) one of the viewer's dots on a note. */
  vote(noteId: string, delta: 1 | -1): void {
    const board = this.env.board();
    const note = board.notes.get(noteId);
    if (!note || this.env.readOnly() || !mayVoteOn(board, this.env.selfId(), note)) return;
    this.env.propose({ kind: { case: delta > 0 ? "castVote" : "retractVote", value: { noteId } } });
  }

  /** Moves the focus to the first note or cluster of the next (or previous) area. */
  private focusArea(step: 1 | -1): void {
    const regions = [...this.noteLayer.querySelectorAll<HTMLElement>(".area-group:not([hidden])")];
    const active = document.activeElement;
    const at = regions.findIndex((r) => active instanceof Node && r.contains(active));
    for (let k = 1; k <= regions.length; k++) {
      const region = regions[(at + step * k + regions.length * 2) % regions.length];
      const first = region?.querySelector<HTMLElement>(".note[data-note], .cluster-title:not([disabled])");
      if (first) {
        first.focus();
        this.ensureVisible(first);
        return;
      }
    }
  }

  /** Pans so that a focused element is on screen (Tab can reach notes outside the view). */
  private ensureVisible(el: HTMLElement): void {
    const id = el.closest<HTMLElement>("[data-note]")?.dataset.note;
    const note = id ? this.env.board().notes.get(id) : undefined;
    if (!note) return;
    const r = noteRect(note);
    const v = this.visible();
    if (contains(v, { x: r.x, y: r.y }) && contains(v, { x: r.x + r.width, y: r.y + r.height })) return;
    this.setCamera(panBy(this.cam, (v.x + v.width / 2 - (r.x + r.width / 2)) * this.cam.zoom, (v.y + v.height / 2 - (r.y + r.height / 2)) * this.cam.zoom), true);
  }

  private dropCluster(clusterId: string, origin: Pt, members: { id: string; origin: Pt }[], dx: number, dy: number): void {
    const round = (v: number) => Math.round(v);
    const c = this.env.board().clusters.get(clusterId);
    const target = { x: round(origin.x + dx), y: round(origin.y + dy) };
    const areaId = this.areaAt(target);
    const areaChange = c && areaId !== c.areaId ? { areaId } : {};
    this.env.propose(
      { kind: { case: "move", value: { target: { kind: ObjectKind.CLUSTER, id: clusterId }, position: target, ...areaChange } } },
      { kind: { case: "move", value: { target: { kind: ObjectKind.CLUSTER, id: clusterId }, position: origin, ...(c ? { areaId: c.areaId } : {}) } } },
    );
    const board = this.env.board();
    for (const m of members) {
      const n = board.notes.get(m.id);
      const pos = { x: round(m.origin.x + dx), y: round(m.origin.y + dy) };
      const a = n ? this.areaAt(centre(pos, n)) : "";
      this.env.propose(
        { kind: { case: "move", value: { target: { kind: ObjectKind.NOTE, id: m.id }, position: pos, ...(n && a !== n.areaId ? { areaId: a } : {}) } } },
        { kind: { case: "move", value: { target: { kind: ObjectKind.NOTE, id: m.id }, position: m.origin, ...(n ? { areaId: n.areaId } : {}) } } },
      );
    }
  }

  private onWheel(ev: WheelEvent): void {
    ev.preventDefault();
    const p = this.local(ev);
    const scale = ev.deltaMode === 1 ? 16 : ev.deltaMode === 2 ? 400 : 1;
    if (ev.ctrlKey || ev.metaKey) {
      this.setCamera(zoomAt(this.cam, Math.exp((-ev.deltaY * scale) / 500), p), true);
    } else {
      this.setCamera(panBy(this.cam, -ev.deltaX * scale, -ev.deltaY * scale), true);
    }
  }

  private onDoubleClick(ev: MouseEvent): void {
    const target = ev.target as HTMLElement;
    if (target.closest(".note-toolbar, button, input, textarea")) return;
    // By position, not by event target: a pointer capture (pan) may have
    // retargeted the event to the board itself.
    const world = toWorld(this.cam, this.local(ev));
    const hit = this.noteAt(world, new Set());
    if (hit) {
      this.editNote(hit.id);
      return;
    }
    const board = this.env.board();
    for (const c of board.clusters.values()) {
      const r = c.deleted ? undefined : this.clusterRect(board, c.id);
      if (r && contains({ x: r.x, y: r.y, width: r.width, height: CLUSTER_HEADER }, world)) {
        this.editClusterTitle(c.id);
        return;
      }
    }
    this.newNoteAt(world);
  }

  private onKey(ev: KeyboardEvent): void {
    // Keys on a button (toolbar, vote, cluster title) are that button's:
    // Enter or Space there must not also edit the note or start panning.
    if (this.editing || (ev.target as HTMLElement).closest("input, textarea, button")) return;
    const board = this.env.board();
    const self = this.env.selfId();
    const note = this.selected ? board.notes.get(this.selected) : undefined;
    const mod = ev.ctrlKey || ev.metaKey;
    if (mod && ev.key.toLowerCase() === "z") {
      ev.preventDefault();
      this.env.undo();
      return;
    }
    if (mod) return;
    switch (ev.key) {
      case "n":
      case "N":
        ev.preventDefault();
        this.newNoteInView();
        return;
      case "Enter":
        if (note) {
          ev.preventDefault();
          this.editNote(note.id);
        }
        return;
      case "Delete":
      case "Backspace":
        if (note && !this.env.readOnly() && mayDelete(board, self, note)) {
          ev.preventDefault();
          this.env.deleteNote(note.id);
        }
        return;
      case "Escape":
        this.select(undefined);
        return;
      case "c":
      case "C":
        if (note) {
          ev.preventDefault();
          this.clusterMenu(note.id);
        }
        return;
      case "v":
      case "V":
        if (note) {
          ev.preventDefault();
          this.vote(note.id, ev.shiftKey ? -1 : 1);
        }
        return;
      case "m":
      case "M":
      case "ContextMenu":
      case "F10":
        if (note && (ev.key !== "F10" || ev.shiftKey)) {
          ev.preventDefault();
          this.focusToolbar();
        }
        return;
      case "PageDown":
      case "PageUp":
        ev.preventDefault();
        this.focusArea(ev.key === "PageDown" ? 1 : -1);
        return;
      case "+":
      case "=":
        this.zoomBy(1.25);
        return;
      case "-":
        this.zoomBy(0.8);
        return;
      case "0":
        this.fitAll();
        return;
      case "1": case "2": case "3": case "4": case "5": case "6": case "7": case "8": case "9": {
        const area = this.areasInOrder()[Number(ev.key) - 1];
        if (area) {
          ev.preventDefault();
          this.showArea(area.id);
        }
        return;
      }
      case " ":
        if (!ev.repeat) {
          this.spaceDown = true;
          this.el.classList.add("space-pan");
        }
        ev.preventDefault();
        return;
      case "ArrowLeft":
      case "ArrowRight":
      case "ArrowUp":
      case "ArrowDown": {
        ev.preventDefault();
        const step = ev.shiftKey ? 100 : 20;
        const dx = ev.key === "ArrowLeft" ? -step : ev.key === "ArrowRight" ? step : 0;
        const dy = ev.key === "ArrowUp" ? -step : ev.key === "ArrowDown" ? step : 0;
        if (note && !this.env.readOnly() && mayMove(board, self, note)) {
          const pos = { x: (note.position?.x ?? 0) + dx, y: (note.position?.y ?? 0) + dy };
          const areaId = this.areaAt(centre(pos, note));
          this.env.propose(
            { kind: { case: "move", value: { target: { kind: ObjectKind.NOTE, id: note.id }, position: pos, ...(areaId !== note.areaId ? { areaId } : {}) } } },
            { kind: { case: "move", value: { target: { kind: ObjectKind.NOTE, id: note.id }, position: note.position ?? { x: 0, y: 0 }, areaId: note.areaId } } },
          );
        } else {
          this.setCamera(panBy(this.cam, -dx * 2 * this.cam.zoom, -dy * 2 * this.cam.zoom), true);
        }
        return;
      }
      case "Tab":
        return;
      default:
        return;
    }
  }
}

/** Top to bottom in bands of half a note, then left to right. */
function readingOrder(a: Rect, b: Rect): number {
  const band = NOTE_SIDE / 2;
  return Math.floor(a.y / band) - Math.floor(b.y / band) || a.x - b.x || a.y - b.y;
}

/** Makes `wanted` the first children of `parent` in this order, moving only
 *  the elements that are out of place (others stay after them). */
function reorder(parent: HTMLElement, wanted: readonly HTMLElement[]): void {
  wanted.forEach((el, i) => {
    const at = parent.children[i];
    if (at !== el) parent.insertBefore(el, at ?? null);
  });
}

function noteRect(n: Readonly<Note>): Rect {
  return { x: n.position?.x ?? 0, y: n.position?.y ?? 0, width: n.size?.width ?? NOTE_SIDE, height: n.size?.height ?? NOTE_SIDE };
}

function centre(pos: Pt, n: Readonly<Note>): Pt {
  return { x: pos.x + (n.size?.width ?? NOTE_SIDE) / 2, y: pos.y + (n.size?.height ?? NOTE_SIDE) / 2 };
}

function dist(a: Pt, b: Pt): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

function mid(a: Pt, b: Pt): Pt {
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

function dotsSpent(board: BoardView, voterId: string): number {
  const round = openRound(board);
  if (!round) return 0;
  let dots = 0;
  for (const b of board.ballots.values()) if (b.roundId === round.id && b.voterId === voterId) dots += b.dots;
  return dots;
}
