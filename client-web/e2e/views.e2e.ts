// Screenshots of the main views (board as participant, facilitator panel,
// phone view, projector, join page), for a person to look at. Each also
// checks that the page ran without script or CSP errors.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Browser } from "playwright-core";
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

test("board, facilitator panel, phone view and join page", async () => {
  const fac = await newPerson(browser);
  await fac.page.goto(`${workshop.facilitator_url}&name=Moderation%20Kim`);
  await fac.page.locator(".note, .area").first().waitFor();
  const anna = await newPerson(browser);
  await anna.page.goto(`${workshop.participant_url}&name=Anna%20Berger`);
  await anna.page.locator(".area").first().waitFor();
  const phone = await newPerson(browser, { phone: true });
  await phone.page.goto(`${workshop.participant_url}&name=Ben%20Okafor`);
  await phone.page.locator(".phone-area").first().waitFor();

  // Some notes from each.
  const texts = ["Leerstand in den Ortskernen", "Pendelverkehr ins Oberzentrum", "Fachkräftemangel im Handwerk", "Flächen für Gewerbe knapp"];
  for (const [i, text] of texts.entries()) {
    const area = anna.page.locator(".area").nth(i % 3);
    const box = await area.boundingBox();
    if (!box) throw new Error("no area box");
    await anna.page.mouse.dblclick(box.x + 60 + (i % 2) * 140, box.y + 120 + Math.floor(i / 2) * 60);
    await anna.page.keyboard.type(text);
    await anna.page.keyboard.press("Enter");
  }
  await phone.page.getByRole("button", { name: /Chancen/ }).first().click();
  await phone.page.locator(".sheet textarea").fill("Regionale Wertschöpfung mit Holz");
  await phone.page.locator(".sheet button[type=submit]").click();
  await fac.page.waitForFunction(() => document.querySelectorAll(".note").length >= 5);
  await fac.page.locator(".tb-panel").click();
  await fac.page.waitForTimeout(500);
  await screenshot(fac.page, "facilitator-panel");
  await screenshot(anna.page, "board-participant");
  await screenshot(phone.page, "phone-view");
  const join = await newPerson(browser);
  await join.page.goto(`${server.url}/w/${workshop.id}`);
  await join.page.locator(".join-card").waitFor();
  await screenshot(join.page, "join-page");
  for (const p of [fac, anna, phone, join]) expect(p.errors).toEqual([]);
});
