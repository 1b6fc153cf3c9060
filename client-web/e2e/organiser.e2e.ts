// Workshops without a terminal: the organiser page (/admin) behind the
// admin token. The server trusts 127.0.0.1 as a proxy here, so the browser's
// requests do not count as the server's own (loopback) and the admin token
// is needed, as on a real deployment. The page creates a workshop that two
// participants then join with its links, reloads without asking for the
// token again (sessionStorage), makes new links in another tab, exports,
// copies for the next date, saves a template, closes and deletes.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { blocking, scan } from "./axe";
import { openBoard, openPanel } from "./board";
import { launchBrowser, newPerson, removeDir, screenshot, startServer, waitFor, type RunningServer } from "./harness";

const TOKEN = "e2e-organiser-admin-token-0123456789abcdef";
let server: RunningServer;
let browser: Browser;
let tokenDir: string;

beforeAll(async () => {
  tokenDir = mkdtempSync(join(tmpdir(), "werkstatt-admin-"));
  const file = join(tokenDir, "admin-token");
  writeFileSync(file, `${TOKEN}\n`, { mode: 0o600 });
  server = await startServer({ args: ["--admin-token-file", file, "--trusted-proxy", "127.0.0.1"] });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) removeDir(server.dataDir);
  if (tokenDir) removeDir(tokenDir);
});

const card = (page: Page, title: string) => page.locator(".admin-card").filter({ has: page.locator(".admin-card-title", { hasText: new RegExp(`^${title}$`) }) });

/** Opens /admin in a fresh tab and signs in. The page first asks the server
 *  without a token (loopback may list without one), which the browser logs
 *  as a failed resource: that one refusal is expected and dropped. */
async function signIn(person: { page: Page; errors: string[] }): Promise<void> {
  const { page } = person;
  await page.goto(`${server.url}/admin`);
  await page.getByLabel("Admin-Token", { exact: true }).waitFor();
  await waitFor(async () => person.errors.length >= 1, 5_000, "the refusal without a token logged");
  expect(person.errors.filter((e) => !e.includes("status of 403"))).toEqual([]);
  person.errors.splice(0);
  await page.getByLabel("Admin-Token", { exact: true }).fill(TOKEN);
  await page.getByRole("button", { name: "Anmelden" }).click();
  await page.getByRole("heading", { name: "Workshop anlegen" }).waitFor();
}

test("the organiser creates a workshop that two browsers join, and manages it", async () => {
  const org = await newPerson(browser);
  const page = org.page;
  await page.goto(`${server.url}/admin`);
  // No token yet: the server refuses the list, the page asks for the token.
  await page.getByLabel("Admin-Token", { exact: true }).waitFor();
  expect(await blocking(await scan(page, "admin: token"))).toEqual([]);
  await page.getByLabel("Admin-Token", { exact: true }).fill("falsch");
  await page.getByRole("button", { name: "Anmelden" }).click();
  await page.getByRole("alert").filter({ hasText: "Der Server hat diesen Token abgelehnt." }).waitFor();
  await page.getByLabel("Admin-Token", { exact: true }).fill(TOKEN);
  await page.getByRole("button", { name: "Anmelden" }).click();
  await page.getByText("Es gibt noch keine Workshops.").waitFor();

  // The two refusals above (no token, a wrong one) were meant to fail; the
  // browser logs each as a failed resource (the second may be logged late).
  // Nothing after this may.
  await waitFor(async () => org.errors.length >= 2, 5_000, "both refusals logged");
  expect(org.errors.filter((e) => !e.includes("status of 403"))).toEqual([]);
  org.errors.splice(0);

  // Create: title, template, language, date.
  await page.getByLabel("Titel", { exact: true }).fill("Klimarat Kreis Nord");
  await page.getByLabel("Vorlage", { exact: true }).selectOption("impuls-werkstatt");
  await page.getByLabel("Sprache", { exact: true }).selectOption("de");
  await page.getByLabel("Termin", { exact: true }).fill("2026-12-03");
  await page.getByRole("button", { name: "Workshop anlegen" }).click();
  const klima = card(page, "Klimarat Kreis Nord");
  await klima.waitFor();
  await klima.getByText("Termin: 3. Dezember 2026").waitFor();
  await klima.getByText("läuft").waitFor();
  expect(await blocking(await scan(page, "admin: list with links"))).toEqual([]);
  await screenshot(page, "organiser-created");

  // The links it shows open the workshop: the facilitator and two participants.
  const href = async (name: RegExp) => (await klima.getByRole("link", { name }).getAttribute("href")) ?? "";
  const facilitatorUrl = await href(/^Moderation öffnen/);
  const participantUrl = await href(/^Teilnehmende öffnen/);
  const observerUrl = await href(/^Leinwand \(Beobachtung\) öffnen/);
  const replayUrl = await href(/^Wiedergabe öffnen/);
  expect(participantUrl).toMatch(/[?&]code=[A-Z0-9]{6}/);
  const fac = await newPerson(browser);
  const anna = await newPerson(browser);
  const ben = await newPerson(browser, { phone: true });
  await openBoard(fac.page, `${facilitatorUrl}&name=Moderation`);
  await openBoard(anna.page, `${participantUrl}&name=Anna`);
  await ben.page.goto(`${participantUrl}&name=Ben`);
  await ben.page.locator(".phone-area").first().waitFor();
  await openPanel(fac.page);
  for (const name of ["Anna", "Ben"]) await fac.page.locator(".s-people .person-row", { hasText: name }).waitFor();
  expect(await anna.page.locator(".tb-title").innerText()).toBe("Klimarat Kreis Nord");
  const beamer = await newPerson(browser);
  await openBoard(beamer.page, observerUrl);
  expect(await beamer.page.locator(".app").getAttribute("data-role")).toBe("OBSERVER");

  // The list shows who is online; a reload keeps the token and the links.
  await page.reload();
  await waitFor(async () => Number(/(\d+) online/.exec(await klima.innerText())?.[1] ?? 0) >= 2, 10_000, "people online in the list");
  expect(await page.getByLabel("Admin-Token", { exact: true }).count()).toBe(0);
  await klima.getByRole("link", { name: /^Moderation öffnen/ }).waitFor();

  // Replay and an export from the card.
  const replay = await newPerson(browser);
  await replay.page.goto(replayUrl);
  await replay.page.locator(".replay-bar .tb-title", { hasText: "Klimarat Kreis Nord" }).waitFor({ timeout: 15_000 });
  const [download] = await Promise.all([page.waitForEvent("download"), klima.getByRole("button", { name: "Protokoll (Markdown): Klimarat Kreis Nord" }).click()]);
  expect(readFileSync(await download.path(), "utf8")).toContain("Klimarat Kreis Nord");

  // Copy for the next date (structure only), and save as a template.
  await klima.getByRole("button", { name: "Für den nächsten Termin kopieren: Klimarat Kreis Nord" }).click();
  const copy = page.getByRole("dialog", { name: "Für den nächsten Termin kopieren" });
  await copy.getByLabel("Titel der Kopie").fill("Klimarat Kreis Nord (2)");
  await copy.getByLabel("Termin", { exact: true }).fill("2027-01-14");
  await copy.getByRole("button", { name: "Für den nächsten Termin kopieren" }).click();
  const second = card(page, "Klimarat Kreis Nord \\(2\\)");
  await second.getByText("Termin: 14. Januar 2027").waitFor();
  await klima.getByRole("button", { name: "Als Vorlage speichern: Klimarat Kreis Nord" }).click();
  const nameDialog = page.getByRole("dialog");
  await nameDialog.getByRole("textbox").fill("Klimarat-Vorlage");
  await nameDialog.getByRole("button", { name: "Als Vorlage speichern" }).click();
  await page.locator(".admin-section", { has: page.getByRole("heading", { name: "Vorlagen" }) }).locator(".admin-card-title", { hasText: "Klimarat-Vorlage" }).waitFor();
  expect(await page.getByLabel("Vorlage", { exact: true }).locator("option", { hasText: "Vorlage: Klimarat-Vorlage" }).count()).toBe(1);
  await screenshot(page, "organiser-template");

  // Another tab (its own session) knows no links: it makes new ones, which work.
  const other = await newPerson(browser);
  await signIn(other);
  const otherCard = card(other.page, "Klimarat Kreis Nord");
  expect(await otherCard.getByRole("link", { name: /^Moderation öffnen/ }).count()).toBe(0);
  await otherCard.getByRole("button", { name: "Neue Links erzeugen: Klimarat Kreis Nord" }).click();
  const fresh = (await otherCard.getByRole("link", { name: /^Moderation öffnen/ }).getAttribute("href")) ?? "";
  expect(fresh).not.toBe(facilitatorUrl);
  const fac2 = await newPerson(browser);
  await openBoard(fac2.page, `${fresh}&name=Vertretung`);
  expect(await fac2.page.locator(".app").getAttribute("data-role")).toBe("FACILITATOR");
  // The old link still works.
  await fac.page.reload();
  await fac.page.locator(".app[data-connection=online]").waitFor({ timeout: 15_000 });

  // Close: the board says so; delete after a confirm dialog.
  await klima.getByRole("button", { name: "„Klimarat Kreis Nord“ beenden" }).click();
  await page.getByRole("dialog", { name: "Workshop „Klimarat Kreis Nord“ beenden?" }).getByRole("button", { name: "Beenden" }).click();
  await klima.getByText("beendet").waitFor();
  await anna.page.locator(".topbar", { hasText: "beendet" }).waitFor({ timeout: 10_000 });
  await second.getByRole("button", { name: "„Klimarat Kreis Nord (2)“ löschen" }).click();
  const confirm = page.getByRole("dialog", { name: "Workshop „Klimarat Kreis Nord (2)“ endgültig löschen?" });
  await confirm.getByText("kann nicht rückgängig gemacht werden").waitFor();
  expect(await blocking(await scan(page, "admin: delete dialog"))).toEqual([]);
  await confirm.getByRole("button", { name: "Löschen" }).click();
  await second.waitFor({ state: "detached", timeout: 15_000 });
  await screenshot(page, "organiser-after-delete");

  // English, and the page's own errors.
  await page.getByRole("button", { name: "Switch to English" }).click();
  await page.getByRole("heading", { name: "Manage workshops" }).waitFor();
  for (const p of [org, fac, anna, ben, beamer, replay, other, fac2]) expect(p.errors).toEqual([]);
});
