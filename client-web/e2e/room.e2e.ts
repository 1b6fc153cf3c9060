// The room: the facilitator puts the join screen on the projector (QR,
// code, short link that never wraps inside the workshop id), the projector
// follows a code rotation; and two notes that say the same thing are merged
// from the note menu by keyboard, their dots adding up, with undo.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { addNote, note, openBoard, openPanel, settled } from "./board";
import { createWorkshop, launchBrowser, newPerson, removeDir, screenshot, startServer, waitFor, type RunningServer, type Workshop } from "./harness";

let server: RunningServer;
let browser: Browser;
let workshop: Workshop;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  workshop = await createWorkshop(server, { title: "Raum-Werkstatt" });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) removeDir(server.dataDir);
});

/** How many lines the workshop id of a shown short link takes (1: not wrapped). */
async function idLines(page: Page, scope: string): Promise<{ text: string; lines: number }> {
  return page.locator(`${scope} .link-id`).first().evaluate((el) => {
    const tops = new Set([...el.getClientRects()].map((r) => Math.round(r.top)));
    return { text: el.textContent ?? "", lines: tops.size };
  });
}

test("the projector shows the join screen on command, with the current code", async () => {
  const fac = await newPerson(browser);
  const beamerContext = await browser.newContext({ viewport: { width: 1280, height: 720 }, deviceScaleFactor: 1, locale: "de-DE" });
  const beamer = await beamerContext.newPage();
  const beamerErrors: string[] = [];
  beamer.on("pageerror", (e) => beamerErrors.push(String(e)));
  await openBoard(fac.page, `${workshop.facilitator_url}&name=Moderation`);
  await openBoard(beamer, `${workshop.observer_url}&name=Leinwand`);
  await openPanel(fac.page);

  // The facilitator's own invitation: the short link's id on one line.
  const code = (await fac.page.locator(".s-invite .join-code").innerText()).trim();
  expect(code).toMatch(/^[A-Z0-9]{6}$/);
  expect(await idLines(fac.page, ".s-invite")).toEqual({ text: workshop.id, lines: 1 });

  expect(await beamer.locator(".join-layer").isVisible()).toBe(false);
  await fac.page.getByRole("button", { name: "Leinwand: Beitritt zeigen" }).click();
  await settled(fac.page);
  const layer = beamer.locator(".join-layer");
  await layer.locator(".projector-code", { hasText: code }).waitFor({ timeout: 10_000 });
  expect(await layer.locator("canvas.qr").count()).toBe(1);
  const qr = await layer.locator("canvas.qr").boundingBox();
  expect(qr!.width).toBeGreaterThanOrEqual(240);
  const link = await layer.locator(".projector-link").innerText();
  expect(link.replace(/\s+/g, "")).toBe(`${new URL(server.url).host}/w/${workshop.id}`);
  expect(await idLines(beamer, ".join-layer")).toEqual({ text: workshop.id, lines: 1 });
  expect(await fac.page.locator('[data-key="projector-join"]').getAttribute("aria-pressed")).toBe("true");
  await screenshot(beamer, "room-projector-join");

  // A new code: the projector shows it without a reload.
  await fac.page.getByRole("button", { name: "Neuen Code erzeugen" }).click();
  await fac.page.locator("dialog.dialog .btn-primary").click();
  await waitFor(async () => {
    const now = (await fac.page.locator(".s-invite .join-code").innerText()).trim();
    return now !== code && /^[A-Z0-9]{6}$/.test(now);
  }, 10_000, "the new code in the panel");
  const rotated = (await fac.page.locator(".s-invite .join-code").innerText()).trim();
  await layer.locator(".projector-code", { hasText: rotated }).waitFor({ timeout: 10_000 });

  // The join screen answers the observer token only while it is on the projector.
  const asObserver = () => fetch(`${server.url}/api/workshops/${workshop.id}/join-screen`, { headers: { Authorization: `Bearer ${workshop.observer_token}` } });
  expect((await asObserver()).status).toBe(200);
  await fac.page.locator('[data-key="projector-board"]').click();
  await layer.waitFor({ state: "hidden" });
  await settled(fac.page);
  expect((await asObserver()).status).toBe(403);

  expect(fac.errors).toEqual([]);
  expect(beamerErrors).toEqual([]);
  await beamerContext.close();
});

test("merging a duplicate moves its dots; undo brings it back", async () => {
  const own = await createWorkshop(server, { title: "Duplikate" });
  const fac = await newPerson(browser);
  const anna = await newPerson(browser);
  const ben = await newPerson(browser);
  await openBoard(fac.page, `${own.facilitator_url}&name=Moderation`);
  await openBoard(anna.page, `${own.participant_url}&name=Anna`);
  await openBoard(ben.page, `${own.participant_url}&name=Ben`);
  await addNote(anna.page, "Herausforderungen", "Radweg nach Osten", { x: 0.1, y: 0.1 });
  await addNote(ben.page, "Herausforderungen", "Radwege im Osten", { x: 0.5, y: 0.1 });
  await addNote(ben.page, "Herausforderungen", "Rufbus", { x: 0.1, y: 0.4 });
  await settled(anna.page);
  await settled(ben.page);

  // A round with live counts: Anna 1 dot on her note, Ben 2 on his.
  await openPanel(fac.page);
  await fac.page.locator("#fp-round-dots").fill("5");
  await fac.page.locator("#fp-round-max").fill("3");
  await fac.page.locator("#fp-round-live").check();
  await fac.page.getByRole("button", { name: "Abstimmung starten" }).click();
  const plus = (page: Page, text: string) => note(page, text).getByRole("button", { name: "Punkt vergeben" });
  await plus(anna.page, "Radweg nach Osten").click();
  await settled(anna.page);
  await plus(ben.page, "Radwege im Osten").click();
  await waitFor(async () => !(await plus(ben.page, "Radwege im Osten").isDisabled()), 5000, "the vote button again");
  await plus(ben.page, "Radwege im Osten").click();
  await settled(ben.page);
  const tally = (page: Page, text: string) => note(page, text).locator(".tally");
  await waitFor(async () => (await tally(fac.page, "Radwege im Osten").innerText().catch(() => "")).trim() === "2", 10_000, "Ben's dots on the board");

  // The facilitator merges by keyboard: select, M (menu), the merge action.
  await note(fac.page, "Radweg nach Osten").click();
  await fac.page.keyboard.press("m");
  const merge = fac.page.getByRole("button", { name: "Mit Duplikat zusammenführen …" });
  await merge.waitFor();
  await merge.focus();
  await fac.page.keyboard.press("Enter");
  const chooser = fac.page.getByRole("dialog", { name: "Welche Karte ist ein Duplikat von „Radweg nach Osten“?" });
  await chooser.waitFor();
  // Its own area first: the duplicate is the first choice; Rufbus is there too.
  const choices = await chooser.locator(".choose-item").allInnerTexts();
  expect(choices[0]).toMatch(/^Radwege im Osten – Ben · Herausforderungen$/);
  expect(choices.some((c) => c.startsWith("Rufbus"))).toBe(true);
  await screenshot(fac.page, "room-merge-choose");
  await fac.page.keyboard.press("Enter");
  const textDialog = fac.page.getByRole("dialog", { name: "Karten zusammenführen" });
  await textDialog.waitFor();
  const field = textDialog.getByLabel("Text der zusammengeführten Karte");
  expect(await field.inputValue()).toBe("Radweg nach Osten\nRadwege im Osten");
  await field.fill("Radwege im Osten ausbauen");
  await textDialog.getByRole("button", { name: "Zusammenführen" }).click();
  await settled(fac.page);

  // Everyone: one note with the new text; the dots add up (1 + 2).
  for (const page of [fac.page, anna.page, ben.page]) {
    await note(page, "Radwege im Osten ausbauen").waitFor();
    await waitFor(async () => (await note(page, "Radwege im Osten").count()) === 0 && (await note(page, "Radweg nach Osten").count()) === 0, 10_000, "the duplicate gone");
  }
  await waitFor(async () => (await tally(fac.page, "Radwege im Osten ausbauen").innerText()).trim() === "3", 10_000, "3 dots on the merged note");
  // Ben's own 2 dots are now on the merged note, and his budget is unchanged.
  await waitFor(async () => (await note(ben.page, "Radwege im Osten ausbauen").locator(".dots").getAttribute("aria-label")) === "Ihre Punkte: 2", 10_000, "Ben's dots moved");
  await screenshot(fac.page, "room-merged");

  // Undo (the toast's): the duplicate comes back, without its dots; the text as it was.
  await fac.page.locator(".toast", { hasText: "Karten zusammengeführt" }).getByRole("button", { name: "Rückgängig" }).click();
  await note(anna.page, "Radwege im Osten").waitFor();
  await note(anna.page, "Radweg nach Osten").waitFor();
  await settled(fac.page);
  await waitFor(async () => (await tally(fac.page, "Radweg nach Osten").innerText()).trim() === "3", 10_000, "the dots stay on the note that absorbed them");
  expect((await note(fac.page, "Radwege im Osten").locator(".tally").innerText().catch(() => "0")).trim()).toBe("0");

  for (const p of [fac, anna, ben]) expect(p.errors).toEqual([]);
});
