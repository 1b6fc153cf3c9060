// Running the session: the facilitator edits the agenda in the panel
// (rename, reorder by buttons and keyboard, remove, add, kind with its
// preset permissions, instructions), saves it as one journaled SetAgenda;
// participants (laptop and phone) see the phase's instructions at the top
// of their screen, a refused action names the phase and what it allows,
// the facilitator records the phase's results ("Ergebnisse / Beschlüsse"),
// and the replay shows the agenda before and after the edit.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { openBoard, openPanel, settled } from "./board";
import { createWorkshop, launchBrowser, newPerson, removeDir, screenshot, startServer, waitFor, type RunningServer, type Workshop } from "./harness";

let server: RunningServer;
let browser: Browser;
let workshop: Workshop;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  workshop = await createWorkshop(server, { title: "Ablauf-Werkstatt" });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) removeDir(server.dataDir);
});

const INSTRUCTIONS = "Schreiben Sie eine Idee je Karte. Bitte noch nicht diskutieren.";
const phaseTitles = (page: Page) => page.locator("aside.panel .phase-list .phase-title").allInnerTexts();
/** The editor's fieldset of the phase named `name` (by its name field). */
const editorPhase = (page: Page, index: number) => page.locator(".agenda-edit-item").nth(index);

test("the facilitator edits the agenda; participants see instructions; results are recorded; the replay has both agendas", async () => {
  const fac = await newPerson(browser);
  const anna = await newPerson(browser);
  const phone = await newPerson(browser, { phone: true });
  await openBoard(fac.page, `${workshop.facilitator_url}&name=Moderation`);
  await openBoard(anna.page, `${workshop.participant_url}&name=Anna`);
  await phone.page.goto(`${workshop.participant_url}&name=Ben`);
  await phone.page.locator(".phone-area").first().waitFor();

  await openPanel(fac.page);
  await fac.page.getByRole("button", { name: /Ablauf starten: Ankommen/ }).click();
  await settled(fac.page);
  expect(await phaseTitles(fac.page)).toEqual(["Ankommen", "Sammeln", "Vorstellen & Clustern", "Bewerten", "Diskutieren", "Abschluss"]);

  // Open the editor and work through it with the keyboard where it matters.
  await fac.page.getByRole("button", { name: "Ablauf bearbeiten" }).click();
  await fac.page.locator(".agenda-editor").waitFor();
  // The running phase cannot be removed.
  expect(await fac.page.getByRole("button", { name: "„Ankommen“ läuft gerade und bleibt im Ablauf" }).isDisabled()).toBe(true);
  // Rename the running phase.
  await editorPhase(fac.page, 0).getByLabel("Name", { exact: true }).fill("Begrüßung");
  // Instructions for "Sammeln".
  await editorPhase(fac.page, 1).getByLabel("Hinweis für Teilnehmende", { exact: true }).fill(INSTRUCTIONS);
  // "Bewerten" one up, by keyboard: focus its button, Enter; focus stays on it.
  await fac.page.getByRole("button", { name: "„Bewerten“ nach oben" }).focus();
  await fac.page.keyboard.press("Enter");
  await waitFor(async () => (await fac.page.evaluate(() => document.activeElement?.getAttribute("aria-label"))) === "„Bewerten“ nach oben", 5000, "focus on the moved phase's button");
  expect(await fac.page.locator(".agenda-editor [role=status]").innerText()).toBe("„Bewerten“ ist jetzt Phase 3 von 6");
  // Remove "Abschluss".
  await fac.page.getByRole("button", { name: "„Abschluss“ entfernen" }).click();
  // Add a phase: a short vote with instructions; the kind brings its permissions.
  await fac.page.getByRole("button", { name: "Phase hinzufügen" }).click();
  const added = editorPhase(fac.page, 5);
  await added.getByLabel("Name", { exact: true }).fill("Schnellabfrage");
  await added.getByLabel("Art", { exact: true }).selectOption({ label: "Bewerten" });
  await waitFor(async () => await added.getByLabel("Punkte vergeben", { exact: true }).isChecked(), 5000, "the vote preset");
  expect(await added.getByLabel("Karten schreiben", { exact: true }).isChecked()).toBe(false);
  await added.getByLabel("Geplant (Minuten)", { exact: true }).fill("5");
  await added.getByLabel("Hinweis für Teilnehmende", { exact: true }).fill("Je Person drei Punkte.");
  await screenshot(fac.page, "agenda-editor");
  const seqBefore = Number(await fac.page.locator(".app").getAttribute("data-seq"));
  await fac.page.getByRole("button", { name: "Ablauf speichern" }).click();
  await settled(fac.page);
  // One event for the whole edit.
  await waitFor(async () => Number(await fac.page.locator(".app").getAttribute("data-seq")) === seqBefore + 1, 5000, "one journaled SetAgenda");
  expect(await phaseTitles(fac.page)).toEqual(["Begrüßung", "Sammeln", "Bewerten", "Vorstellen & Clustern", "Diskutieren", "Schnellabfrage"]);
  await anna.page.locator(".tb-phase .phase-name", { hasText: "Begrüßung" }).waitFor();
  await anna.page.locator(".tb-phase", { hasText: "Phase 1/6" }).waitFor();

  // No instructions in the first phase; "Sammeln" has them on every screen.
  expect(await anna.page.locator(".phase-instructions").isVisible()).toBe(false);
  await fac.page.getByRole("button", { name: /Nächste Phase: Sammeln/ }).click();
  for (const page of [anna.page, phone.page, fac.page]) {
    const box = page.locator(".phase-instructions");
    await box.waitFor();
    expect(await box.locator(".phase-instructions-text").innerText()).toBe(INSTRUCTIONS);
    expect(await box.getByRole("heading").innerText()).toBe("Hinweis zur Phase „Sammeln“");
  }
  await screenshot(anna.page, "agenda-instructions-laptop");
  await screenshot(phone.page, "agenda-instructions-phone");

  // In the vote phase a participant who tries to write is told what is allowed.
  await fac.page.getByRole("button", { name: /Nächste Phase: Bewerten/ }).click();
  await anna.page.locator(".tb-phase .phase-name", { hasText: "Bewerten" }).waitFor();
  await anna.page.locator(".board").click({ position: { x: 400, y: 400 } });
  await anna.page.keyboard.press("n");
  await anna.page.locator(".toast", { hasText: "In der Phase „Bewerten“ ist das nicht erlaubt. Erlaubt ist: Punkte vergeben." }).waitFor({ timeout: 5000 });
  expect(await anna.page.locator(".phase-instructions").isVisible()).toBe(false);

  // Results of the phase, saved by themselves (no save button), for the minutes.
  const notes = fac.page.getByLabel("Ergebnisse / Beschlüsse: Bewerten");
  await notes.fill("Beschluss: Rufbus und Radwege zuerst prüfen.");
  await fac.page.locator(".phase-notes-status", { hasText: "Gespeichert" }).waitFor({ timeout: 5000 });
  await settled(fac.page);
  // Another facilitator page (a second tab of the facilitator) sees them.
  const second = await newPerson(browser);
  await openBoard(second.page, `${workshop.facilitator_url}&name=Kolleg`);
  await openPanel(second.page);
  await waitFor(async () => (await second.page.getByLabel("Ergebnisse / Beschlüsse: Bewerten").inputValue()) === "Beschluss: Rufbus und Radwege zuerst prüfen.", 10_000, "the notes on the second facilitator page");
  await screenshot(fac.page, "agenda-phase-notes");

  // The replay: the head has the edited agenda; before the edit, the old one.
  const replay = await newPerson(browser);
  const page = replay.page;
  await page.goto(`${server.url}/replay/${workshop.id}#t=${encodeURIComponent(workshop.facilitator_token)}`);
  await page.locator(".replay-bar .phase-name").first().waitFor({ timeout: 15_000 });
  await page.locator(".phase-chip", { hasText: "Bewerten" }).waitFor();
  await page.locator(".phase-chip", { hasText: "Phase 3/6" }).waitFor();
  // Jump to where "Sammeln" began, then step back to before the edit.
  await page.getByRole("combobox", { name: "Zu Phase springen" }).selectOption({ index: 2 });
  await page.locator(".phase-chip", { hasText: "Sammeln" }).waitFor();
  const seen: string[] = [];
  for (let i = 0; i < 10; i++) {
    await page.getByRole("button", { name: "Ein Ereignis zurück" }).click();
    await page.waitForTimeout(150);
    seen.push((await page.locator(".phase-chip").first().innerText()).replace(/\s+/g, " "));
    if (seen.at(-1)?.includes("Ankommen")) break;
  }
  expect(seen).toContain("Phase 1/6 Begrüßung");
  expect(seen.at(-1)).toBe("Phase 1/6 Ankommen");
  await screenshot(page, "agenda-replay-before-edit");

  for (const p of [fac, anna, phone, second, replay]) expect(p.errors).toEqual([]);
});
