// Results for the room: after a voting round the facilitator puts the
// results on the projector (a journaled setting); the observer view and the
// phones open them by themselves — the round's question and the ranking
// with counts — laptops open them with the results button; "board" on the
// projector closes them again.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Browser } from "playwright-core";
import { addNote, note, openBoard, openPanel, settled } from "./board";
import { createWorkshop, launchBrowser, newPerson, removeDir, screenshot, startServer, waitFor, type RunningServer, type Workshop } from "./harness";

let server: RunningServer;
let browser: Browser;
let workshop: Workshop;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  workshop = await createWorkshop(server, { title: "Ergebnisse" });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) removeDir(server.dataDir);
});

const QUESTION = "Was packen wir zuerst an?";

test("results on the projector and the phone, on command; laptops open them", async () => {
  const fac = await newPerson(browser);
  const anna = await newPerson(browser);
  const phone = await newPerson(browser, { phone: true });
  const beamerContext = await browser.newContext({ viewport: { width: 1920, height: 1080 }, deviceScaleFactor: 1, locale: "de-DE" });
  const beamer = await beamerContext.newPage();
  await openBoard(fac.page, `${workshop.facilitator_url}&name=Moderation`);
  await openBoard(anna.page, `${workshop.participant_url}&name=Anna`);
  await phone.page.goto(`${workshop.participant_url}&name=Ben`);
  await phone.page.locator(".phone-area").first().waitFor();
  await openBoard(beamer, `${workshop.observer_url}&name=Leinwand`);

  await addNote(fac.page, "Herausforderungen", "Rufbus für die Dörfer", { x: 0.1, y: 0.1 });
  await addNote(fac.page, "Herausforderungen", "Co-Working im Bahnhof", { x: 0.45, y: 0.1 });
  await addNote(fac.page, "Herausforderungen", "Ladenleerstand", { x: 0.1, y: 0.3 });
  await settled(fac.page);

  await openPanel(fac.page);
  await fac.page.locator("#fp-round-title").fill(QUESTION);
  await fac.page.locator("#fp-round-dots").fill("3");
  await fac.page.locator("#fp-round-max").fill("2");
  await fac.page.getByRole("button", { name: "Abstimmung starten" }).click();
  const plus = (text: string) => note(anna.page, text).getByRole("button", { name: "Punkt vergeben" });
  await plus("Rufbus für die Dörfer").click();
  await waitFor(async () => !(await plus("Rufbus für die Dörfer").isDisabled()), 5000, "the vote button again");
  await plus("Rufbus für die Dörfer").click();
  await plus("Co-Working im Bahnhof").click();
  await settled(anna.page);
  await phone.page.locator(".phone-card", { hasText: "Rufbus für die Dörfer" }).getByRole("button", { name: "Punkt vergeben" }).click();
  await settled(phone.page);
  await fac.page.locator('[data-key="close-round"]').click();
  await settled(fac.page);

  // Not on the projector yet.
  expect(await beamer.locator(".results-view").isVisible()).toBe(false);
  await fac.page.locator('[data-key="projector-results"]').click();
  await settled(fac.page);
  for (const page of [beamer, phone.page]) {
    const view = page.locator(".results-view");
    await view.waitFor();
    await view.locator(".results-question", { hasText: QUESTION }).waitFor();
    const items = await view.locator(".results-item").allInnerTexts();
    expect(items[0]).toMatch(/1\.\s*Rufbus für die Dörfer\s*3 Punkte/);
    expect(items[1]).toMatch(/2\.\s*Co-Working im Bahnhof\s*1 Punkt/);
    expect(items).toHaveLength(2);
    // How many voted (Anna and the phone), never who.
    expect(await view.locator(".results-voters").innerText()).toBe("2 Personen haben abgestimmt");
  }
  await screenshot(beamer, "results-projector");
  await screenshot(phone.page, "results-phone");
  // The projector's text is large enough to read across the room.
  const px = await beamer.locator(".results-item").first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  expect(px).toBeGreaterThanOrEqual(24);

  // A laptop opens them itself.
  expect(await anna.page.locator(".results-view").isVisible()).toBe(false);
  await anna.page.getByRole("button", { name: "Ergebnisse" }).click();
  await anna.page.locator(".results-view .results-question", { hasText: QUESTION }).waitFor();
  await screenshot(anna.page, "results-laptop");
  await anna.page.getByRole("button", { name: "Zurück zum Board" }).click();
  await anna.page.locator(".results-view").waitFor({ state: "hidden" });

  // Back to the board on the projector: the results close there.
  await fac.page.locator('[data-key="projector-board"]').click();
  await beamer.locator(".results-view").waitFor({ state: "hidden" });
  await phone.page.locator(".results-view").waitFor({ state: "hidden" });

  // A projector that joins while the results are shown opens them at once.
  await fac.page.locator('[data-key="projector-results"]').click();
  await settled(fac.page);
  const late = await beamerContext.newPage();
  await openBoard(late, `${workshop.observer_url}&name=Zweite%20Leinwand`);
  await late.locator(".results-view .results-question", { hasText: QUESTION }).waitFor();

  for (const p of [fac, anna, phone]) expect(p.errors).toEqual([]);
  await beamerContext.close();
});
