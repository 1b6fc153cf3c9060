// The replay page against the real server's replay API: the board as it
// was before the last edit, phase markers, the slider, and an export at
// that moment.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { addNote, editNote, note, noteTexts, openBoard, openPanel, settled } from "./board";
import { createWorkshop, launchBrowser, newPerson, removeDir, screenshot, startServer, waitFor, type RunningServer, type Workshop } from "./harness";

let server: RunningServer;
let browser: Browser;
let workshop: Workshop;
let fac: Page;
let anna: Page;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  workshop = await createWorkshop(server, { title: "Replay-Werkstatt" });
  fac = (await newPerson(browser)).page;
  anna = (await newPerson(browser)).page;
  await openBoard(fac, `${workshop.facilitator_url}&name=Kim`);
  await openBoard(anna, `${workshop.participant_url}&name=Anna`);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) removeDir(server.dataDir);
});

test("the replay shows the board as it was before the last edit, and exports that moment", async () => {
  await openPanel(fac);
  await fac.getByRole("button", { name: /Ablauf starten: Ankommen/ }).click();
  await settled(fac);
  // Check-in: participants watch, the facilitator writes (always allowed).
  await addNote(fac, "Herausforderungen", "Wohnraum fehlt", { x: 0.2, y: 0.2 });
  await addNote(fac, "Lösungsansätze", "Erste Fassung", { x: 0.2, y: 0.2 });
  await editNote(fac, "Erste Fassung", "Zweite Fassung");
  await settled(fac);
  await note(anna, "Zweite Fassung").waitFor();

  const replay = await newPerson(browser);
  await replay.page.goto(`${server.url}/replay/${workshop.id}#t=${encodeURIComponent(workshop.facilitator_token)}`);
  const page = replay.page;
  await note(page, "Zweite Fassung").waitFor({ timeout: 15_000 });
  await page.locator(".marker-phase", { hasText: "Ankommen" }).waitFor();
  const label = () => page.locator(".timeline-label").textContent();
  const head = /Ereignis (\d+) von (\d+)/.exec((await label()) ?? "");
  expect(head?.[1]).toBe(head?.[2]);

  await page.getByRole("button", { name: "Ein Ereignis zurück" }).click();
  await note(page, "Erste Fassung").waitFor();
  expect(await noteTexts(page)).toEqual(["Erste Fassung", "Wohnraum fehlt"]);
  expect(await label()).toContain(`Ereignis ${Number(head?.[1]) - 1} von`);
  await screenshot(page, "replay");

  // Export at this moment: the minutes have the text before the edit.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Protokoll (Markdown)" }).click()]);
  const path = await download.path();
  const minutes = readFileSync(path, "utf8");
  expect(minutes).toContain("Erste Fassung");
  expect(minutes).not.toContain("Zweite Fassung");
  expect(download.suggestedFilename()).toMatch(/\.md$/);

  // The far left of the slider: before anything was written.
  const track = await page.locator(".track").boundingBox();
  if (!track) throw new Error("no track");
  await page.mouse.click(track.x + 2, track.y + track.height / 2);
  await waitFor(async () => (await noteTexts(page)).length === 0, 10_000, "the empty board at the start");
  // Forward again event by event until the first note appears.
  for (let i = 0; i < 40 && (await noteTexts(page)).length === 0; i++) {
    await page.getByRole("button", { name: "Ein Ereignis vor" }).click();
    await page.waitForTimeout(50);
  }
  expect(await noteTexts(page)).toEqual(["Wohnraum fehlt"]);
  expect(replay.errors).toEqual([]);
});

test("a note still private to its author is not in the replay", async () => {
  await fac.getByRole("button", { name: /Nächste Phase: Sammeln/ }).click();
  await anna.locator(".tb-phase .chip-private").waitFor();
  await addNote(anna, "Chancen", "Noch geheim", { x: 0.3, y: 0.3 });
  await settled(anna);
  const replay = await newPerson(browser);
  await replay.page.goto(`${server.url}/replay/${workshop.id}#t=${encodeURIComponent(workshop.facilitator_token)}`);
  // The board at the head has rendered (a note of the first test) ...
  await note(replay.page, "Zweite Fassung").waitFor({ timeout: 15_000 });
  await replay.page.locator(".marker-phase", { hasText: "Sammeln" }).waitFor();
  await screenshot(replay.page, "replay-private");
  // Unrevealed, and facilitators do not watch in this phase: the record
  // (replay, exports) leaves it out until it is revealed.
  await expect(note(replay.page, "Noch geheim").count()).resolves.toBe(0);
  expect(replay.errors).toEqual([]);
});

test("the replay exports the minutes as PDF and the board as SVG and PNG at the moment shown", async () => {
  const replay = await newPerson(browser);
  const page = replay.page;
  await page.goto(`${server.url}/replay/${workshop.id}#t=${encodeURIComponent(workshop.facilitator_token)}`);
  await note(page, "Zweite Fassung").waitFor({ timeout: 15_000 });
  const fetchExport = async (name: string): Promise<Buffer> => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name }).click()]);
    return readFileSync(await download.path());
  };
  const svg = (await fetchExport("Board als Bild (SVG)")).toString("utf8");
  expect(svg).toContain("<svg");
  expect(svg).toContain("Zweite Fassung");
  expect(svg).not.toContain("Noch geheim");
  const png = await fetchExport("Board als Bild (PNG)");
  expect(png.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
  const pdf = await fetchExport("Protokoll (PDF)");
  expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
  // Back to before the last edit: the board export shows that moment.
  for (let i = 0; i < 20 && (await note(page, "Erste Fassung").count()) === 0; i++) {
    await page.getByRole("button", { name: "Ein Ereignis zurück" }).click();
    await page.waitForTimeout(100);
  }
  await note(page, "Erste Fassung").waitFor();
  const before = (await fetchExport("Board als Bild (SVG)")).toString("utf8");
  expect(before).toContain("Erste Fassung");
  expect(before).not.toContain("Zweite Fassung");
  await screenshot(page, "replay-exports");
  expect(replay.errors).toEqual([]);
});
