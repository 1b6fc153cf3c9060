// The server dies mid-session (SIGKILL: no goodbye) and comes back on the
// same port with the same data folder. Nothing acknowledged is lost, the
// clients reconnect by themselves, and an edit made while the server was
// away is sent once it is back — exactly once.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { addNote, editNote, note, noteTexts, openBoard, settled, showAll } from "./board";
import { createWorkshop, launchBrowser, newPerson, removeDir, screenshot, startServer, waitFor, type RunningServer, type Workshop } from "./harness";

let server: RunningServer;
let browser: Browser;
let workshop: Workshop;
let anna: Page;
let ben: Page;
let dataDir = "";

beforeAll(async () => {
  server = await startServer();
  dataDir = server.dataDir;
  browser = await launchBrowser();
  workshop = await createWorkshop(server, { title: "Neustart" });
  anna = (await newPerson(browser)).page;
  ben = (await newPerson(browser)).page;
  await openBoard(anna, `${workshop.participant_url}&name=Anna`);
  await showAll(anna);
  await openBoard(ben, `${workshop.participant_url}&name=Ben`);
  await showAll(ben);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir && !process.env.KEEP_DATA) removeDir(dataDir);
  else console.log("DATA", dataDir);
});

const connection = (p: Page) => p.locator(".app").getAttribute("data-connection");

test("a server restart loses no acknowledged edit and the clients reconnect by themselves", async () => {
  await addNote(anna, "Herausforderungen", "Vor dem Neustart 1", { x: 0.2, y: 0.2 });
  await addNote(ben, "Chancen", "Vor dem Neustart 2", { x: 0.2, y: 0.2 });
  await editNote(anna, "Vor dem Neustart 1", "Vor dem Neustart 1 (bearbeitet)");
  await settled(anna);
  await settled(ben);
  const before = await noteTexts(ben);
  expect(before).toEqual(["Vor dem Neustart 1 (bearbeitet)", "Vor dem Neustart 2"]);

  await server.kill();
  await waitFor(async () => (await connection(anna)) !== "online", 10_000, "Anna to notice");
  // Written while the server is down: kept, marked as waiting, sent later.
  await addNote(anna, "Lösungsansätze", "Während der Pause", { x: 0.2, y: 0.2 });
  await anna.locator(".tb-status[data-status=reconnecting]").waitFor({ timeout: 5000 });
  await screenshot(anna, "reconnecting");
  expect(await anna.locator(".app").getAttribute("data-pending")).toBe("1");

  server = await startServer({ dataDir, port: server.port });
  for (const p of [anna, ben]) await waitFor(async () => (await connection(p)) === "online", 45_000, "the reconnect");
  await settled(anna);
  await note(ben, "Während der Pause").waitFor();
  for (const p of [anna, ben]) {
    expect(await noteTexts(p)).toEqual(["Vor dem Neustart 1 (bearbeitet)", "Vor dem Neustart 2", "Während der Pause"].sort());
  }
  // And the board keeps working.
  await addNote(ben, "Chancen", "Nach dem Neustart", { x: 0.6, y: 0.5 });
  await note(anna, "Nach dem Neustart").waitFor();
  // A fresh page load sees the same (from the journal, not from memory).
  const carl = (await newPerson(browser)).page;
  await openBoard(carl, `${workshop.participant_url}&name=Carl`);
  await showAll(carl);
  await note(carl, "Nach dem Neustart").waitFor();
  expect(await noteTexts(carl)).toEqual(["Vor dem Neustart 1 (bearbeitet)", "Vor dem Neustart 2", "Während der Pause", "Nach dem Neustart"].sort());
});

test("an edit made while offline survives a reload of the page before the server is back", async () => {
  await server.kill();
  await waitFor(async () => (await connection(anna)) !== "online", 10_000, "Anna to notice");
  await addNote(anna, "Lösungsansätze", "Offline und neu geladen", { x: 0.6, y: 0.6 });
  await waitFor(async () => (await anna.locator(".app").getAttribute("data-pending")) === "1", 5_000, "the edit to wait");
  // The page goes away while the server is still down (a phone discarding
  // the tab, a closed window): the unanswered edit is only in local storage now.
  await anna.goto("about:blank");
  server = await startServer({ dataDir, port: server.port });
  await openBoard(anna, `${workshop.participant_url}&name=Anna`);
  await showAll(anna);
  await settled(anna);
  await waitFor(async () => (await connection(ben)) === "online", 45_000, "Ben's reconnect");
  await note(ben, "Offline und neu geladen").waitFor();
  // Sent exactly once, by the same participant.
  expect((await noteTexts(ben)).filter((t) => t === "Offline und neu geladen")).toHaveLength(1);
  expect(await note(ben, "Offline und neu geladen").locator(".note-author").textContent()).toBe("Anna");
});
