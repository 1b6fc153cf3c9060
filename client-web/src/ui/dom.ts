// A few DOM helpers. The page runs under a strict CSP (no inline styles or
// scripts) and user text must never be parsed as HTML, so:
// - text reaches the DOM only as text nodes / textContent,
// - styles are set through the CSSOM (element.style.x = …), never as a
//   style attribute string,
// - there is no innerHTML anywhere in the client.

type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  /** Plain attributes (aria-*, role, type, title, …); false/undefined skip. */
  attrs?: Record<string, string | number | boolean | undefined>;
  /** data-* attributes. */
  data?: Record<string, string>;
  on?: { [K in keyof HTMLElementEventMap]?: (ev: HTMLElementEventMap[K]) => void };
  text?: string;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.attrs) setAttrs(el, props.attrs);
  if (props.data) for (const [k, v] of Object.entries(props.data)) el.dataset[k] = v;
  if (props.on) {
    for (const [type, listener] of Object.entries(props.on)) el.addEventListener(type, listener as EventListener);
  }
  if (props.text !== undefined) el.textContent = props.text;
  append(el, children);
  return el;
}

export function setAttrs(el: Element, attrs: Record<string, string | number | boolean | undefined>): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) el.removeAttribute(k);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
}

export function append(el: Node, children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces the children of `el`. */
export function replace(el: Node, ...children: Child[]): void {
  while (el.firstChild) el.removeChild(el.firstChild);
  append(el, children);
}

/** Sets textContent only when it changed (keeps selections and screen readers calm). */
export function setText(el: Node, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

export function toggleClass(el: Element, name: string, on: boolean): void {
  if (el.classList.contains(name) !== on) el.classList.toggle(name, on);
}

/** A button with an accessible name; `label` is also its tooltip. */
export function button(label: string, onClick: (ev: MouseEvent) => void, props: Props & { icon?: SVGElement; showLabel?: boolean } = {}): HTMLButtonElement {
  const b = h("button", {
    ...props,
    attrs: { type: "button", "aria-label": label, title: label, ...props.attrs },
    on: { click: onClick, ...props.on },
  });
  if (props.icon) b.appendChild(props.icon);
  if (props.showLabel ?? !props.icon) b.appendChild(h("span", { class: "label", text: label }));
  return b;
}

/** Downloads `blob` under `filename` (an object URL on a temporary link). */
export function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = h("a", { attrs: { href: url, download: filename } });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Person colours: white text (names on cursors, initials on avatars) on
 *  each has a contrast of at least 5.3:1 (WCAG 1.4.3 needs 4.5:1);
 *  dom.test.ts checks every one. */
export const PERSON_COLORS: readonly string[] = [
  "#1f5fbf", "#b3246a", "#1d7a3e", "#a14d00", "#6a3fb8", "#0b6e80", "#b8261e", "#4d7000", "#3f4fb8", "#8a5a00",
];

/** A stable colour for a participant (cursors, avatars). */
export function personColor(id: string): string {
  let hash = 0;
  for (let i = 0; i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) | 0;
  return PERSON_COLORS[Math.abs(hash) % PERSON_COLORS.length] ?? "#1f5fbf";
}

/** WCAG 2.x contrast ratio of two #rrggbb colours. */
export function contrastRatio(a: string, b: string): number {
  const lum = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p) as [number, number];
  return (x + 0.05) / (y + 0.05);
}

/** Initials for an avatar: "Anna Berger" → "AB". */
export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const first = parts[0]?.[0] ?? "?";
  const last = parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? "") : "";
  return (first + last).toUpperCase();
}
