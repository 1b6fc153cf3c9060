// Results for the room: every voting round with its question, and the
// ranking with the count of dots per note (clusters named with their
// notes). Over the board for everyone who opens it (laptops, phones); the
// projector and phones show it by themselves while the facilitator shows
// results to the room. Counts only, never who voted: the model holds what
// the server may send (ballots.md): tallies of a round with live counts,
// the results of closed rounds.
import type { VotingRound } from "../gen/werkstatt/v1/board_pb";
import type { BoardView } from "../state/board-model";
import { button, h, replace } from "./dom";
import type { TextKey } from "./i18n";
import { icon } from "./icons";

export interface RankedItem {
  noteId: string;
  text: string;
  cluster: string;
  dots: number;
  /** The dots are on the cluster itself, not on one of its notes. */
  isCluster: boolean;
}

/** A round's ranking: results when closed, live tallies while open (when
 *  the round shows counts), most dots first; undefined: counts hidden. */
export function ranking(board: BoardView, round: Readonly<VotingRound>): RankedItem[] | undefined {
  let pairs: [string, number][];
  if (!round.open) pairs = round.results.map((r) => [r.noteId, r.dots]);
  else if (round.liveCounts || board.tallies.size > 0) pairs = [...board.tallies].filter(([, d]) => d > 0);
  else return undefined;
  return pairs
    .map(([noteId, dots]) => {
      // A dot on a cluster names the cluster (ids are unique across kinds).
      const own = board.clusters.get(noteId);
      if (own) return { noteId, text: "", cluster: own.title, dots, isCluster: true };
      const n = board.notes.get(noteId);
      const c = n?.clusterId ? board.clusters.get(n.clusterId) : undefined;
      return { noteId, text: n?.text ?? "", cluster: c?.title ?? "", dots, isCluster: false };
    })
    .sort((a, b) => b.dots - a.dots || a.text.localeCompare(b.text));
}

/** How many people voted: known for a closed round, and while a round
 *  with live counts is open; never who. 0: unknown or nobody yet. */
export function voters(board: BoardView, round: Readonly<VotingRound>, countsShown: boolean): number {
  if (!round.open) return round.voters;
  return countsShown && round.liveCounts ? board.openRoundVoters : 0;
}

function votersLine(t: (key: TextKey, params?: Record<string, string | number>) => string, n: number): HTMLElement | null {
  if (n <= 0) return null;
  return h("p", { class: "results-voters", text: n === 1 ? t("resultsVoters_one") : t("resultsVoters", { n }) });
}

export class ResultsView {
  readonly el: HTMLElement;
  private signature = "";

  constructor(
    private readonly t: (key: TextKey, params?: Record<string, string | number>) => string,
    private readonly onClose: () => void,
  ) {
    this.el = h("section", { class: "results-view", attrs: { "aria-labelledby": "results-heading" } });
    this.el.hidden = true;
  }

  render(board: BoardView): void {
    const t = this.t;
    const rounds = [...board.rounds].map((r, i) => ({ r, n: i + 1 })).reverse();
    const signature = JSON.stringify([
      rounds.map(({ r }) => [r.id, r.title, r.open, r.voters, r.results.map((x) => `${x.noteId}:${x.dots}`)]),
      [...board.tallies],
      board.openRoundVoters,
      [...board.notes.values()].filter((n) => !n.deleted).map((n) => `${n.id}:${n.text}:${n.clusterId}`).join("|"),
      [...board.clusters.values()].map((c) => `${c.id}:${c.title}`).join("|"),
      t("results"),
    ]);
    if (signature === this.signature) return;
    this.signature = signature;
    const sections = rounds.map(({ r, n }) => {
      const items = ranking(board, r);
      const max = Math.max(1, ...(items ?? []).map((i) => i.dots));
      const heading = r.title || t("roundN", { n });
      return h(
        "article",
        { class: `results-round${r.open ? " open" : ""}`, data: { round: r.id } },
        h("h3", { class: "results-question" }, h("span", { class: "results-round-n", text: t("roundN", { n }) }), h("span", { text: heading })),
        h("p", { class: "results-status", text: r.open ? t("resultsOpen") : t("resultsClosed") }),
        votersLine(t, voters(board, r, items !== undefined)),
        items === undefined
          ? h("p", { class: "results-hidden", text: t("resultsHidden") })
          : items.length === 0
            ? h("p", { class: "results-hidden", text: t("noResults") })
            : h(
                "ol",
                { class: "results-ranking" },
                ...items.map((item, i) => {
                  const bar = h("span", { class: "results-bar" });
                  bar.style.width = `${Math.round((item.dots / max) * 100)}%`;
                  return h(
                    "li",
                    { class: "results-item" },
                    h("span", { class: "results-rank", text: `${i + 1}.` }),
                    h(
                      "span",
                      { class: "results-text" },
                      item.isCluster
                        ? h("span", { text: t("clusterResult", { title: item.cluster || t("clusterUnnamed") }) })
                        : h("span", { text: item.text || t("emptyNote") }),
                      item.cluster && !item.isCluster ? h("span", { class: "results-cluster", text: item.cluster }) : null,
                      bar,
                    ),
                    h("span", { class: "results-dots", text: item.dots === 1 ? t("dotsOnNote_one") : t("dotsOnNote", { n: item.dots }) }),
                  );
                }),
              ),
      );
    });
    replace(
      this.el,
      h(
        "header",
        { class: "results-head" },
        h("h2", { class: "results-title", attrs: { id: "results-heading" } }, icon("vote", 22), t("results")),
        button(t("backToBoard"), () => this.onClose(), { class: "btn results-close", icon: icon("x", 18), showLabel: true }),
      ),
      rounds.length ? h("div", { class: "results-rounds" }, ...sections) : h("p", { class: "results-hidden", text: t("noRounds") }),
    );
  }
}
