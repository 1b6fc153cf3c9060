// Accessibility (BITV 2.0 / WCAG 2.1 AA): axe-core on every view and state
// a person meets — join pages, the board in each phase kind (participant and
// phone), the facilitator panel with each section in use, results, the
// projector, the closed workshop, the replay, English — with 0 critical and
// 0 serious violations asserted. One server, one browser and the same pages
// walk through the whole agenda, so the scans add little run time. The
// counts per view go to test-results/axe-figures.json.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { blocking, scan, writeFigures } from "./axe";
import { addNote, dropNoteOn, note, openBoard, openPanel, settled, showAll } from "./board";
import { createWorkshop, launchBrowser, newPerson, removeDir, screenshot, startServer, type RunningServer, type Workshop } from "./harness";

let server: RunningServer;
let browser: Browser;
let workshop: Workshop;
let problems: Record<string, string[]> = {};
const pageErrors: string[][] = [];

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  workshop = await createWorkshop(server, { title: "Barrierefreie Werkstatt" });
});

beforeEach(() => {
  problems = {};
});

afterAll(async () => {
  const figures = writeFigures();
  // The table in the log is what the closing note quotes.
  for (const [view, f] of Object.entries(figures)) console.log(`axe ${view}: critical ${f.critical}, serious ${f.serious}, moderate ${f.moderate}, minor ${f.minor}`);
  await browser?.close();
  await server?.stop();
  if (server) removeDir(server.dataDir);
});

/** Scans and remembers the blocking violations; each test asserts at its
 *  end, so one run records the figures of every view. */
async function check(page: Page, view: string): Promise<void> {
  const found = blocking(await scan(page, view));
  if (found.length) problems[view] = found;
}

function assertClean(): void {
  expect(problems).toEqual({});
  for (const list of pageErrors) expect(list).toEqual([]);
}

async function person(options: { phone?: boolean; locale?: string } = {}) {
  const p = await newPerson(browser, options);
  pageErrors.push(p.errors);
  return p.page;
}

test("join pages", async () => {
  const home = await person();
  await home.goto(`${server.url}/`);
  await home.locator(".join-card").waitFor();
  await check(home, "join: home (code)");
  await home.locator("input").first().fill("ZZZZZZ");
  await home.keyboard.press("Enter");
  await home.locator(".join-card [role=alert], .join-card .error, .join-error").first().waitFor({ timeout: 5000 }).catch(() => undefined);
  await check(home, "join: unknown code");

  await home.goto(`${server.url}/w/${workshop.id}`);
  await home.locator(".join-workshop", { hasText: "Barrierefreie" }).waitFor();
  await check(home, "join: workshop (name + code)");

  const named = await person();
  await named.goto(workshop.participant_url);
  await named.locator(".join-card").waitFor();
  await check(named, "join: name only");
  await screenshot(named, "a11y-join-name");
  assertClean();
});

test("board, phone and facilitator panel through every phase kind", async () => {
  const fac = await person();
  const anna = await person();
  const phone = await person({ phone: true });
  for (const p of [fac, anna, phone]) p.on("dialog", (d) => void d.accept());
  await openBoard(fac, `${workshop.facilitator_url}&name=Moderation%20Kim`);
  await openBoard(anna, `${workshop.participant_url}&name=Anna%20Berger`);
  await phone.goto(`${workshop.participant_url}&name=Ben%20Okafor`);
  await phone.locator(".phone-area").first().waitFor();

  // Open board (before the agenda starts).
  await addNote(anna, "Herausforderungen", "Leerstand in den Ortskernen", { x: 0.1, y: 0.12 });
  await addNote(anna, "Herausforderungen", "Pendelverkehr ins Oberzentrum", { x: 0.5, y: 0.12 });
  await addNote(anna, "Chancen", "Hochschule als Innovationsmotor", { x: 0.1, y: 0.12 });
  await settled(anna);
  await showAll(anna);
  await check(anna, "board: open board");
  await note(anna, "Leerstand in den Ortskernen").click();
  await anna.locator(".note-toolbar, .toolbar").first().waitFor({ timeout: 3000 }).catch(() => undefined);
  await check(anna, "board: note selected (toolbar)");
  await anna.keyboard.press("Escape");
  await check(phone, "phone: open board");
  await openPanel(fac);
  // The organiser sees when the server will erase the workshop (retention).
  await fac.locator(".retention", { hasText: "90 Tage nach der letzten Aktivität" }).waitFor();
  await check(fac, "panel: open board");

  // Check-in.
  await fac.getByRole("button", { name: /Ablauf starten: Ankommen/ }).click();
  await anna.locator(".tb-phase", { hasText: "Ankommen" }).waitFor();
  await check(anna, "board: check-in");
  await check(fac, "panel: check-in");

  // Collect, private.
  await fac.getByRole("button", { name: /Nächste Phase: Sammeln/ }).click();
  await anna.locator(".tb-phase .chip-private").waitFor();
  await addNote(anna, "Lösungsansätze", "Rufbus für die Dörfer", { x: 0.1, y: 0.12 });
  await settled(anna);
  await showAll(anna);
  await phone.locator(".phone-area").first().waitFor();
  await fac.locator(".s-privacy .stat").first().waitFor();
  await check(anna, "board: collect (private, author)");
  await check(phone, "phone: collect (private)");
  await check(fac, "panel: collect (private, hidden counts)");
  await screenshot(anna, "a11y-collect");
  await fac.getByRole("button", { name: "Alle aufdecken" }).click();
  await note(fac, "Rufbus für die Dörfer").waitFor();

  // Cluster.
  await fac.getByRole("button", { name: /Nächste Phase: Vorstellen/ }).click();
  await anna.locator(".tb-phase", { hasText: "Clustern" }).waitFor();
  await dropNoteOn(anna, "Pendelverkehr ins Oberzentrum", "Leerstand in den Ortskernen");
  await settled(anna);
  await anna.locator(".board .cluster").first().waitFor();
  await check(anna, "board: cluster");
  await check(phone, "phone: cluster");
  await check(fac, "panel: cluster");

  // Vote.
  await fac.getByRole("button", { name: /Nächste Phase: Bewerten/ }).click();
  await anna.locator(".tb-phase", { hasText: "Bewerten" }).waitFor();
  await fac.locator("#fp-round-dots").fill("3");
  await fac.getByRole("button", { name: "Abstimmung starten" }).click();
  await phone.locator(".phone-budget").waitFor();
  await phone.getByRole("button", { name: "Punkt vergeben" }).first().click();
  await settled(phone);
  await check(anna, "board: vote (round open)");
  await check(phone, "phone: vote (round open)");
  await check(fac, "panel: vote (round open, live counts)");
  await screenshot(phone, "a11y-phone-vote");
  await fac.getByRole("button", { name: "Abstimmung beenden" }).click();
  await fac.locator(".s-voting", { hasText: "Runde 1" }).waitFor();
  await check(fac, "panel: results");
  await check(anna, "board: vote (results)");

  // Discuss, with a raised hand and the timer running.
  await fac.getByRole("button", { name: /Nächste Phase: Diskutieren/ }).click();
  await anna.locator(".tb-phase", { hasText: "Diskutieren" }).waitFor();
  await anna.getByRole("button", { name: "Hand heben" }).click();
  await fac.locator(".tb-hand").waitFor();
  await check(anna, "board: discuss");
  await check(fac, "panel: discuss (hand raised)");

  // Close phase, then the workshop closed.
  await fac.getByRole("button", { name: /Nächste Phase: Abschluss/ }).click();
  await anna.locator(".tb-phase", { hasText: "Abschluss" }).waitFor();
  await check(anna, "board: close phase");
  await check(phone, "phone: close phase");

  await fac.getByRole("button", { name: "Für die Leinwand zeigen" }).click();
  await fac.locator(".projector").waitFor();
  await check(fac, "projector");
  await fac.keyboard.press("Escape");

  await fac.getByRole("button", { name: "Workshop beenden" }).click();
  await fac.locator("dialog.dialog").waitFor();
  await check(fac, "panel: confirm dialog");
  await fac.locator("dialog.dialog .btn-danger").click();
  await anna.locator(".tb-phase, .topbar", { hasText: "beendet" }).first().waitFor();
  await check(anna, "board: workshop closed");
  await fac.locator(".retention", { hasText: "90 Tage nach dem Schließen" }).waitFor();
  await check(fac, "panel: workshop closed");

  // English.
  await anna.getByRole("button", { name: /Switch to English/ }).click();
  await anna.locator(".tb-phase, .topbar", { hasText: /closed/i }).first().waitFor();
  await check(anna, "board: English");
  assertClean();
});

test("replay", async () => {
  const page = await person();
  await page.goto(`${server.url}/replay/${workshop.id}#t=${encodeURIComponent(workshop.facilitator_token)}`);
  await page.locator(".marker-phase", { hasText: "Sammeln" }).waitFor({ timeout: 15_000 });
  await note(page, "Rufbus für die Dörfer").waitFor();
  await check(page, "replay: end");
  await page.locator(".marker-phase", { hasText: "Sammeln" }).click();
  await note(page, "Rufbus für die Dörfer").waitFor({ state: "detached" });
  await check(page, "replay: at a phase marker");
  await screenshot(page, "a11y-replay");
  assertClean();
});

// DSGVO Art. 15 and 17 from the people list: the facilitator downloads what
// the server holds about a person, then erases them. Their name becomes the
// pseudonym on every page (the journal's EraseParticipant), their own page
// ends at the final error screen, and the confirm dialog passes axe.
test("people list: export and erase a person (DSGVO)", async () => {
  const own = await createWorkshop(server, { title: "Löschwerkstatt" });
  const fac = await person();
  const clara = await person();
  const dana = await person();
  await openBoard(fac, `${own.facilitator_url}&name=Moderation%20Kim`);
  await openBoard(clara, `${own.participant_url}&name=Clara%20Vogt`);
  await openBoard(dana, `${own.participant_url}&name=Dana%20Roth`);
  await addNote(clara, "Herausforderungen", "Schulweg ohne Radweg", { x: 0.1, y: 0.12 });
  await settled(clara);
  await note(dana, "Schulweg ohne Radweg").locator(".note-author", { hasText: "Clara Vogt" }).waitFor();
  await openPanel(fac);

  // No export or erase buttons for oneself.
  const people = fac.locator(".s-people .person-row");
  await people.filter({ hasText: "Clara Vogt" }).waitFor();
  expect(await people.filter({ hasText: "Moderation Kim" }).getByRole("button", { name: /Daten exportieren|Person löschen/ }).count()).toBe(0);

  // Export (Art. 15): the JSON holds Clara's note text.
  const exportButton = fac.getByRole("button", { name: "Daten exportieren: Clara Vogt" });
  await exportButton.waitFor({ timeout: 10_000 });
  const [download] = await Promise.all([fac.waitForEvent("download"), exportButton.click()]);
  const path = await download.path();
  const exported = readFileSync(path, "utf8");
  expect(JSON.parse(exported)).toBeTruthy();
  expect(exported).toContain("Schulweg ohne Radweg");
  expect(exported).toContain("Clara Vogt");

  // Erase (Art. 17), by keyboard: the dialog says what happens; axe on it.
  const eraseButton = fac.getByRole("button", { name: "Person löschen (DSGVO): Clara Vogt" });
  const box = await eraseButton.boundingBox();
  expect(box!.width).toBeGreaterThanOrEqual(24);
  expect(box!.height).toBeGreaterThanOrEqual(24);
  await eraseButton.focus();
  await fac.keyboard.press("Enter");
  const dialog = fac.getByRole("dialog", { name: /Clara Vogt auf Anfrage löschen/ });
  await dialog.waitFor();
  for (const text of [/Pseudonym ersetzt, auch im Verlauf/, /nicht mehr beitreten/, /Karten der Person bleiben/, /nicht rückgängig/]) await dialog.getByText(text).waitFor();
  await check(fac, "panel: erase person (confirm dialog)");
  await screenshot(fac, "a11y-erase-dialog");
  await dialog.getByRole("button", { name: "Endgültig löschen" }).click();

  // Every page shows the pseudonym; Clara's page ends.
  await fac.locator(".toast", { hasText: /Clara Vogt wurde gelöscht\. Neuer Name: / }).waitFor({ timeout: 60_000 });
  const pseudonym = /Neuer Name: (.+)\.$/.exec((await fac.locator(".toast", { hasText: "Neuer Name" }).first().innerText()).trim())?.[1];
  expect(pseudonym).toBeTruthy();
  expect(pseudonym).not.toContain("Clara");
  await note(dana, "Schulweg ohne Radweg").locator(".note-author", { hasText: pseudonym! }).waitFor();
  expect(await dana.locator(".board", { hasText: "Clara Vogt" }).count()).toBe(0);
  await people.filter({ hasText: pseudonym! }).filter({ hasText: "gelöscht (DSGVO)" }).waitFor();
  expect(await people.filter({ hasText: "Clara Vogt" }).count()).toBe(0);
  await clara.locator(".blocker-card", { hasText: "auf Anfrage gelöscht" }).waitFor({ timeout: 15_000 });
  await check(fac, "panel: person erased");
  await check(clara, "board: erased person (final screen)");
  assertClean();
});

// Running the session (issue 15): the agenda editor, the instructions at
// the top of a participant's screen (laptop and phone), the phase notes, the
// merge dialogs, the projector's join screen and the organiser page.
test("agenda editor, instructions, phase notes, merge, projector join screen, organiser page", async () => {
  const own = await createWorkshop(server, { title: "Ablauf barrierefrei" });
  const fac = await person();
  const anna = await person();
  const phone = await person({ phone: true });
  await openBoard(fac, `${own.facilitator_url}&name=Moderation%20Kim`);
  await openBoard(anna, `${own.participant_url}&name=Anna%20Berger`);
  await phone.goto(`${own.participant_url}&name=Ben%20Okafor`);
  await phone.locator(".phone-area").first().waitFor();
  await openPanel(fac);
  await fac.getByRole("button", { name: /Ablauf starten: Ankommen/ }).click();

  await fac.getByRole("button", { name: "Ablauf bearbeiten" }).click();
  await fac.locator(".agenda-editor").waitFor();
  await check(fac, "panel: agenda editor");
  await fac.locator(".agenda-edit-item").nth(0).getByLabel("Hinweis für Teilnehmende", { exact: true }).fill("Stellen Sie sich bitte kurz vor: Name und Ort.");
  await fac.getByRole("button", { name: "Ablauf speichern" }).click();
  await anna.locator(".phase-instructions").waitFor();
  await phone.locator(".phase-instructions").waitFor();
  await check(anna, "board: phase instructions");
  await check(phone, "phone: phase instructions");

  await fac.getByLabel("Ergebnisse / Beschlüsse: Ankommen").fill("12 Personen aus 5 Gemeinden.");
  await fac.locator(".phase-notes-status", { hasText: "Gespeichert" }).waitFor();
  await check(fac, "panel: phase notes");

  await addNote(fac, "Herausforderungen", "Radweg nach Osten", { x: 0.1, y: 0.12 });
  await addNote(fac, "Herausforderungen", "Radwege im Osten", { x: 0.5, y: 0.12 });
  await settled(fac);
  await note(fac, "Radweg nach Osten").click();
  await fac.keyboard.press("m");
  await fac.getByRole("button", { name: "Mit Duplikat zusammenführen …" }).click();
  await fac.locator("dialog.dialog-choose").waitFor();
  await check(fac, "board: merge (choose the duplicate)");
  await fac.locator("dialog.dialog-choose .choose-item").first().click();
  await fac.getByRole("dialog", { name: "Karten zusammenführen" }).waitFor();
  await check(fac, "board: merge (text)");
  await fac.keyboard.press("Escape");

  const beamer = await person();
  await openBoard(beamer, `${own.observer_url}&name=Leinwand`);
  await fac.getByRole("button", { name: "Leinwand: Beitritt zeigen" }).click();
  await beamer.locator(".join-layer .projector-code").waitFor({ timeout: 10_000 });
  await check(beamer, "projector: join screen");
  await screenshot(beamer, "a11y-projector-join");

  const admin = await person();
  await admin.goto(`${server.url}/admin`);
  await admin.locator(".admin-card").first().waitFor({ timeout: 10_000 });
  await check(admin, "organiser page: list");
  await admin.getByLabel("Titel", { exact: true }).fill("Neu über die Seite");
  await admin.getByRole("button", { name: "Workshop anlegen" }).click();
  await admin.locator(".admin-card-title", { hasText: "Neu über die Seite" }).waitFor();
  await check(admin, "organiser page: created (links)");
  await screenshot(admin, "a11y-organiser");
  assertClean();
});
