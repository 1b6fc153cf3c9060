// Sorting the room: "add note" asks for the area and lands on a free spot
// there; notes written on the same spot during private collection are
// spread out when the facilitator reveals them; "tidy the whole board"
// lays every area out in a grid (journaled moves, one Ctrl+Z takes it
// back); a quick drop on a note is a move, only a rest on it clusters.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { addNote, areaRects, dragNoteBy, note, noteBoxes as boxes, openBoard, openPanel, overlapping, settled, showAll, type Box } from "./board";
import { createWorkshop, launchBrowser, newPerson, removeDir, screenshot, startServer, waitFor, type RunningServer, type Workshop } from "./harness";

let server: RunningServer;
let browser: Browser;
let workshop: Workshop;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  workshop = await createWorkshop(server, { title: "Sortieren" });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) removeDir(server.dataDir);
});

async function addViaButton(page: Page, area: string, text: string): Promise<void> {
  await page.getByRole("button", { name: "Karte hinzufügen" }).click();
  await page.getByRole("button", { name: `Karte in „${area}“` }).click();
  await page.locator(".note.draft textarea").waitFor();
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
  await note(page, text).waitFor();
}

test("add into an area, spread after reveal, tidy with undo, deliberate clustering", async () => {
  const fac = await newPerson(browser);
  const anna = await newPerson(browser);
  const ben = await newPerson(browser);
  await openBoard(fac.page, `${workshop.facilitator_url}&name=Moderation`);
  await openBoard(anna.page, `${workshop.participant_url}&name=Anna`);
  await openBoard(ben.page, `${workshop.participant_url}&name=Ben`);

  // The area picker: a new note lands in a free spot of the chosen area, never on another.
  await addViaButton(anna.page, "Chancen & Potenziale", "Hochschule");
  await addViaButton(anna.page, "Chancen & Potenziale", "Gewerbeflächen");
  await addViaButton(anna.page, "Chancen & Potenziale", "Tourismus");
  await settled(anna.page);
  const chancen = (await boxes(anna.page)).filter((b) => b.id);
  expect(chancen).toHaveLength(3);
  expect(overlapping(chancen)).toEqual([]);
  const areas = await areaRects(anna.page);
  const inArea = (b: Box) => areas.some((a) => b.x >= a.x && b.y >= a.y && b.x + b.w <= a.x + a.w && b.y + b.h <= a.y + a.h);
  for (const b of chancen) expect(inArea(b)).toBe(true);

  // Private collection: Anna and Ben write on the very same spot.
  await openPanel(fac.page);
  await fac.page.locator('[data-key="next"]').click(); // Ankommen
  await settled(fac.page);
  await fac.page.locator('[data-key="next"]').click(); // Sammeln (privat)
  await anna.page.locator(".chip-private, .tb-phase").first().waitFor();
  await waitFor(async () => ((await ben.page.locator(".tb-phase").textContent()) ?? "").includes("Sammeln"), 10_000, "the collect phase");
  for (const [i, text] of ["Leerstand", "Pendeln", "Fachkräfte"].entries()) {
    await addNote(anna.page, "Herausforderungen", `${text} (Anna)`, { x: 0.1 + 0.2 * i, y: 0.12 });
    await addNote(ben.page, "Herausforderungen", `${text} (Ben)`, { x: 0.1 + 0.2 * i, y: 0.12 });
  }
  await settled(anna.page);
  await settled(ben.page);

  await fac.page.locator('[data-key="reveal-all"]').click();
  await waitFor(async () => (await boxes(fac.page)).length === 9, 15_000, "all nine notes on the facilitator's board");
  await settled(fac.page);
  await waitFor(async () => overlapping(await boxes(fac.page)).length === 0, 15_000, "no overlap after the reveal (facilitator)");
  await waitFor(async () => (await boxes(anna.page)).length === 9 && overlapping(await boxes(anna.page)).length === 0, 15_000, "no overlap after the reveal (Anna)");
  await showAll(fac.page);
  await screenshot(fac.page, "sorting-after-reveal");

  // Tidy the whole board: a grid per area, nothing overlaps, nothing leaves its area.
  const before = await boxes(fac.page);
  await fac.page.locator('[data-key="tidy-board"]').click();
  await settled(fac.page);
  await waitFor(async () => {
    const now = await boxes(anna.page);
    return now.length === 9 && overlapping(now).length === 0 && JSON.stringify(now) !== JSON.stringify(before);
  }, 15_000, "the tidy board on Anna's screen");
  const tidy = await boxes(fac.page);
  expect(overlapping(tidy)).toEqual([]);
  for (const b of tidy) expect(inArea(b)).toBe(true);
  await screenshot(fac.page, "sorting-tidy");

  // One Ctrl+Z takes the whole tidy back.
  await fac.page.locator(".board").click({ position: { x: 5, y: 300 } });
  await fac.page.keyboard.press("Control+z");
  await settled(fac.page);
  await waitFor(async () => JSON.stringify(await boxes(fac.page)) === JSON.stringify(before), 15_000, "the layout before the tidy");

  // Clustering needs a rest on the target: a quick drop is a move.
  await fac.page.locator('[data-key="tidy-board"]').click();
  await settled(fac.page);
  await fac.page.locator(".area-nav").getByRole("button", { name: "Chancen" }).click();
  const from = await note(fac.page, "Tourismus").boundingBox();
  const to = await note(fac.page, "Hochschule").boundingBox();
  if (!from || !to) throw new Error("notes not found");
  await dragNoteBy(fac.page, "Tourismus", to.x - from.x + 20, to.y - from.y + 20);
  await settled(fac.page);
  expect(await fac.page.locator(".board .cluster").count()).toBe(0);

  for (const p of [fac, anna, ben]) expect(p.errors).toEqual([]);
});

test("idle cursors fade; the toggle hides the others' cursors", async () => {
  const w = await createWorkshop(server, { title: "Zeiger" });
  const kim = await newPerson(browser);
  const lea = await newPerson(browser);
  await openBoard(kim.page, `${w.facilitator_url}&name=Kim`);
  await openBoard(lea.page, `${w.participant_url}&name=Lea`);
  for (let i = 0; i < 5; i++) await kim.page.mouse.move(400 + i * 20, 400);
  const cursor = lea.page.locator(".board .cursor", { hasText: "Kim" });
  await cursor.waitFor();
  expect(await cursor.evaluate((el) => el.classList.contains("idle"))).toBe(false);
  // Kim's pointer rests: the cursor fades out (opacity 0) on Lea's screen.
  await lea.page.locator(".board .cursor.idle", { hasText: "Kim" }).waitFor({ timeout: 10_000 });
  await waitFor(async () => (await cursor.evaluate((el) => getComputedStyle(el).opacity)) === "0", 5_000, "the faded cursor");
  // It moves again: back.
  await kim.page.mouse.move(600, 420);
  await waitFor(async () => !(await cursor.evaluate((el) => el.classList.contains("idle"))), 5_000, "the cursor back");
  await screenshot(lea.page, "cursor-visible");
  // Lea hides cursors (remembered on her device).
  const toggle = lea.page.getByRole("button", { name: "Mauszeiger der anderen ausblenden" });
  await toggle.click();
  expect(await toggle.getAttribute("aria-pressed")).toBe("true");
  await kim.page.mouse.move(640, 440);
  await waitFor(async () => (await cursor.evaluate((el) => getComputedStyle(el).display)) === "none", 5_000, "hidden cursors");
  await lea.page.reload();
  await lea.page.locator(".app[data-connection=online]").waitFor();
  expect(await lea.page.getByRole("button", { name: "Mauszeiger der anderen ausblenden" }).getAttribute("aria-pressed")).toBe("true");
  for (const p of [kim, lea]) expect(p.errors).toEqual([]);
});
