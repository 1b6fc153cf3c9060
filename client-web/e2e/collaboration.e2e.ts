// A facilitator and two participants, each in their own browser context,
// work on one board: create, edit, recolour, move, cluster, delete with
// undo, and vote. What one does shows up for the others.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { addNote, dragNoteBy, dropNoteOn, editNote, note, openBoard, openPanel, settled, showAll } from "./board";
import { createWorkshop, launchBrowser, newPerson, removeDir, screenshot, startServer, waitFor, type RunningServer, type Workshop } from "./harness";

let server: RunningServer;
let browser: Browser;
let workshop: Workshop;
let fac: Page;
let anna: Page;
let ben: Page;
const errors: string[][] = [];
const dialogs: string[] = [];

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  workshop = await createWorkshop(server, { title: "Regionalplan Nord" });
  const people = await Promise.all([newPerson(browser), newPerson(browser), newPerson(browser)]);
  [fac, anna, ben] = people.map((p) => p.page) as [Page, Page, Page];
  for (const p of people) {
    errors.push(p.errors);
    p.page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  }
  await openBoard(fac, `${workshop.facilitator_url}&name=Kim%20(Moderation)`);
  await openBoard(anna, `${workshop.participant_url}&name=Anna`);
  await openBoard(ben, `${workshop.participant_url}&name=Ben`);
  // These tests act on every area at once.
  for (const p of [fac, anna, ben]) await showAll(p);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) removeDir(server.dataDir);
});

describe("three people on one board", () => {
  test("notes created by one appear for everyone, edits and colours too", async () => {
    await addNote(anna, "Herausforderungen", "Leerstand in Ortskernen", { x: 0.15, y: 0.2 });
    await addNote(ben, "Herausforderungen", "Pendelverkehr", { x: 0.6, y: 0.2 });
    for (const p of [fac, anna, ben]) {
      await note(p, "Leerstand in Ortskernen").waitFor();
      await note(p, "Pendelverkehr").waitFor();
    }
    await editNote(anna, "Leerstand in Ortskernen", "Leerstand in den Ortskernen");
    await note(ben, "Leerstand in den Ortskernen").waitFor();
    await note(anna, "Leerstand in den Ortskernen").click();
    await anna.getByRole("radio", { name: "Grün" }).click();
    await waitFor(async () => ((await note(ben, "Leerstand in den Ortskernen").getAttribute("class")) ?? "").includes("c-4"), 10_000, "the colour on Ben's screen");
    // The author's name is on the note.
    await expect(note(ben, "Leerstand in den Ortskernen").locator(".note-author").textContent()).resolves.toBe("Anna");
  });

  test("a moved note moves for the others", async () => {
    const before = await note(anna, "Pendelverkehr").boundingBox();
    await dragNoteBy(ben, "Pendelverkehr", 0, 120);
    await settled(ben);
    await waitFor(async () => {
      const now = await note(anna, "Pendelverkehr").boundingBox();
      return !!now && !!before && now.y > before.y + 20;
    }, 10_000, "the move on Anna's screen");
  });

  test("a note being dragged moves for the others before it is dropped", async () => {
    const before = await note(anna, "Pendelverkehr").boundingBox();
    const box = await note(ben, "Pendelverkehr").boundingBox();
    if (!before || !box) throw new Error("note not found");
    const x = box.x + box.width / 2;
    const y = box.y + 10;
    await ben.mouse.move(x, y);
    await ben.mouse.down();
    for (let i = 1; i <= 8; i++) await ben.mouse.move(x + (100 * i) / 8, y);
    // Ben still holds the note: nothing is journaled yet, but Anna sees it move.
    await waitFor(async () => {
      const now = await note(anna, "Pendelverkehr").boundingBox();
      const cls = (await note(anna, "Pendelverkehr").getAttribute("class")) ?? "";
      return !!now && now.x > before.x + 40 && cls.includes("remote-dragging");
    }, 10_000, "the live drag on Anna's screen");
    await ben.mouse.up();
    await settled(ben);
    await waitFor(async () => {
      const now = await note(anna, "Pendelverkehr").boundingBox();
      const cls = (await note(anna, "Pendelverkehr").getAttribute("class")) ?? "";
      return !!now && now.x > before.x + 40 && !cls.includes("remote-dragging");
    }, 10_000, "the dropped note on Anna's screen");
  });

  test("dropping a note onto another clusters both, and the cluster can be named", async () => {
    await dropNoteOn(anna, "Leerstand in den Ortskernen", "Pendelverkehr");
    await settled(anna);
    for (const p of [fac, ben]) await p.locator(".cluster").first().waitFor();
    await expect(ben.locator(".cluster .cluster-count").first().textContent()).resolves.toBe("2 Karten");
    await anna.locator(".cluster .cluster-title").first().click();
    await anna.locator(".cluster-title-input").fill("Mobilität & Ortskerne");
    await anna.keyboard.press("Enter");
    await ben.locator(".cluster .cluster-title", { hasText: "Mobilität & Ortskerne" }).waitFor();
    await fac.locator(".cluster .cluster-title", { hasText: "Mobilität & Ortskerne" }).waitFor();
  });

  test("a deleted note can be brought back with Undo (a Restore)", async () => {
    await addNote(ben, "Lösungsansätze", "Zum Löschen", { x: 0.3, y: 0.5 });
    await note(anna, "Zum Löschen").waitFor();
    await note(ben, "Zum Löschen").click();
    await ben.keyboard.press("Delete");
    await note(anna, "Zum Löschen").waitFor({ state: "detached" });
    await ben.getByRole("button", { name: "Rückgängig" }).click();
    await note(anna, "Zum Löschen").waitFor();
  });

  test("a voting round: budgets, dots, hidden counts hidden from the facilitator too, results", async () => {
    await openPanel(fac);
    await fac.locator("#fp-round-dots").fill("3");
    await fac.locator("#fp-round-max").fill("2");
    await fac.locator("#fp-round-title").fill("Was ist am dringendsten?");
    await fac.getByRole("button", { name: "Abstimmung starten" }).click();
    await anna.locator(".chip-vote", { hasText: "3 von 3 Punkten übrig" }).waitFor();
    const plus = (p: Page, text: string) => note(p, text).getByRole("button", { name: "Punkt vergeben" });
    await note(anna, "Pendelverkehr").click();
    await plus(anna, "Pendelverkehr").click();
    await plus(anna, "Pendelverkehr").click();
    await anna.locator(".chip-vote", { hasText: "1 von 3 Punkten übrig" }).waitFor();
    // At most two dots per note.
    await waitFor(() => plus(anna, "Pendelverkehr").isDisabled(), 5000, "the per-note maximum");
    await plus(ben, "Leerstand in den Ortskernen").click();
    await settled(anna);
    await settled(ben);
    // Hidden counts: participants see only their own dots, and the
    // facilitator sees no counts either until the round closes (ballot secrecy).
    await settled(fac);
    await expect(note(ben, "Pendelverkehr").locator(".dot").count()).resolves.toBe(0);
    await expect(note(fac, "Pendelverkehr").locator(".tally").count()).resolves.toBe(0);
    await expect(fac.locator(".result-list").count()).resolves.toBe(0);
    await screenshot(fac, "voting-facilitator");
    await screenshot(anna, "voting-participant");
    await fac.getByRole("button", { name: "Abstimmung beenden" }).click();
    await fac.locator(".round-results li", { hasText: "Pendelverkehr" }).waitFor();
    await expect(fac.locator(".round-results li").first().textContent()).resolves.toContain("2");
    await anna.locator(".chip-vote").waitFor({ state: "detached" });
  });

  test("note text that looks like HTML stays inert text", async () => {
    const evil = "<img src=x onerror=alert(1)>";
    await addNote(ben, "Chancen", evil, { x: 0.3, y: 0.3 });
    for (const p of [fac, anna, ben]) {
      await note(p, evil).waitFor();
      await expect(note(p, evil).locator(".note-text").textContent()).resolves.toBe(evil);
      await expect(p.locator(".board img").count()).resolves.toBe(0);
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(dialogs).toEqual([]);
  });

  test("follow-me: participants follow the facilitator's view, can break away and rejoin; bring everyone here", async () => {
    const world = (p: Page) => p.locator(".board .world").evaluate((el) => (el as HTMLElement).style.transform);
    await openPanel(fac);
    await fac.getByRole("button", { name: "Alle folgen meiner Ansicht" }).click();
    await anna.locator(".banner", { hasText: "Sie folgen Kim (Moderation)" }).waitFor();
    // The facilitator zooms in on the left; Anna's view follows.
    const board = await fac.locator(".board").boundingBox();
    if (!board) throw new Error("no board");
    await fac.mouse.move(board.x + 200, board.y + 250);
    await fac.keyboard.down("Control");
    await fac.mouse.wheel(0, -300);
    await fac.keyboard.up("Control");
    const zoomOf = (transform: string) => Number(/scale\(([\d.]+)\)/.exec(transform)?.[1] ?? 0);
    const facZoom = zoomOf(await world(fac));
    await waitFor(async () => Math.abs(zoomOf(await world(anna)) - facZoom) / facZoom < 0.35, 10_000, "Anna's view to follow");
    // Anna looks around on her own, then follows again.
    await anna.getByRole("button", { name: "Nicht mehr folgen" }).click();
    await anna.getByRole("button", { name: "Wieder folgen" }).waitFor();
    await fac.getByRole("button", { name: "Folgen beenden" }).click();
    await anna.locator(".banner").waitFor({ state: "hidden" });
    // "Bring everyone here": Ben looks elsewhere, then jumps to the facilitator's view.
    await ben.getByRole("button", { name: "Alles zeigen" }).click();
    const benBefore = await world(ben);
    await fac.getByRole("button", { name: "Alle hierher holen" }).click();
    await waitFor(async () => (await world(ben)) !== benBefore && Math.abs(zoomOf(await world(ben)) - facZoom) / facZoom < 0.35, 10_000, "Ben's view to move");
    await ben.locator(".toast", { hasText: "hat alle hierher geholt" }).waitFor();
  });

  test("a new join code: the old one stops working, the new one lets people in", async () => {
    await openPanel(fac);
    const code = () => fac.locator(".s-invite .join-code").textContent();
    const old = await code();
    expect(old).toBe(workshop.join_code);
    await fac.getByRole("button", { name: "Neuen Code erzeugen" }).click();
    await fac.locator("dialog").getByRole("button", { name: "Neuen Code erzeugen" }).click();
    await waitFor(async () => (await code()) !== old && /^[A-Z0-9]{6}$/.test((await code()) ?? ""), 10_000, "the new code");
    const fresh = (await code()) ?? "";
    const late = await newPerson(browser);
    await late.page.goto(`${workshop.participant_url.replace(/code=[^&]+/, `code=${old}`)}&name=Zu%20spät`);
    await late.page.locator(".blocker-card", { hasText: "Zugangscode ist ungültig" }).waitFor({ timeout: 15_000 });
    // Back to the form, with the current code this time.
    await late.page.getByRole("link", { name: "Code eingeben" }).click();
    await late.page.locator("#join-code").fill(fresh);
    await late.page.getByRole("button", { name: "Beitreten" }).click();
    await note(late.page, "Pendelverkehr").waitFor();
    const ok = await newPerson(browser);
    await openBoard(ok.page, `${workshop.participant_url.replace(/code=[^&]+/, `code=${fresh}`)}&name=Pünktlich`);
    await note(ok.page, "Pendelverkehr").waitFor();
    await late.context.close();
    await ok.context.close();
  });

  test("the facilitator adds, renames and deletes an area; everyone sees it", async () => {
    await openPanel(fac);
    await fac.locator('[data-key="add-area"]').click();
    await fac.locator("dialog input").fill("Weitere Themen");
    await fac.locator("dialog .btn-primary").click();
    const area = (p: Page, title: string) => p.locator(`.board .area[data-title*="${title}"]`);
    for (const p of [anna, ben]) await area(p, "Weitere Themen").waitFor();
    // Participants can write into it at once (it is right of the view: fit the board first).
    await showAll(anna);
    await addNote(anna, "Weitere Themen", "Ehrenamt stärken", { x: 0.3, y: 0.3 });
    await note(ben, "Ehrenamt stärken").waitFor();
    const row = fac.locator(".list-row", { hasText: "Weitere Themen" });
    // An area with notes cannot be deleted from the panel.
    expect(await row.locator('[data-key^="delete-area-"]').isDisabled()).toBe(true);
    await row.locator('[data-key^="rename-area-"]').click();
    await fac.locator("dialog input").fill("Offene Fragen");
    await fac.locator("dialog .btn-primary").click();
    for (const p of [anna, ben]) await area(p, "Offene Fragen").waitFor();
    // Empty again, it can go.
    await note(anna, "Ehrenamt stärken").click();
    await anna.keyboard.press("Delete");
    await waitFor(async () => (await note(ben, "Ehrenamt stärken").count()) === 0, 10_000, "the note to go");
    const renamed = fac.locator(".list-row", { hasText: "Offene Fragen" });
    await waitFor(async () => !(await renamed.locator('[data-key^="delete-area-"]').isDisabled()), 10_000, "the delete button");
    await renamed.locator('[data-key^="delete-area-"]').click();
    for (const p of [anna, ben]) await waitFor(async () => (await area(p, "Offene Fragen").count()) === 0, 10_000, "the area to go");
  });

  test("no script or CSP errors on any page", () => {
    for (const list of errors) expect(list).toEqual([]);
  });
});
