// The whole Impuls-Werkstatt with 25 participants, as the issue's "done
// when" asks: the facilitator, the projector (observer), two laptops and a
// phone in Chromium, and 22 more participants as scripted WebSocket clients
// (e2e/bots.ts, the client's own codec). Check-in, private collection (every
// scripted participant writes on the same spot), reveal, tidy, clustering,
// two voting rounds (the second on notes and clusters) with the results on
// the projector and the phone,
// discussion with the facilitator's recorded results, close, replay, PDF.
// Asserted: readable zoom on a 1366×768 laptop, no overlapping notes after
// reveal + tidy, results on projector and phone, the minutes. Screenshots
// of every phase: test-results/impuls-*.png.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { Bot } from "./bots";
import { addNote, areaRects, dropNoteOn, note, noteBoxes, openBoard, openPanel, overlapping, settled, showAll, type Box } from "./board";
import { createWorkshop, launchBrowser, newPerson, removeDir, screenshot, startServer, waitFor, type RunningServer, type Workshop } from "./harness";

let server: RunningServer;
let browser: Browser;
let workshop: Workshop;
const bots: Bot[] = [];

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  workshop = await createWorkshop(server, { title: "Impuls-Werkstatt Kreis Nord" });
});

afterAll(async () => {
  for (const b of bots) b.close();
  await browser?.close();
  await server?.stop();
  if (server) removeDir(server.dataDir);
});

const BOTS = 22;
// The template's areas (server/board/templates.cpp): 1200 × 1600, 80 apart, centred.
const AREAS = ["herausforderungen", "chancen", "loesungsansaetze"] as const;
const areaX = (i: number) => -(3 * 1200 + 2 * 80) / 2 + i * 1280;
const Q1 = "Was packen wir zuerst an?";
const Q2 = "Was ist am dringendsten?";
const RESULT = "Beschluss: Rufbus-Pilot im Frühjahr, Co-Working prüft der Wirtschaftsausschuss.";

/** Text size on screen of the notes wholly in view: font size × rendered scale. */
async function minTextPx(page: Page): Promise<{ onScreen: number; min: number }> {
  return page.evaluate(() => {
    const b = (document.querySelector(".board") as HTMLElement).getBoundingClientRect();
    let onScreen = 0;
    let min = Infinity;
    for (const n of document.querySelectorAll<HTMLElement>(".board .note[data-note]")) {
      const r = n.getBoundingClientRect();
      if (r.left < b.left || r.right > b.right || r.top < b.top || r.bottom > b.bottom) continue;
      onScreen += 1;
      const text = n.querySelector<HTMLElement>(".note-text");
      if (text) min = Math.min(min, parseFloat(getComputedStyle(text).fontSize) * (r.width / n.offsetWidth));
    }
    return { onScreen, min };
  });
}

function inSomeArea(areas: { x: number; y: number; w: number; h: number }[], b: Box): boolean {
  return areas.some((a) => b.x >= a.x && b.y >= a.y && b.x + b.w <= a.x + a.w && b.y + b.h <= a.y + a.h);
}

test("a whole Impuls-Werkstatt with 25 participants", async () => {
  const started = Date.now();
  const fac = await newPerson(browser);
  const beamerContext = await browser.newContext({ viewport: { width: 1920, height: 1080 }, deviceScaleFactor: 1, locale: "de-DE" });
  const beamer = await beamerContext.newPage();
  const beamerErrors: string[] = [];
  beamer.on("pageerror", (e) => beamerErrors.push(String(e)));
  const annaContext = await browser.newContext({ viewport: { width: 1366, height: 768 }, deviceScaleFactor: 1, locale: "de-DE" });
  const anna = await annaContext.newPage();
  const carl = await newPerson(browser);
  const ben = await newPerson(browser, { phone: true });

  // Everyone joins: the projector first, then the room.
  await openBoard(fac.page, `${workshop.facilitator_url}&name=Moderation%20Kim`);
  await openBoard(beamer, `${workshop.observer_url}&name=Leinwand`);
  await openBoard(anna, `${workshop.participant_url}&name=Anna%20Berger`);
  await openBoard(carl.page, `${workshop.participant_url}&name=Carl%20Meier`);
  await ben.page.goto(`${workshop.participant_url}&name=Ben%20Okafor`);
  await ben.page.locator(".phone-area").first().waitFor();
  for (let i = 0; i < BOTS; i++) bots.push(new Bot(server.url, workshop.id, workshop.join_code, `Person ${String(i + 1).padStart(2, "0")}`));
  await Promise.all(bots.map((b) => b.join()));
  await openPanel(fac.page);
  await fac.page.locator(".people-counts", { hasText: "Teilnehmende: 25" }).waitFor({ timeout: 15_000 });
  await fac.page.locator('[data-key="projector-join"]').click();
  await beamer.locator(".join-layer .projector-code").waitFor();
  await screenshot(beamer, "impuls-01-join-screen");
  await fac.page.locator('[data-key="projector-board"]').click();

  // Check-in.
  await fac.page.locator('[data-key="next"]').click();
  await anna.locator(".tb-phase", { hasText: "Ankommen" }).waitFor();
  await screenshot(beamer, "impuls-02-ankommen-projector");

  // Private collection: every scripted participant writes two notes on the same spot of an area.
  await fac.page.locator('[data-key="next"]').click();
  await anna.locator(".tb-phase .chip-private").waitFor();
  const special: Record<string, { text: string; area: number }> = {
    "0-0": { text: "Rufbus für die Dörfer", area: 2 },
    "1-0": { text: "Co-Working im Bahnhof", area: 1 },
    "2-0": { text: "Ladenleerstand", area: 0 },
  };
  await Promise.all(
    bots.map(async (b, i) => {
      for (let k = 0; k < 2; k++) {
        const s = special[`${i}-${k}`];
        const area = s?.area ?? (i + k) % 3;
        await b.send({
          kind: {
            case: "createNote",
            value: { id: `b${i}n${k}`, text: s?.text ?? `Idee ${i + 1}.${k + 1}`, areaId: AREAS[area], position: { x: areaX(area) + 40, y: -800 + 120 }, size: { width: 200, height: 200 } },
          },
        });
      }
    }),
  );
  await addNote(anna, "Herausforderungen", "Pendeln ins Oberzentrum (Anna)", { x: 0.1, y: 0.2 });
  await addNote(carl.page, "Chancen", "Hochschule als Partner (Carl)", { x: 0.1, y: 0.2 });
  await ben.page.locator(".phone-area").first().getByRole("button", { name: /Karte/ }).first().click();
  await ben.page.locator(".sheet textarea").fill("Schulweg sicherer machen (Ben)");
  await ben.page.getByRole("button", { name: "Speichern" }).click();
  await settled(anna);
  await settled(carl.page);
  await settled(ben.page);
  // Private: Anna sees her note and counts of the others'.
  await fac.page.locator(".s-privacy .stat", { hasText: "47" }).waitFor({ timeout: 15_000 });
  expect(await noteBoxes(anna).then((b) => b.length)).toBe(1);
  await screenshot(anna, "impuls-03-sammeln-laptop");
  await screenshot(ben.page, "impuls-03-sammeln-phone");

  // Reveal all: the facilitator's page spreads the heaps; then tidy the board.
  await fac.page.locator('[data-key="reveal-all"]').click();
  await waitFor(async () => (await noteBoxes(fac.page)).length === 47, 20_000, "all 47 notes on the facilitator's board");
  await waitFor(async () => overlapping(await noteBoxes(fac.page)).length === 0, 30_000, "no overlap after the reveal");
  await settled(fac.page);
  await showAll(fac.page);
  await screenshot(fac.page, "impuls-04-aufgedeckt");
  await fac.page.locator('[data-key="tidy-board"]').click();
  await settled(fac.page);
  const areas = await areaRects(anna);
  await waitFor(async () => {
    const now = await noteBoxes(anna);
    return now.length === 47 && overlapping(now).length === 0 && now.every((b) => inSomeArea(areas, b));
  }, 30_000, "the tidy board on Anna's laptop: 47 notes, none on another, each in an area");
  await waitFor(async () => (await noteBoxes(beamer)).length === 47 && overlapping(await noteBoxes(beamer)).length === 0, 15_000, "the tidy board on the projector");
  // Readable without zooming: the 1366×768 laptop and the projector.
  const laptop = await minTextPx(anna);
  expect(laptop.onScreen).toBeGreaterThan(3);
  expect(laptop.min).toBeGreaterThanOrEqual(14);
  const projector = await minTextPx(beamer);
  expect(projector.onScreen).toBeGreaterThan(3);
  expect(projector.min).toBeGreaterThanOrEqual(14);
  await screenshot(anna, "impuls-05-geordnet-laptop");
  await screenshot(beamer, "impuls-05-geordnet-projector");

  // Cluster: Anna drops her note on the "Ladenleerstand" note; a scripted participant clusters two others.
  await fac.page.locator('[data-key="next"]').click();
  await anna.locator(".tb-phase", { hasText: "Clustern" }).waitFor();
  await showAll(anna);
  await dropNoteOn(anna, "Pendeln ins Oberzentrum (Anna)", "Ladenleerstand");
  await settled(anna);
  await bots[3]!.send({ kind: { case: "createCluster", value: { id: "cMobil", title: "Mobilität", position: { x: areaX(0) + 20, y: 700 }, areaId: AREAS[0], noteIds: ["b3n0", "b6n0"] } } });
  await fac.page.locator(".board .cluster").nth(1).waitFor();
  await screenshot(beamer, "impuls-06-cluster-projector");

  // Vote, round 1 (hidden counts): 13 dots for the Rufbus, 11 for Co-Working.
  await fac.page.locator('[data-key="next"]').click();
  await anna.locator(".tb-phase", { hasText: "Bewerten" }).waitFor();
  await fac.page.locator("#fp-round-title").fill(Q1);
  await fac.page.locator("#fp-round-dots").fill("3");
  await fac.page.locator("#fp-round-max").fill("2");
  await fac.page.getByRole("button", { name: "Abstimmung starten" }).click();
  await ben.page.locator(".phone-budget").waitFor();
  await Promise.all(bots.map((b, i) => b.send({ kind: { case: "castVote", value: { noteId: i < 12 ? "b0n0" : "b1n0" } } })));
  // Anna votes by keyboard (the note has focus, V casts a dot).
  await note(anna, "Rufbus für die Dörfer").focus();
  await anna.keyboard.press("v");
  await settled(anna);
  await ben.page.locator(".phone-card", { hasText: "Co-Working im Bahnhof" }).getByRole("button", { name: "Punkt vergeben" }).click();
  await settled(ben.page);
  await screenshot(ben.page, "impuls-07-abstimmung-phone");
  await fac.page.locator('[data-key="close-round"]').click();
  await settled(fac.page);
  await fac.page.locator('[data-key="projector-results"]').click();
  for (const page of [beamer, ben.page]) {
    const view = page.locator(".results-view");
    await view.locator(".results-question", { hasText: Q1 }).waitFor({ timeout: 15_000 });
    const items = await view.locator(".results-item").allInnerTexts();
    expect(items[0]).toMatch(/1\.\s*Rufbus für die Dörfer\s*13 Punkte/);
    expect(items[1]).toMatch(/2\.\s*Co-Working im Bahnhof\s*11 Punkte/);
    expect(await view.locator(".results-voters").first().innerText()).toBe("24 Personen haben abgestimmt");
  }
  await screenshot(beamer, "impuls-08-ergebnisse-projector");
  await screenshot(ben.page, "impuls-08-ergebnisse-phone");

  // Round 2, live counts, on notes and clusters: six dots for "Ladenleerstand",
  // four for the cluster "Mobilität" itself (three scripted, one by Anna's keyboard).
  await fac.page.locator('[data-key="projector-board"]').click();
  await fac.page.locator("#fp-round-title").fill(Q2);
  await fac.page.locator("#fp-round-live").check();
  await fac.page.getByRole("button", { name: "Abstimmung starten" }).click();
  await Promise.all(bots.slice(0, 6).map((b) => b.send({ kind: { case: "castVote", value: { noteId: "b2n0" } } })));
  await Promise.all(bots.slice(6, 9).map((b) => b.send({ kind: { case: "castVote", value: { clusterId: "cMobil" } } })));
  const clusterDot = anna.getByRole("button", { name: "Punkt für den Cluster „Mobilität“", exact: true });
  await clusterDot.focus();
  await anna.keyboard.press("Enter");
  await settled(anna);
  await waitFor(async () => ((await note(beamer, "Ladenleerstand").locator(".tally").innerText().catch(() => "")).trim()) === "6", 15_000, "the live count on the projector");
  const clusterTally = beamer.locator('.board .cluster:has(.cluster-title:text-is("Mobilität")) .cluster-vote .tally');
  await waitFor(async () => ((await clusterTally.innerText().catch(() => "")).trim()) === "4", 15_000, "the cluster's live count on the projector");
  await fac.page.locator('[data-key="close-round"]').click();
  await fac.page.locator('[data-key="projector-results"]').click();
  await beamer.locator(".results-view .results-question", { hasText: Q2 }).waitFor({ timeout: 15_000 });
  const round2 = beamer.locator(".results-round").filter({ hasText: Q2 }).locator(".results-item");
  const ranked = await round2.allInnerTexts();
  expect(ranked[0]).toMatch(/1\.\s*Ladenleerstand\s*6 Punkte/);
  expect(ranked[1]).toMatch(/2\.\s*Cluster: Mobilität\s*4 Punkte/);
  await screenshot(beamer, "impuls-09-runde2-projector");
  await fac.page.locator('[data-key="projector-board"]').click();

  // Discuss: the facilitator records the results for the minutes.
  await fac.page.locator('[data-key="next"]').click();
  await anna.locator(".tb-phase", { hasText: "Diskutieren" }).waitFor();
  await fac.page.getByLabel("Ergebnisse / Beschlüsse: Diskutieren").fill(RESULT);
  await fac.page.locator(".phase-notes-status", { hasText: "Gespeichert" }).waitFor({ timeout: 5000 });
  await screenshot(fac.page, "impuls-10-diskutieren");

  // Close phase, then close the workshop.
  await fac.page.locator('[data-key="next"]').click();
  await anna.locator(".tb-phase", { hasText: "Abschluss" }).waitFor();
  await fac.page.getByRole("button", { name: "Workshop beenden" }).click();
  await fac.page.locator("dialog.dialog .btn-danger").click();
  await anna.locator(".topbar", { hasText: "beendet" }).waitFor({ timeout: 10_000 });
  await screenshot(anna, "impuls-11-beendet");

  // Replay and the minutes (Markdown and PDF).
  const replay = await newPerson(browser);
  await replay.page.goto(`${server.url}/replay/${workshop.id}#t=${encodeURIComponent(workshop.facilitator_token)}`);
  await note(replay.page, "Rufbus für die Dörfer").waitFor({ timeout: 15_000 });
  await replay.page.locator(".marker-phase", { hasText: "Bewerten" }).waitFor();
  await screenshot(replay.page, "impuls-12-replay");
  const get = (format: string) => fetch(`${server.url}/api/workshops/${workshop.id}/export?format=${format}`, { headers: { Authorization: `Bearer ${workshop.facilitator_token}` } });
  const md = await (await get("md")).text();
  for (const text of [Q1, Q2, RESULT, "Rufbus für die Dörfer", "Anna Berger"]) expect(md).toContain(text);
  const pdf = Buffer.from(await (await get("pdf")).arrayBuffer());
  expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");

  for (const p of [fac, carl, ben, replay]) expect(p.errors).toEqual([]);
  expect(beamerErrors).toEqual([]);
  console.log(`impuls: 25 participants, ${Math.round((Date.now() - started) / 1000)} s`);
  await beamerContext.close();
  await annaContext.close();
});
