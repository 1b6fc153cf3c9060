// axe-core (the npm package, never fetched at run time) injected into a page
// with playwright-core, run with the WCAG 2.0/2.1 A and AA rules plus WCAG
// 2.2's target size (2.5.8). Every scan's counts per impact are collected so
// the suite can write them to test-results/axe-figures.json.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { RESULTS_DIR } from "./harness";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
  /** axe's failure summary per node (e.g. the measured contrast). */
  details: string[];
}

export interface AxeFigures {
  critical: number;
  serious: number;
  moderate: number;
  minor: number;
  rules: string[];
  /** Every failing node with axe's reason, for whoever fixes it. */
  nodes: string[];
}

const figures: Record<string, AxeFigures> = {};

/** Scans the page as it is now. `page.evaluate` runs outside the page's
 *  CSP, so the app's strict script-src needs no exception for axe. */
export async function scan(page: Page, view: string): Promise<AxeViolation[]> {
  const hasAxe = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === "object");
  if (!hasAxe) await page.evaluate(axeSource);
  // A toast fading in is measured at its passing opacity: let finite
  // animations (toast-in, 0.18 s) end first, as a reader sees the page.
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((a) => Number.isFinite(Number(a.effect?.getComputedTiming().endTime)))
        .map((a) => a.finished.catch(() => undefined)),
    ),
  );
  const violations = await page.evaluate(async (tags) => {
    type Result = { id: string; impact: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] };
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: Result[] }> } }).axe;
    // A toast in its 200 ms fade-out is on its way out of the DOM (and
    // aria-hidden): its passing opacity is not the page's contrast.
    const r = await axe.run({ exclude: [[".toast.leaving"]] }, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.map(String).join(" > ")), details: v.nodes.map((n) => (n.failureSummary ?? "").replace(/\s+/g, " ").slice(0, 240)) }));
  }, AXE_TAGS);
  const f: AxeFigures = { critical: 0, serious: 0, moderate: 0, minor: 0, rules: [], nodes: [] };
  for (const v of violations) {
    const n = v.targets.length;
    if (v.impact === "critical" || v.impact === "serious" || v.impact === "moderate" || v.impact === "minor") f[v.impact] += n;
    f.rules.push(`${v.impact}: ${v.id} ×${n}`);
    v.targets.forEach((target, i) => f.nodes.push(`${v.id} ${target}: ${v.details[i] ?? ""}`));
  }
  figures[view] = f;
  return violations;
}

/** The serious and critical ones, as readable lines (empty when none). */
export function blocking(violations: AxeViolation[]): string[] {
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.targets.slice(0, 5).join(" | ")}${v.targets.length > 5 ? ` (+${v.targets.length - 5})` : ""}`);
}

export function writeFigures(file = "axe-figures.json"): Record<string, AxeFigures> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, file), JSON.stringify(figures, null, 2));
  return figures;
}
