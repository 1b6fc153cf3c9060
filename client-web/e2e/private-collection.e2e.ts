// A private collection phase: participants' notes reach only their authors
// (others see counts) until the facilitator reveals them.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { addNote, note, openBoard, openPanel, settled } from "./board";
import { createWorkshop, launchBrowser, newPerson, removeDir, screenshot, startServer, waitFor, type RunningServer, type Workshop } from "./harness";

let server: RunningServer;
let browser: Browser;
let workshop: Workshop;
let fac: Page;
let anna: Page;
let ben: Page;
const errors: string[][] = [];

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  workshop = await createWorkshop(server, { title: "Private Sammlung" });
  const people = await Promise.all([newPerson(browser), newPerson(browser), newPerson(browser)]);
  [fac, anna, ben] = people.map((p) => p.page) as [Page, Page, Page];
  for (const p of people) errors.push(p.errors);
  await openBoard(fac, `${workshop.facilitator_url}&name=Kim`);
  await openBoard(anna, `${workshop.participant_url}&name=Anna`);
  await openBoard(ben, `${workshop.participant_url}&name=Ben`);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) removeDir(server.dataDir);
});

test("notes written in a private phase stay hidden until the facilitator reveals them", async () => {
  await openPanel(fac);
  await fac.getByRole("button", { name: /Ablauf starten: Ankommen/ }).click();
  await fac.getByRole("button", { name: /Nächste Phase: Sammeln/ }).click();
  for (const p of [anna, ben]) await p.locator(".tb-phase .chip-private").waitFor();
  // The phase started its timer (20 minutes planned).
  await anna.locator(".tb-timer").waitFor();
  expect(await anna.locator(".tb-timer-value").textContent()).toMatch(/^(20:00|19:5\d)$/);

  await addNote(anna, "Herausforderungen", "Geheime Idee von Anna", { x: 0.2, y: 0.3 });
  await addNote(anna, "Chancen", "Zweite Idee von Anna", { x: 0.2, y: 0.3 });
  await settled(anna);
  await expect(note(anna, "Geheime Idee von Anna").locator(".badge-private").textContent()).resolves.toContain("nur für Sie sichtbar");
  // Ben (and the facilitator: the template keeps notes from facilitators
  // too) see how many, not what.
  for (const p of [ben, fac]) {
    await p.locator(".area-header", { hasText: "Herausforderungen" }).locator(".chip-private", { hasText: "1 private Karte von 1 Person" }).waitFor();
    await expect(note(p, "Geheime Idee von Anna").count()).resolves.toBe(0);
  }
  expect(await ben.content()).not.toContain("Geheime Idee");
  await screenshot(ben, "private-phase-other");
  await screenshot(anna, "private-phase-author");
  await fac.locator(".s-privacy .stat", { hasText: "2 unaufgedeckte Karten" }).waitFor();
  await screenshot(fac, "private-phase-facilitator");

  await fac.getByRole("button", { name: "Alle aufdecken" }).click();
  for (const p of [ben, fac]) {
    await note(p, "Geheime Idee von Anna").waitFor();
    await note(p, "Zweite Idee von Anna").waitFor();
    await expect(p.locator(".area-header .chip-private").count()).resolves.toBe(0);
  }
  await waitFor(async () => (await note(anna, "Geheime Idee von Anna").locator(".badge-private").count()) === 0, 10_000, "the private mark to go");
  for (const list of errors) expect(list).toEqual([]);
});
