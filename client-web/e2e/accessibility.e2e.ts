// Accessibility (BITV 2.0 / WCAG 2.1 AA): axe-core on every view and state
// a person meets — join pages, the board in each phase kind (participant and
// phone), the facilitator panel with each section in use, results, the
// projector, the closed workshop, the replay, English — with 0 critical and
// 0 serious violations asserted. One server, one browser and the same pages
// walk through the whole agenda, so the scans add little run time. The
// counts per view go to test-results/axe-figures.json.
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
