// Screenshots of the main views for a person to look at (board as
// participant, facilitator panel, phone view with voting, projector, join
// page, English UI), plus checks a person would make: nothing overflows the
// phone screen, every button has a name, no script or CSP errors.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { addNote, openBoard, openPanel, settled } from "./board";
import { createWorkshop, launchBrowser, newPerson, removeDir, screenshot, startServer, type RunningServer, type Workshop } from "./harness";

let server: RunningServer;
let browser: Browser;
let workshop: Workshop;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  workshop = await createWorkshop(server, { title: "Impuls-Werkstatt Regionalplan Nord" });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) removeDir(server.dataDir);
});

async function unnamedButtons(page: Page): Promise<number> {
  return page.evaluate(() => [...document.querySelectorAll("button")].filter((b) => !(b.getAttribute("aria-label") || b.textContent?.trim())).length);
}

test("board, facilitator panel, phone view, projector, join page", async () => {
  const fac = await newPerson(browser);
  await openBoard(fac.page, `${workshop.facilitator_url}&name=Moderation%20Kim`);
  const anna = await newPerson(browser);
  await openBoard(anna.page, `${workshop.participant_url}&name=Anna%20Berger`);
  const phone = await newPerson(browser, { phone: true });
  await phone.page.goto(`${workshop.participant_url}&name=Ben%20Okafor`);
  await phone.page.locator(".phone-area").first().waitFor();

  const ideas: [string, string, number, number][] = [
    ["Herausforderungen", "Leerstand in den Ortskernen", 0.1, 0.12],
    ["Herausforderungen", "Pendelverkehr ins Oberzentrum", 0.45, 0.12],
    ["Herausforderungen", "Fachkräftemangel im Handwerk", 0.1, 0.3],
    ["Chancen", "Flächen für Gewerbe an der A7", 0.1, 0.12],
    ["Chancen", "Hochschule als Innovationsmotor", 0.45, 0.12],
    ["Lösungsansätze", "Rufbus für die Dörfer", 0.1, 0.12],
    ["Lösungsansätze", "Co-Working im alten Bahnhof", 0.45, 0.12],
  ];
  for (const [area, text, x, y] of ideas) await addNote(anna.page, area, text, { x, y });
  await phone.page.getByRole("button", { name: /Chancen/ }).first().click();
  await phone.page.locator(".sheet textarea").fill("Regionale Wertschöpfung mit Holz");
  await phone.page.locator(".sheet button[type=submit]").click();
  await settled(anna.page);
  await fac.page.waitForFunction(() => document.querySelectorAll(".board .note[data-note]").length >= 8);
  await anna.page.locator(".board").click({ position: { x: 5, y: 5 } });

  // A voting round, so the phone shows its big vote buttons.
  await openPanel(fac.page);
  await fac.page.locator("#fp-round-dots").fill("5");
  await fac.page.getByRole("button", { name: "Abstimmung starten" }).click();
  await phone.page.locator(".phone-budget").waitFor();
  await phone.page.getByRole("button", { name: "Punkt vergeben" }).first().click();
  await fac.page.locator(".tb-hand").waitFor();
  await anna.page.getByRole("button", { name: "Hand heben" }).click();
  await settled(phone.page);
  await fac.page.waitForTimeout(400);

  await screenshot(fac.page, "facilitator-panel");
  await screenshot(anna.page, "board-participant");
  await screenshot(phone.page, "phone-view");
  await fac.page.locator(".s-people").scrollIntoViewIfNeeded();
  await screenshot(fac.page, "facilitator-panel-people");
  await fac.page.locator(".s-invite").scrollIntoViewIfNeeded();
  await screenshot(fac.page, "facilitator-panel-invite");

  // Zoomed in: notes readable, cursors and names.
  const target = await anna.page.locator(".board .note[data-note]").nth(1).boundingBox();
  if (!target) throw new Error("no note");
  await anna.page.mouse.move(target.x + target.width / 2, target.y + target.height);
  await anna.page.keyboard.down("Control");
  for (let i = 0; i < 5; i++) await anna.page.mouse.wheel(0, -100);
  await anna.page.keyboard.up("Control");
  await anna.page.waitForTimeout(200);
  await screenshot(anna.page, "board-zoomed");

  // The projector view of the invitation.
  await fac.page.getByRole("button", { name: "Für die Leinwand zeigen" }).click();
  await fac.page.locator(".projector").waitFor();
  await screenshot(fac.page, "projector");
  await fac.page.keyboard.press("Escape");

  // English.
  await anna.page.getByRole("button", { name: /Switch to English/ }).click();
  await anna.page.getByRole("button", { name: "Add note" }).waitFor();
  await screenshot(anna.page, "board-english");

  // The phone list never scrolls sideways.
  const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);

  const join = await newPerson(browser);
  await join.page.goto(`${server.url}/w/${workshop.id}`);
  await join.page.locator(".join-card").waitFor();
  await join.page.locator(".join-workshop", { hasText: "Regionalplan" }).waitFor();
  await screenshot(join.page, "join-page");

  for (const p of [fac, anna, phone, join]) {
    expect(await unnamedButtons(p.page)).toBe(0);
    expect(p.errors).toEqual([]);
  }
});
