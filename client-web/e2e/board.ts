// Page helpers for the board (what a person does with mouse and keyboard).
import type { Page } from "playwright-core";
import { waitFor } from "./harness";

export const notes = (page: Page) => page.locator(".board .note[data-note]");

/** The note whose text is exactly `text`. */
export function note(page: Page, text: string) {
  return page.locator(".board .note[data-note]").filter({ has: page.locator(".note-text", { hasText: new RegExp(`^${escape(text)}$`) }) });
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export async function openBoard(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator(".app[data-connection=online]").waitFor({ timeout: 15_000 });
  await page.locator(".board .area").first().waitFor();
}

/** "Show all": the whole board on screen (views open on the first area). */
export async function showAll(page: Page): Promise<void> {
  await page.locator(".area-nav .area-nav-all").click();
  await page.locator(".area-nav .area-nav-all[aria-pressed=true]").waitFor();
}

/** Double-clicks into an area (by title) at a fraction of its box and types. */
export async function addNote(page: Page, areaTitle: string, text: string, at = { x: 0.2, y: 0.3 }): Promise<void> {
  const area = page.locator(`.board .area[data-title*="${areaTitle}"]`);
  // Views open on one area: go to this one first (the area navigation),
  // unless the whole board is shown.
  const nav = page.locator(".area-nav .area-nav-btn", { hasText: areaTitle });
  const all = page.locator(".area-nav .area-nav-all[aria-pressed=true]");
  if ((await nav.count()) > 0 && (await all.count()) === 0 && (await nav.first().getAttribute("aria-pressed")) !== "true") {
    await nav.first().click();
    await page.waitForTimeout(50);
  }
  const box = await area.boundingBox();
  if (!box) throw new Error(`no area ${areaTitle}`);
  await page.mouse.dblclick(box.x + box.width * at.x, box.y + box.height * at.y);
  await page.locator(".note.draft textarea").waitFor();
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
  await note(page, text).waitFor();
}

export async function editNote(page: Page, from: string, to: string): Promise<void> {
  await note(page, from).dblclick();
  const editor = page.locator(".note.editing textarea");
  await editor.waitFor();
  await editor.fill(to);
  await page.keyboard.press("Enter");
  await note(page, to).waitFor();
}

/** Drags a note by (dx, dy) screen pixels. */
export async function dragNoteBy(page: Page, text: string, dx: number, dy: number): Promise<void> {
  const box = await note(page, text).boundingBox();
  if (!box) throw new Error(`no note ${text}`);
  const x = box.x + box.width / 2;
  const y = box.y + 10;
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let i = 1; i <= 8; i++) await page.mouse.move(x + (dx * i) / 8, y + (dy * i) / 8);
  await page.mouse.up();
}

/** Drags note `text` onto note `target` (clustering them). */
export async function dropNoteOn(page: Page, text: string, target: string): Promise<void> {
  const from = await note(page, text).boundingBox();
  const to = await note(page, target).boundingBox();
  if (!from || !to) throw new Error("notes not found");
  const x = from.x + from.width / 2;
  const y = from.y + 10;
  await page.mouse.move(x, y);
  await page.mouse.down();
  const tx = to.x + to.width / 2;
  const ty = to.y + to.height / 2;
  for (let i = 1; i <= 10; i++) await page.mouse.move(x + ((tx - x) * i) / 10, y + ((ty - y) * i) / 10);
  // Clustering is deliberate: rest on the target until it shows as the drop target.
  await page.locator(".board .drop-target").waitFor();
  await page.mouse.up();
}

/** Waits until every own op is acknowledged. */
export async function settled(page: Page): Promise<void> {
  await waitFor(async () => (await page.locator(".app").getAttribute("data-pending")) === "0", 15_000, "acknowledgements");
}

export async function openPanel(page: Page): Promise<void> {
  const panel = page.locator("aside.panel");
  if (await panel.isHidden()) await page.locator(".tb-panel").click();
  await panel.waitFor();
}

export async function noteTexts(page: Page): Promise<string[]> {
  return (await page.locator(".board .note[data-note] .note-text").allTextContents()).sort();
}

export interface Box { id: string; x: number; y: number; w: number; h: number }

/** Every note's box in board units, as this page draws it. */
export async function noteBoxes(page: Page): Promise<Box[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>(".board .note[data-note]")].map((n) => ({
      id: n.dataset.note ?? "",
      x: parseFloat(n.style.left),
      y: parseFloat(n.style.top),
      w: parseFloat(n.style.width),
      h: parseFloat(n.style.height),
    })),
  );
}

export function overlapping(list: Box[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < list.length; i++)
    for (let j = i + 1; j < list.length; j++) {
      const a = list[i]!;
      const b = list[j]!;
      if (a.x < b.x + b.w && a.x + a.w > b.x && a.y < b.y + b.h && a.y + a.h > b.y) out.push(`${a.id}/${b.id}`);
    }
  return out;
}

export async function areaRects(page: Page): Promise<{ x: number; y: number; w: number; h: number }[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>(".board .area[data-area]")].map((a) => ({ x: parseFloat(a.style.left), y: parseFloat(a.style.top), w: parseFloat(a.style.width), h: parseFloat(a.style.height) })),
  );
}
