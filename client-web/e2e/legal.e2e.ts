// Legal pages (BITV 2.0 §7, DSGVO Art. 13, imprint): the server's settings
// name an imprint URL, a privacy notice as a local Markdown file and a
// feedback address; every page links them, the Markdown file renders as
// text at /legal/privacy, and the built-in accessibility statement names
// the feedback address. axe-core checks the legal pages too.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { blocking, scan } from "./axe";
import { openBoard } from "./board";
import { createWorkshop, launchBrowser, newPerson, removeDir, screenshot, startServer, type RunningServer, type Workshop } from "./harness";

let server: RunningServer;
let browser: Browser;
let workshop: Workshop;
const dir = mkdtempSync(join(tmpdir(), "werkstatt-legal-"));

beforeAll(async () => {
  const privacy = join(dir, "datenschutz.md");
  writeFileSync(privacy, "# Datenschutzerklärung\n\nVerantwortlich ist der **Landkreis Süd**.\n\n- Zweck: Workshops\n- Frist: 90 Tage\n\n<script>alert(1)</script> [Kontakt](mailto:dsb@example.org) [böse](javascript:alert(1))\n");
  server = await startServer({
    args: ["--imprint", "https://example.org/impressum", "--privacy-notice", privacy, "--accessibility-feedback", "barriere@example.org"],
  });
  browser = await launchBrowser();
  workshop = await createWorkshop(server, { title: "Rechtliches" });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) removeDir(server.dataDir);
  removeDir(dir);
});

async function links(page: Page): Promise<Record<string, string>> {
  const nav = page.locator("nav.legal-links:visible").first();
  await nav.locator("a", { hasText: "Barriere melden" }).waitFor();
  return nav.evaluate((n) => Object.fromEntries([...n.querySelectorAll("a")].map((a) => [a.textContent ?? "", a.getAttribute("href") ?? ""])));
}

const expected = {
  Impressum: "https://example.org/impressum",
  Datenschutz: "/legal/privacy",
  Barrierefreiheit: "/legal/accessibility",
  "Barriere melden": "mailto:barriere@example.org",
};

test("every page links imprint, privacy notice, accessibility statement and feedback", async () => {
  const { page, errors } = await newPerson(browser);
  await page.goto(`${server.url}/`);
  expect(await links(page)).toEqual(expected);
  await openBoard(page, `${workshop.participant_url}&name=Anna`);
  expect(await links(page)).toEqual(expected);
  const phone = await newPerson(browser, { phone: true });
  await phone.page.goto(`${workshop.participant_url}&name=Ben`);
  await phone.page.locator(".phone-area").first().waitFor();
  expect(await links(phone.page)).toEqual(expected);
  await page.goto(`${server.url}/replay/${workshop.id}#t=${encodeURIComponent(workshop.facilitator_token)}`);
  expect(await links(page)).toEqual(expected);
  expect(errors).toEqual([]);
  expect(phone.errors).toEqual([]);
});

test("the privacy notice renders from its Markdown file as text; the built-in accessibility statement names the feedback address", async () => {
  const { page, errors } = await newPerson(browser);
  await page.goto(`${server.url}/legal/privacy`);
  await page.getByRole("heading", { name: "Datenschutzerklärung" }).waitFor();
  expect(await page.locator(".legal-body strong").textContent()).toBe("Landkreis Süd");
  expect(await page.locator(".legal-body li").allTextContents()).toEqual(["Zweck: Workshops", "Frist: 90 Tage"]);
  // HTML in the file stays text; only web and mail links become links.
  expect(await page.locator(".legal-body script").count()).toBe(0);
  expect(await page.locator(".legal-body").textContent()).toContain("<script>alert(1)</script>");
  expect(await page.locator(".legal-body a").evaluateAll((as) => as.map((a) => a.getAttribute("href")))).toEqual(["mailto:dsb@example.org"]);
  expect(blocking(await scan(page, "legal: privacy notice (Markdown)"))).toEqual([]);
  await screenshot(page, "legal-privacy");

  await page.goto(`${server.url}/legal/accessibility`);
  await page.getByRole("heading", { name: "Erklärung zur Barrierefreiheit" }).waitFor();
  expect(await page.locator(".legal-body a[href='mailto:barriere@example.org']").count()).toBe(1);
  expect(blocking(await scan(page, "legal: accessibility statement"))).toEqual([]);
  expect(errors).toEqual([]);
});

test("GET /api/legal answers what is configured", async () => {
  const r = await fetch(`${server.url}/api/legal`);
  expect(await r.json()).toEqual({
    imprint: { url: "https://example.org/impressum" },
    privacy: { page: "/legal/privacy" },
    accessibility: null,
    feedback: "mailto:barriere@example.org",
  });
  const md = await fetch(`${server.url}/api/legal/privacy`);
  expect(md.headers.get("content-type")).toContain("text/markdown");
  expect(await md.text()).toContain("# Datenschutzerklärung");
});
