// Texts of "the room" (issue 15): area navigation, placement, tidy, results,
// presence, agenda editing. Kept apart from i18n.ts so that parallel work
// on the other texts does not collide; i18n.ts spreads them into its tables.
// German addresses people formally ("Sie").

export const roomDe = {
  areaNav: "Bereiche",
  showArea: "Bereich „{title}“ zeigen (Taste {n})",
  showAll: "Alles zeigen",
  showAllHint: "Ganzes Board zeigen (Taste 0)",
} as const;

export const roomEn: { readonly [K in keyof typeof roomDe]: string } = {
  areaNav: "Areas",
  showArea: "Show area “{title}” (key {n})",
  showAll: "Show all",
  showAllHint: "Show the whole board (key 0)",
};
