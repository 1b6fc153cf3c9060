// Texts of "the room" (issue 15): area navigation, placement, tidy, results,
// presence, agenda editing. Kept apart from i18n.ts so that parallel work
// on the other texts does not collide; i18n.ts spreads them into its tables.
// German addresses people formally ("Sie").

export const roomDe = {
  areaNav: "Bereiche",
  showArea: "Bereich „{title}“ zeigen (Taste {n})",
  showAll: "Alles zeigen",
  showAllHint: "Ganzes Board zeigen (Taste 0)",
  hideCursors: "Mauszeiger der anderen ausblenden",
  dropToCluster: "Loslassen: Cluster bilden",
  dropToAdd: "Loslassen: zum Cluster hinzufügen",
  chooseArea: "In welchen Bereich?",
  addNoteIn: "Karte in „{title}“",
  sortSection: "Ordnen",
  tidyArea: "Bereich „{title}“ aufräumen",
  tidyBoard: "Ganzes Board aufräumen",
  tidyHint: "Legt die Karten jedes Bereichs in ein Raster; Cluster bleiben zusammen. Rückgängig mit Strg+Z.",
  tidied: "{n} Karten neu angeordnet",
  revealSpread: "{n} aufgedeckte Karten lagen übereinander und wurden verteilt",
} as const;

export const roomEn: { readonly [K in keyof typeof roomDe]: string } = {
  areaNav: "Areas",
  showArea: "Show area “{title}” (key {n})",
  showAll: "Show all",
  showAllHint: "Show the whole board (key 0)",
  hideCursors: "Hide the others' cursors",
  dropToCluster: "Release: make a cluster",
  dropToAdd: "Release: add to the cluster",
  chooseArea: "Which area?",
  addNoteIn: "Note in “{title}”",
  sortSection: "Sort",
  tidyArea: "Tidy area “{title}”",
  tidyBoard: "Tidy the whole board",
  tidyHint: "Lays out each area's notes in a grid; clusters stay together. Undo with Ctrl+Z.",
  tidied: "{n} notes rearranged",
  revealSpread: "{n} revealed notes lay on top of others and were spread out",
};
