// The board on a narrow screen: each area is a list of cards with a large
// "add note" button; voting happens with big buttons on each card. No
// pan/zoom: people with phones write and vote, the projector shows the board.
import { Color, ObjectKind, type Cluster, type Note } from "../gen/werkstatt/v1/board_pb";
import { clusterMembers, dotsOf, dotsOn, hiddenCountIn, openRound, ownDotsOn, type BoardView } from "../state/board-model";
import { randomId } from "../state/ids";
import { mayCluster, mayCreateIn, mayDelete, mayEdit, mayVoteOn, mayVoteOnCluster } from "../state/permissions";
import { clusterChoices, clusterOps } from "./clustering";
import { chooseDialog } from "./overlays";
import { legalLinks } from "../legal/legal";
import type { AppContext } from "./context";
import { button, h, replace } from "./dom";
import type { TextKey } from "./i18n";
import { icon } from "./icons";
import { freeSlot, NEW_NOTE_SIDE } from "./placement";
import { PALETTE } from "./board-canvas";

export class PhoneBoard {
  readonly el: HTMLElement;
  private readonly list: HTMLElement;
  private signature = "";
  private color: Color = Color.YELLOW;
  private sheet: HTMLElement | undefined;

  constructor(private readonly ctx: AppContext) {
    this.list = h("div", { class: "phone-list" });
    this.el = h("div", { class: "phone-board" }, this.list, legalLinks(ctx.lang));
  }

  render(): void {
    const ctx = this.ctx;
    const board = ctx.board();
    const self = ctx.selfId();
    const round = openRound(board);
    const sig = [
      board.seq, board.notes.size, [...board.notes.values()].map((n) => `${n.id}${n.updatedSeq}${n.text.length}${n.color}${n.hidden}${n.deleted}${n.clusterId}${n.areaId}`).join(""),
      [...board.areas.values()].map((a) => `${a.id}${a.title}${a.locked}${a.deleted}`).join(""), board.hiddenNotes.map((x) => `${x.authorId}${x.areaId}${x.count}`).join(""),
      [...board.tallies].join(), [...board.ballots.keys()].join(), round?.id, board.settings.locked, board.closed, board.agenda.currentPhaseId, ctx.lang.current, ctx.role(),
      [...board.clusters.values()].map((c) => `${c.id}${c.title}${c.deleted}`).join(""),
    ].join("|");
    if (sig === this.signature) return;
    this.signature = sig;
    const t = ctx.t;
    const focusKey = document.activeElement instanceof HTMLElement && this.list.contains(document.activeElement) ? document.activeElement.dataset.key : undefined;
    const areas = [...board.areas.values()].filter((a) => !a.deleted && a.rect).sort((a, b) => (a.rect?.y ?? 0) - (b.rect?.y ?? 0) || (a.rect?.x ?? 0) - (b.rect?.x ?? 0));
    const sections: HTMLElement[] = [];
    if (round && mayVoteOnAny(board, self)) {
      const left = round.dotsPerParticipant - dotsOf(board, self);
      sections.push(h("div", { class: `phone-budget${left === 0 ? " empty" : ""}` }, icon("vote", 18), h("strong", { text: round.title }), h("span", { text: t("dotsLeft", { n: left, m: round.dotsPerParticipant }) })));
    }
    for (const area of areas) sections.push(this.section(board, area.id, area.title, area.color, area.locked));
    const loose = [...board.notes.values()].some((n) => !n.deleted && (n.areaId === "" || !board.areas.get(n.areaId) || board.areas.get(n.areaId)?.deleted));
    if (loose || areas.length === 0) sections.push(this.section(board, "", t("onBoard"), Color.GREY, false));
    replace(this.list, ...sections);
    if (focusKey) this.list.querySelector<HTMLElement>(`[data-key="${CSS.escape(focusKey)}"]`)?.focus();
  }

  private section(board: BoardView, areaId: string, title: string, color: Color, locked: boolean): HTMLElement {
    const ctx = this.ctx;
    const t = ctx.t;
    const self = ctx.selfId();
    const inArea = (n: Readonly<Note>) => (areaId === "" ? n.areaId === "" || !board.areas.get(n.areaId) || !!board.areas.get(n.areaId)?.deleted : n.areaId === areaId);
    const notes = [...board.notes.values()].filter((n) => !n.deleted && inArea(n));
    // Clustered notes together under their cluster's title, clusters first.
    const clusters = new Map<string, Readonly<Note>[]>();
    const single: Readonly<Note>[] = [];
    for (const n of notes) {
      const c = n.clusterId ? board.clusters.get(n.clusterId) : undefined;
      if (c && !c.deleted) clusters.set(c.id, [...(clusters.get(c.id) ?? []), n]);
      else single.push(n);
    }
    const bySeq = (a: Readonly<Note>, b: Readonly<Note>) => (a.createdSeq === 0n ? 1 : b.createdSeq === 0n ? -1 : Number(a.createdSeq - b.createdSeq));
    const items: HTMLElement[] = [];
    for (const [clusterId] of clusters) {
      const c = board.clusters.get(clusterId);
      const members = clusterMembers(board, clusterId).filter(inArea).sort(bySeq);
      items.push(h("li", { class: "phone-cluster" }, h("h3", { class: "phone-cluster-title" }, icon("group", 14), c?.title || t("cluster")), c ? this.clusterVote(board, c) : null, h("ul", { class: "phone-cards" }, ...members.map((n) => this.card(board, n)))));
    }
    for (const n of single.sort(bySeq)) items.push(this.card(board, n));
    const hidden = hiddenCountIn(board, areaId);
    const canAdd = !ctx.readOnly() && mayCreateIn(board, self, areaId);
    return h(
      "section",
      { class: `phone-area c-${color}`, attrs: { "aria-label": title } },
      h("header", { class: "phone-area-head" },
        h("h2", { text: title }),
        locked ? h("span", { class: "chip chip-lock small" }, icon("lock", 12), t("areaLocked")) : null,
        hidden > 0 ? h("span", { class: "chip chip-private small" }, icon("eyeOff", 12), t("privateNotes", { n: hidden })) : null),
      items.length ? h("ul", { class: "phone-cards" }, ...items) : h("p", { class: "muted phone-empty", text: t("emptyArea") }),
      canAdd
        ? h("button", {
            class: "btn btn-primary btn-add",
            attrs: { type: "button", "aria-label": t("addNoteTo", { area: title }) },
            data: { key: `add-${areaId}` },
            on: { click: () => this.compose(areaId, title, undefined) },
          }, icon("plus", 20), h("span", { class: "label", text: t("addNote") }))
        : null,
    );
  }

  private card(board: BoardView, n: Readonly<Note>): HTMLElement {
    const ctx = this.ctx;
    const t = ctx.t;
    const self = ctx.selfId();
    const round = openRound(board);
    const author = n.authorId === "" ? t("carriedOver") : ctx.name(n.authorId);
    const mine = round ? ownDotsOn(board, self, n.id) : 0;
    const total = dotsOn(board, n.id);
    const votable = !ctx.readOnly() && mayVoteOn(board, self, n);
    const left = round ? round.dotsPerParticipant - dotsOf(board, self) : 0;
    const clusterable = !ctx.readOnly() && mayCluster(board, self, n);
    const editable = !ctx.readOnly() && (mayEdit(board, self, n) || mayDelete(board, self, n) || clusterable);
    const foot: (HTMLElement | null)[] = [h("span", { class: "note-author", text: author })];
    if (n.hidden) foot.push(h("span", { class: "badge badge-private" }, icon("eyeOff", 12), n.authorId === self ? t("onlyYou") : t("stillPrivate")));
    const card = h(
      "li",
      { class: `phone-card note c-${n.color}${n.createdSeq === 0n ? " pending" : ""}${n.hidden ? " private" : ""}`, data: { note: n.id } },
      h("p", { class: "note-text", text: n.text || t("emptyNote") }),
      h("div", { class: "note-foot" }, ...foot),
    );
    if (round && (votable || mine > 0 || board.tallies.size > 0)) {
      card.appendChild(
        h("div", { class: "phone-vote" },
          votable ? button(t("retractVote"), () => ctx.propose({ kind: { case: "retractVote", value: { noteId: n.id } } }), { class: "btn vote-big", icon: icon("minus", 20), attrs: { disabled: mine === 0 }, data: { key: `minus-${n.id}` } }) : null,
          h("span", { class: "phone-dots", attrs: { role: "img", "aria-label": t("yourDots", { n: mine }) } }, ...Array.from({ length: mine }, () => h("span", { class: "dot" })), mine === 0 ? h("span", { class: "muted", text: "0" }) : null),
          votable ? button(t("castVote"), () => ctx.propose({ kind: { case: "castVote", value: { noteId: n.id } } }), { class: "btn vote-big vote-plus", icon: icon("plus", 20), attrs: { disabled: mine >= round.maxDotsPerNote || left <= 0 }, data: { key: `plus-${n.id}` } }) : null,
          board.tallies.size > 0 ? h("span", { class: "tally", attrs: { title: t("dotsOnNote", { n: total }) } }, icon("vote", 12), String(total)) : null),
      );
    }
    if (editable) {
      card.appendChild(
        h("div", { class: "phone-card-actions" },
          mayEdit(board, self, n) ? button(t("editNote"), () => this.compose(n.areaId, "", n), { class: "btn btn-quiet", icon: icon("edit", 16), data: { key: `edit-${n.id}` } }) : null,
          mayDelete(board, self, n) ? button(t("deleteNote"), () => ctx.deleteNote(n.id), { class: "btn btn-quiet", icon: icon("trash", 16), data: { key: `del-${n.id}` } }) : null,
          clusterable ? button(t("addToCluster"), () => this.clusterMenu(n.id), { class: "btn btn-quiet", icon: icon("group", 16), data: { key: `cluster-${n.id}` } }) : null,
          clusterable && !n.hidden && ctx.mergeDuplicate ? button(t("mergeDuplicate"), () => ctx.mergeDuplicate?.(n.id), { class: "btn btn-quiet", icon: icon("merge", 16), data: { key: `merge-${n.id}` } }) : null,
          clusterable && n.clusterId
            ? button(t("removeFromCluster"), () => ctx.propose({ kind: { case: "removeFromCluster", value: { noteId: n.id } } }, { kind: { case: "addToCluster", value: { clusterId: n.clusterId, noteId: n.id } } }), { class: "btn btn-quiet", icon: icon("ungroup", 16), data: { key: `uncluster-${n.id}` } })
            : null),
      );
    }
    return card;
  }

  /** Big vote buttons for a dot on the cluster itself, during a round. */
  private clusterVote(board: BoardView, c: Readonly<Cluster>): HTMLElement | null {
    const ctx = this.ctx;
    const t = ctx.t;
    const self = ctx.selfId();
    const round = openRound(board);
    if (!round) return null;
    const votable = !ctx.readOnly() && mayVoteOnCluster(board, self, c);
    const mine = ownDotsOn(board, self, c.id);
    if (!votable && mine === 0 && board.tallies.size === 0) return null;
    const left = round.dotsPerParticipant - dotsOf(board, self);
    const title = c.title || t("clusterUnnamed");
    return h("div", { class: "phone-vote phone-cluster-vote" },
      votable ? button(t("retractVoteCluster", { title }), () => ctx.propose({ kind: { case: "retractVote", value: { clusterId: c.id } } }), { class: "btn vote-big", icon: icon("minus", 20), attrs: { disabled: mine === 0 }, data: { key: `cminus-${c.id}` } }) : null,
      h("span", { class: "phone-dots", attrs: { role: "img", "aria-label": t("yourDots", { n: mine }) } }, ...Array.from({ length: mine }, () => h("span", { class: "dot" })), mine === 0 ? h("span", { class: "muted", text: "0" }) : null),
      votable ? button(t("castVoteCluster", { title }), () => ctx.propose({ kind: { case: "castVote", value: { clusterId: c.id } } }), { class: "btn vote-big vote-plus", icon: icon("plus", 20), attrs: { disabled: mine >= round.maxDotsPerNote || left <= 0 }, data: { key: `cplus-${c.id}` } }) : null,
      board.tallies.size > 0 ? h("span", { class: "tally", attrs: { title: t("dotsOnNote", { n: dotsOn(board, c.id) }) } }, icon("vote", 12), String(dotsOn(board, c.id))) : null);
  }

  /** "Add to cluster…" (the same choices and ops as on the board). */
  private clusterMenu(noteId: string): void {
    const ctx = this.ctx;
    const t = ctx.t;
    const board = ctx.board();
    const note = board.notes.get(noteId);
    if (!note) return;
    const choices = clusterChoices(board, ctx.selfId(), note, {
      cluster: (title, count) => t("clusterChoice", { title: title || t("clusterPlaceholder"), count: t("clusterCount", { n: count }) }),
      withNote: (text, author) => t("newClusterWith", { text: text || t("emptyNote"), author }),
      name: (id) => ctx.name(id),
    });
    void chooseDialog(t("addToCluster"), choices.map((c) => c.label), { cancel: t("cancel"), empty: t("noClusterChoice") }).then((i) => {
      const choice = i === undefined ? undefined : choices[i];
      const current = ctx.board().notes.get(noteId);
      if (choice && current) for (const { op, undo } of clusterOps(ctx.board(), current, choice.target)) ctx.propose(op, undo);
      this.list.querySelector<HTMLElement>(`[data-key="cluster-${CSS.escape(noteId)}"]`)?.focus();
    });
  }

  /** The bottom sheet for writing a new note (or editing `note`). */
  private compose(areaId: string, areaTitle: string, note: Readonly<Note> | undefined): void {
    const ctx = this.ctx;
    const t = ctx.t;
    this.sheet?.remove();
    const text = h("textarea", { class: "input sheet-text", attrs: { maxlength: 500, rows: 4, placeholder: t("notePlaceholder"), "aria-label": note ? t("editNote") : t("newNote") } });
    text.value = note?.text ?? "";
    let color = note?.color ?? this.color;
    const swatches = h("div", { class: "swatches", attrs: { role: "radiogroup", "aria-label": t("noteColor") } });
    const paint = () => {
      for (const b of swatches.querySelectorAll<HTMLElement>(".swatch")) b.setAttribute("aria-checked", b.dataset.color === String(color) ? "true" : "false");
      sheet.className = `sheet c-${color}`;
    };
    for (const c of PALETTE) {
      swatches.appendChild(h("button", { class: `swatch c-${c}`, data: { color: String(c) }, attrs: { type: "button", role: "radio", "aria-label": t(`color_${c}` as TextKey), title: t(`color_${c}` as TextKey) }, on: { click: () => ((color = c), paint()) } }));
    }
    let wrap: HTMLElement | undefined;
    const close = () => {
      wrap?.remove();
      this.sheet = undefined;
    };
    const save = () => {
      const value = text.value.trim();
      if (note) {
        const mask: number[] = [];
        if (value !== note.text) mask.push(1);
        if (color !== note.color) mask.push(2);
        if (mask.length) ctx.propose({ kind: { case: "updateNote", value: { id: note.id, mask, text: value, color } } }, { kind: { case: "updateNote", value: { id: note.id, mask, text: note.text, color: note.color } } });
      } else if (value) {
        this.color = color;
        const id = randomId();
        ctx.propose({ kind: { case: "createNote", value: { id, text: value, color, areaId, position: freeSlot(ctx.board(), areaId), size: { width: NEW_NOTE_SIDE, height: NEW_NOTE_SIDE } } } }, { kind: { case: "delete", value: { target: { kind: ObjectKind.NOTE, id } } } });
      }
      close();
    };
    const sheet = h(
      "form",
      { class: "sheet", attrs: { role: "dialog", "aria-modal": "true", "aria-label": note ? t("editNote") : t("addNoteTo", { area: areaTitle }) } },
      h("h2", { class: "sheet-title", text: note ? t("editNote") : t("addNoteTo", { area: areaTitle }) }),
      text,
      swatches,
      h("div", { class: "sheet-actions" }, button(t("cancel"), close, { class: "btn" }), h("button", { class: "btn btn-primary", attrs: { type: "submit" }, text: t("save") })),
    );
    sheet.addEventListener("submit", (ev) => (ev.preventDefault(), save()));
    sheet.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape") close();
    });
    paint();
    wrap = h("div", { class: "sheet-wrap" }, h("div", { class: "sheet-backdrop", on: { click: close } }), sheet);
    this.sheet = wrap;
    document.body.appendChild(wrap);
    text.focus();
  }
}

function mayVoteOnAny(board: BoardView, self: string): boolean {
  for (const n of board.notes.values()) if (mayVoteOn(board, self, n)) return true;
  return false;
}
