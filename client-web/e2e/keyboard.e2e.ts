// Keyboard only (WCAG 2.1.1): a participant writes, moves between areas and
// notes, clusters ("add to cluster…") and votes without a pointer; the
// facilitator runs the agenda, reveals and opens the vote by keyboard; the
// phone view clusters and votes too. Plus a screen-reader smoke test on
// Chromium's accessibility tree (Playwright's ariaSnapshot): areas are
// regions with lists, notes list items named with author and text.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { note, openBoard, openPanel, settled } from "./board";
import { RESULTS_DIR, createWorkshop, launchBrowser, newPerson, removeDir, screenshot, startServer, waitFor, type RunningServer, type Workshop } from "./harness";

let server: RunningServer;
let browser: Browser;
let workshop: Workshop;
let fac: Page;
let anna: Page;
let phone: Page;
const errors: string[][] = [];

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  workshop = await createWorkshop(server, { title: "Tastatur-Werkstatt" });
  const people = [await newPerson(browser), await newPerson(browser), await newPerson(browser, { phone: true })];
  [fac, anna, phone] = people.map((p) => p.page) as [Page, Page, Page];
  for (const p of people) errors.push(p.errors);
  await openBoard(fac, `${workshop.facilitator_url}&name=Kim`);
  await openBoard(anna, `${workshop.participant_url}&name=Anna`);
  await phone.goto(`${workshop.participant_url}&name=Ben`);
  await phone.locator(".phone-area").first().waitFor();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) removeDir(server.dataDir);
});

/** Presses Enter on a button the way a keyboard user reaches it (focus, not a click). */
async function press(page: Page, name: string | RegExp): Promise<void> {
  const b = page.getByRole("button", { name }).first();
  await b.focus();
  await page.keyboard.press("Enter");
}

/** The accessible name of the focused element. */
const focusedLabel = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute("aria-label") ?? document.activeElement?.textContent ?? "");

async function writeByKeyboard(page: Page, text: string): Promise<void> {
  await page.keyboard.press("n");
  await page.locator(".note.draft textarea").waitFor();
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
  await note(page, text).waitFor();
}

test("a participant writes, moves through the areas, clusters and votes by keyboard only", async () => {
  // Write two notes: N opens the editor in the middle of the view.
  await anna.locator(".board").focus();
  await writeByKeyboard(anna, "Leerstand im Ortskern");
  await anna.keyboard.press("Escape");
  await writeByKeyboard(anna, "Läden schließen");
  await settled(anna);
  // Arrow keys move the new (selected) note away from the first one.
  for (let i = 0; i < 3; i++) await anna.keyboard.press("Shift+ArrowDown");
  await settled(anna);

  // Tab order follows the board: the notes' DOM order is area by area.
  const order = await anna.evaluate(() =>
    [...document.querySelectorAll(".board .area-group")].map((g) => ({ area: g.getAttribute("aria-label"), notes: [...g.querySelectorAll(".note[data-note]")].length })),
  );
  expect(order.map((o) => o.area).slice(0, 3)).toEqual(["Herausforderungen", "Chancen & Potenziale", "Lösungsansätze"]);
  // Page Down / Page Up go from area to area.
  await note(anna, "Leerstand im Ortskern").focus();
  const startArea = await anna.evaluate(() => document.activeElement?.closest(".area-group")?.getAttribute("aria-label"));
  await anna.keyboard.press("PageDown");
  await anna.keyboard.press("PageUp");
  expect(await anna.evaluate(() => document.activeElement?.closest(".area-group")?.getAttribute("aria-label"))).toBe(startArea);

  // Cluster: C on a note opens "add to cluster…"; Enter picks the first choice.
  await note(anna, "Läden schließen").focus();
  expect(await focusedLabel(anna)).toContain("Karte von Anna: Läden schließen");
  await anna.keyboard.press("c");
  const dialog = anna.locator("dialog.dialog-choose");
  await dialog.waitFor();
  expect(await dialog.locator(".choose-item").first().textContent()).toContain("Neuer Cluster mit „Leerstand im Ortskern“");
  await anna.keyboard.press("Enter");
  await anna.locator(".board .cluster").waitFor();
  await settled(anna);
  await waitFor(async () => (await note(anna, "Läden schließen").getAttribute("aria-label"))?.includes("im Cluster") ?? false, 10_000, "the cluster in the note's name");
  // The focus came back to the note.
  expect(await focusedLabel(anna)).toContain("Läden schließen");
  await note(fac, "Läden schließen").waitFor();
  await fac.locator(".board .cluster").waitFor();
  await screenshot(anna, "keyboard-cluster");

  // The note's menu by keyboard (M), Escape back to the note.
  await anna.keyboard.press("m");
  expect(await anna.evaluate(() => !!document.activeElement?.closest(".note-toolbar"))).toBe(true);
  await anna.keyboard.press("Escape");
  expect(await focusedLabel(anna)).toContain("Läden schließen");

  // The facilitator runs the agenda by keyboard up to the vote and opens a round.
  await openPanel(fac);
  await press(fac, /Ablauf starten: Ankommen/);
  await press(fac, /Nächste Phase: Sammeln/);
  await anna.locator(".tb-phase .chip-private").waitFor();
  // A private note, revealed by keyboard.
  await anna.locator(".board").focus();
  await writeByKeyboard(anna, "Geheimer Vorschlag");
  await settled(anna);
  await fac.locator(".s-privacy .stat", { hasText: "1 unaufgedeckte Karte" }).waitFor();
  await press(fac, "Alle aufdecken");
  await note(fac, "Geheimer Vorschlag").waitFor();
  await press(fac, /Nächste Phase: Vorstellen/);
  await press(fac, /Nächste Phase: Bewerten/);
  await fac.locator("#fp-round-dots").fill("3");
  await press(fac, "Abstimmung starten");
  await anna.locator(".tb-budget, .tb-votes, .topbar", { hasText: "3 von 3 Punkten" }).first().waitFor();

  // V casts a dot on the focused note, Shift+V takes one back.
  await note(anna, "Leerstand im Ortskern").focus();
  await anna.keyboard.press("v");
  await anna.keyboard.press("v");
  await settled(anna);
  await anna.keyboard.press("Shift+V");
  await settled(anna);
  await waitFor(async () => (await note(anna, "Leerstand im Ortskern").getAttribute("aria-label"))?.includes("Ihre Punkte: 1") ?? false, 10_000, "one dot on the note");
  await anna.locator(".topbar", { hasText: "2 von 3 Punkten" }).waitFor();
  // The toolbar's vote buttons are at least 24 × 24 px whatever the zoom.
  const plus = anna.locator('.note-toolbar [data-key="tb-cast"]');
  await plus.waitFor();
  const box = await plus.boundingBox();
  expect(box && box.width >= 24 && box.height >= 24).toBe(true);
  await screenshot(anna, "keyboard-vote");
  for (const list of errors) expect(list).toEqual([]);
});

test("the phone view clusters and votes", async () => {
  // Voting is open (previous test): big buttons on every card.
  const card = phone.locator(".phone-card", { hasText: "Geheimer Vorschlag" });
  await card.getByRole("button", { name: "Punkt vergeben" }).focus();
  await phone.keyboard.press("Enter");
  await settled(phone);
  await card.locator('.phone-dots[aria-label="Ihre Punkte: 1"]').waitFor();
  // Clustering needs a cluster phase: the facilitator goes back one phase.
  await openPanel(fac);
  await press(fac, /Zu „Vorstellen & Clustern“ wechseln/);
  const clusterButton = card.getByRole("button", { name: "Zu Cluster hinzufügen …" });
  await clusterButton.waitFor();
  await clusterButton.focus();
  await phone.keyboard.press("Enter");
  const dialog = phone.locator("dialog.dialog-choose");
  await dialog.waitFor();
  await dialog.locator(".choose-item").first().waitFor();
  await phone.keyboard.press("Enter");
  await settled(phone);
  await phone.locator(".phone-cluster", { hasText: "Geheimer Vorschlag" }).waitFor();
  await screenshot(phone, "keyboard-phone-cluster");
  for (const list of errors) expect(list).toEqual([]);
});

test("screen-reader smoke test: the accessibility tree names areas, notes, clusters and the live regions", async () => {
  const tree = await anna.locator(".board").ariaSnapshot();
  expect(tree).toMatch(/region "Herausforderungen"/);
  expect(tree).toMatch(/listitem "Karte von Anna im Cluster „[^"]*“: Läden schließen/);
  // (The phone put it into a cluster in the previous test.)
  expect(tree).toMatch(/listitem "Karte von Anna( im Cluster „[^"]*“)?: Geheimer Vorschlag/);
  expect(tree).toMatch(/region "[^"]+":\s*\n\s*- list/);
  writeFileSync(join(RESULTS_DIR, "aria-snapshot-board.yml"), tree);
  const top = await anna.locator(".topbar").ariaSnapshot();
  expect(top).toContain("Vorstellen & Clustern");
  // New notes and phase changes reach screen readers through live regions.
  const live = await anna.evaluate(() => [...document.querySelectorAll("[aria-live]")].map((e) => e.getAttribute("aria-live")));
  expect(live).toContain("polite");
  // The keyboard help lists every shortcut.
  await anna.locator(".board").focus();
  await anna.keyboard.press("?");
  const help = anna.locator("dialog", { hasText: "Tastenkürzel" });
  await help.waitFor();
  expect(await help.ariaSnapshot()).toMatch(/C: zu Cluster hinzufügen/);
  await anna.keyboard.press("Escape");
  await help.waitFor({ state: "detached" });
  for (const list of errors) expect(list).toEqual([]);
});
