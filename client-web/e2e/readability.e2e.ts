// Readable by default: every board view (participant, facilitator, the
// projector's observer view, the replay) opens at a zoom where a note of
// typical length (~100 characters) renders its text at >= 14 px on screen
// — measured as the computed font size times the camera's scale, read from
// the rendered box — and, during a voting round, the vote buttons are
// visible and >= 24 × 24 px. Area navigation moves between areas at that
// zoom; "show all" is an explicit choice. At 1366×768 and 1920×1080.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { addNote, openBoard, openPanel, settled } from "./board";
import { createWorkshop, launchBrowser, removeDir, screenshot, startServer, type RunningServer, type Workshop } from "./harness";

let server: RunningServer;
let browser: Browser;
let workshop: Workshop;

const TYPICAL = [
  "Leerstand in den Ortskernen: Läden schließen, die Wege zum Einkaufen werden länger und länger.",
  "Pendelverkehr ins Oberzentrum belastet die Dörfer an der Bundesstraße jeden Morgen sehr.",
  "Hochschule als Innovationsmotor: Gründungen aus der Forschung in der Region halten.",
  "Rufbus für die Dörfer, auch abends und am Wochenende, mit einer App und per Telefon.",
];

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  workshop = await createWorkshop(server, { title: "Lesbarkeit" });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) removeDir(server.dataDir);
});

interface Measured {
  onScreen: number;
  minTextPx: number;
  buttons: { width: number; height: number; visible: boolean }[];
  notesWithoutButtons: number;
}

/** Every note whose box is (partly) on the board's screen area: its text's
 *  font size × the rendered scale, and its vote buttons' rendered boxes. */
async function measure(page: Page): Promise<Measured> {
  return page.evaluate(() => {
    const board = document.querySelector(".board") as HTMLElement;
    const b = board.getBoundingClientRect();
    let onScreen = 0;
    let minTextPx = Infinity;
    let notesWithoutButtons = 0;
    const buttons: { width: number; height: number; visible: boolean }[] = [];
    for (const n of document.querySelectorAll<HTMLElement>(".board .note[data-note]")) {
      const r = n.getBoundingClientRect();
      // Whole note on screen (a note cut at the edge is a pan away).
      if (r.left < b.left || r.right > b.right || r.top < b.top || r.bottom > b.bottom) continue;
      onScreen += 1;
      const scale = r.width / n.offsetWidth;
      const text = n.querySelector<HTMLElement>(".note-text");
      if (text) minTextPx = Math.min(minTextPx, parseFloat(getComputedStyle(text).fontSize) * scale);
      const own = [...n.querySelectorAll<HTMLElement>(".vote-btn")];
      if (own.length === 0) notesWithoutButtons += 1;
      for (const btn of own) {
        const br = btn.getBoundingClientRect();
        const style = getComputedStyle(btn);
        const foot = btn.closest(".note-foot") as HTMLElement;
        buttons.push({ width: br.width, height: br.height, visible: style.visibility !== "hidden" && getComputedStyle(foot).visibility !== "hidden" && br.width > 0 });
      }
    }
    return { onScreen, minTextPx, buttons, notesWithoutButtons };
  });
}

async function open(url: string, viewport: { width: number; height: number }): Promise<{ page: Page; close: () => Promise<void> }> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: "de-DE" });
  const page = await context.newPage();
  try {
    await openBoard(page, url);
  } catch (e) {
    await screenshot(page, "readable-failed-open");
    throw new Error(`${String(e)}\n${await page.locator("body").innerText()}`);
  }
  await page.locator(".board .note[data-note]").first().waitFor();
  await page.waitForTimeout(150); // one frame for the first camera
  return { page, close: () => context.close() };
}

test("every view opens readable at 1366×768 and 1920×1080; area navigation and show all", async () => {
  const setup = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1, locale: "de-DE" });
  const fac = await setup.newPage();
  await openBoard(fac, `${workshop.facilitator_url}&name=Moderation`);
  await fac.locator(".area-nav").getByRole("button", { name: "Alles zeigen" }).click();
  await addNote(fac, "Herausforderungen", TYPICAL[0]!, { x: 0.1, y: 0.1 });
  await addNote(fac, "Herausforderungen", TYPICAL[1]!, { x: 0.45, y: 0.1 });
  await addNote(fac, "Chancen", TYPICAL[2]!, { x: 0.1, y: 0.1 });
  await addNote(fac, "Lösungsansätze", TYPICAL[3]!, { x: 0.1, y: 0.1 });
  await settled(fac);
  await openPanel(fac);
  await fac.locator("#fp-round-dots").fill("5");
  await fac.getByRole("button", { name: "Abstimmung starten" }).click();
  await settled(fac);

  for (const viewport of [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }]) {
    const tag = `${viewport.width}x${viewport.height}`;
    for (const [role, url] of [
      ["participant", `${workshop.participant_url}&name=Teilnehmerin%20${viewport.width}`],
      ["facilitator", `${workshop.facilitator_url}&name=Ko-Moderation`],
      ["observer", `${workshop.observer_url}&name=Leinwand`],
    ] as const) {
      const view = await open(url, viewport);
      const m = await measure(view.page);
      await screenshot(view.page, `readable-${role}-${tag}`);
      expect(m.onScreen, `${role} ${tag}: notes on screen`).toBeGreaterThanOrEqual(2);
      expect(m.minTextPx, `${role} ${tag}: note text px`).toBeGreaterThanOrEqual(14);
      if (role !== "observer") {
        // Everyone who may vote sees + and − on every note on screen.
        expect(m.notesWithoutButtons, `${role} ${tag}: notes without vote buttons`).toBe(0);
        for (const b of m.buttons) {
          expect(b.visible, `${role} ${tag}: vote button visible`).toBe(true);
          expect(Math.min(b.width, b.height), `${role} ${tag}: vote button px`).toBeGreaterThanOrEqual(24);
        }
      }
      if (role === "participant") {
        // The area navigation: another area, still readable; then show all.
        const nav = view.page.locator(".area-nav");
        await expect.poll(() => nav.getByRole("button", { name: "Herausforderungen" }).getAttribute("aria-pressed")).toBe("true");
        await nav.getByRole("button", { name: "Chancen" }).click();
        await expect.poll(() => nav.getByRole("button", { name: "Chancen" }).getAttribute("aria-pressed")).toBe("true");
        const chancen = await measure(view.page);
        expect(chancen.onScreen).toBeGreaterThanOrEqual(1);
        expect(chancen.minTextPx).toBeGreaterThanOrEqual(14);
        await view.page.keyboard.press("3");
        await expect.poll(() => nav.getByRole("button", { name: "Lösungsansätze" }).getAttribute("aria-pressed")).toBe("true");
        await nav.getByRole("button", { name: "Alles zeigen" }).click();
        await expect.poll(() => nav.getByRole("button", { name: "Alles zeigen" }).getAttribute("aria-pressed")).toBe("true");
        const all = await measure(view.page);
        expect(all.onScreen).toBe(4); // every note, smaller: the explicit choice
        await screenshot(view.page, `readable-show-all-${tag}`);
      }
      await view.close();
    }
  }

  // The replay opens readable too.
  const replay = await browser.newContext({ viewport: { width: 1366, height: 768 }, deviceScaleFactor: 1, locale: "de-DE" });
  const rp = await replay.newPage();
  await rp.goto(`${server.url}/replay/${workshop.id}#t=${workshop.facilitator_token}`);
  await rp.locator(".board .note[data-note]").first().waitFor();
  await rp.waitForTimeout(150);
  const r = await measure(rp);
  await screenshot(rp, "readable-replay-1366x768");
  expect(r.onScreen).toBeGreaterThanOrEqual(2);
  expect(r.minTextPx).toBeGreaterThanOrEqual(14);
  await replay.close();
  await setup.close();
});
