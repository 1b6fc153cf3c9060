// Legal pages: imprint, privacy notice, accessibility statement and the
// feedback link (BGG §12b / BITV 2.0 §7), as the server's operator set them
// (GET /api/legal, see server/net/legal.hpp). Every page links them; a page
// given as a Markdown file shows at /legal/<name>; without a configured
// accessibility statement /legal/accessibility shows the built-in template.
import { h } from "../ui/dom";
import type { LanguageState } from "../ui/i18n";
import { renderMarkdown } from "./markdown";

export type LegalName = "imprint" | "privacy" | "accessibility";

export interface LegalInfo {
  imprint: { url?: string; page?: string } | null;
  privacy: { url?: string; page?: string } | null;
  accessibility: { url?: string; page?: string } | null;
  feedback: string | null;
}

const NONE: LegalInfo = { imprint: null, privacy: null, accessibility: null, feedback: null };
let cached: Promise<LegalInfo> | undefined;

/** What the server names (nothing when it cannot be asked). */
export function legalInfo(): Promise<LegalInfo> {
  cached ??= fetch("/api/legal", { headers: { Accept: "application/json" } })
    .then((r) => (r.ok ? (r.json() as Promise<LegalInfo>) : NONE))
    .catch(() => NONE);
  return cached;
}

/** Only web and mail links become hrefs (never javascript: or data:). */
export function safeHref(url: string): string | undefined {
  return /^(https?:\/\/|mailto:)/i.test(url) ? url : undefined;
}

/** The links for every page's footer. Filled in once /api/legal answers. */
export function legalLinks(lang: LanguageState): HTMLElement {
  const nav = h("nav", { class: "legal-links", attrs: { "aria-label": lang.t("legalNav") } });
  const fill = (info: LegalInfo) => {
    const t = lang.t;
    const items: [string, string | undefined][] = [
      [t("imprint"), info.imprint?.url ?? info.imprint?.page],
      [t("privacyNotice"), info.privacy?.url ?? info.privacy?.page],
      // Always there: the built-in statement when none is configured.
      [t("accessibilityStatement"), info.accessibility?.url ?? info.accessibility?.page ?? "/legal/accessibility"],
      [t("reportBarrier"), info.feedback ?? undefined],
    ];
    nav.replaceChildren(
      ...items
        .filter(([, href]) => href && (href.startsWith("/legal/") || safeHref(href)))
        .map(([label, href]) => h("a", { class: "legal-link", attrs: { href: href as string }, text: label })),
    );
  };
  fill(NONE);
  void legalInfo().then(fill);
  lang.changes.add(() => {
    if (nav.isConnected) void legalInfo().then(fill);
  });
  return nav;
}

/** The page at /legal/<name>. */
export function legalPage(root: HTMLElement, name: string, lang: LanguageState): void {
  const t = lang.t;
  const body = h("article", { class: "legal-body" }, h("p", { text: t("loading") }));
  const page = h("main", { class: "legal-page" }, h("p", {}, h("a", { class: "legal-back", attrs: { href: "/" }, text: "werkstatt" })), body, legalLinks(lang));
  root.replaceChildren(page);
  const show = async () => {
    const info = await legalInfo();
    const known = name === "imprint" || name === "privacy" || name === "accessibility" ? (name as LegalName) : undefined;
    const entry = known ? info[known] : null;
    if (known && entry?.page) {
      const r = await fetch(`/api/legal/${known}`).catch(() => undefined);
      if (r?.ok) {
        body.replaceChildren(...renderMarkdown(await r.text()));
        document.title = body.querySelector("h1")?.textContent ?? "werkstatt";
        return;
      }
    }
    if (known && entry?.url && safeHref(entry.url)) {
      body.replaceChildren(h("p", {}, h("a", { attrs: { href: entry.url }, text: entry.url })));
      return;
    }
    if (known === "accessibility") {
      body.replaceChildren(...renderMarkdown(accessibilityTemplate(lang.current, info.feedback)));
      document.title = t("accessibilityStatement");
      return;
    }
    body.replaceChildren(h("h1", { text: t("legalMissingTitle") }), h("p", { text: t("legalMissing") }));
  };
  void show();
  lang.changes.add(() => void show());
}

/** The built-in accessibility statement: what the software itself
 *  achieves and how it was checked. The operator publishes their own
 *  (--accessibility-statement) with the responsible body, the date of
 *  the last review and the enforcement body of their federal state. */
export function accessibilityTemplate(language: "de" | "en", feedback: string | null): string {
  const contact = feedback ? `[${feedback.replace(/^mailto:/, "")}](${feedback})` : language === "de" ? "die Stelle, die diesen Workshop anbietet" : "the organisation offering this workshop";
  if (language === "de") {
    return `# Erklärung zur Barrierefreiheit

Diese Erklärung gilt für die Workshop-Oberfläche werkstatt auf diesem Server.

## Stand der Vereinbarkeit

Die Oberfläche soll die Anforderungen der BITV 2.0 (EN 301 549, WCAG 2.1 Stufe AA) erfüllen. Sie wird bei jeder Änderung automatisiert mit axe-core geprüft (alle Ansichten: Beitritt, Board in jeder Phase, Telefonansicht, Moderationspanel, Replay): ohne kritische oder schwerwiegende Verstöße. Alle Aktionen sind auch mit der Tastatur möglich (Taste ? zeigt die Tastenkürzel). Eine Prüfung durch Sachverständige steht noch aus; die Oberfläche ist daher **teilweise vereinbar**.

## Nicht barrierefreie Inhalte

- Das Board ist eine frei verschiebbare Fläche; die räumliche Anordnung der Karten wird für Screenreader als Listen je Bereich in Leserichtung wiedergegeben.
- Der QR-Code zum Beitreten ist ein Bild; der Zugangscode und der Link stehen daneben als Text.
- Automatisierte Prüfungen finden nicht alle Barrieren.

## Feedback und Kontakt

Sind Ihnen Mängel beim barrierefreien Zugang aufgefallen? Bitte melden Sie sich: ${contact}.

## Durchsetzungsverfahren

Wenn Sie auf Ihre Meldung keine zufriedenstellende Antwort erhalten, können Sie sich an die Schlichtungsstelle nach dem Behindertengleichstellungsgesetz oder an die Durchsetzungsstelle Ihres Bundeslandes wenden.
`;
  }
  return `# Accessibility statement

This statement covers the werkstatt workshop interface on this server.

## Compliance status

The interface aims to meet BITV 2.0 (EN 301 549, WCAG 2.1 level AA). Every change is checked automatically with axe-core (every view: joining, the board in each phase, the phone view, the facilitator panel, the replay) with no critical or serious violations. Every action works with the keyboard too (press ? for the shortcuts). An expert review is still to come; the interface is therefore **partially compliant**.

## Content that is not accessible

- The board is a freely movable surface; screen readers get its notes as one list per area in reading order.
- The QR code for joining is an image; the access code and the link are shown beside it as text.
- Automated checks do not find every barrier.

## Feedback and contact

Have you found a barrier? Please tell us: ${contact}.

## Enforcement

If you get no satisfactory answer, you can turn to the conciliation body under the German Disability Equality Act (BGG) or to the enforcement body of your federal state.
`;
}
