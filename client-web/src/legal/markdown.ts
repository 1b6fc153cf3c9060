// A small Markdown subset for legal pages, rendered to DOM nodes (text only,
// never HTML): # headings (1–3), paragraphs, "- " lists, **bold** and
// [links](https://… | mailto:…). Anything else stays literal text.
import { h } from "../ui/dom";

export function renderMarkdown(source: string): HTMLElement[] {
  const out: HTMLElement[] = [];
  let paragraph: string[] = [];
  let list: HTMLUListElement | undefined;
  const flush = () => {
    if (paragraph.length) out.push(h("p", {}, ...inline(paragraph.join(" "))));
    paragraph = [];
  };
  for (const raw of source.replace(/\r\n?/g, "\n").split("\n")) {
    const line = raw.trimEnd();
    const heading = /^(#{1,3})\s+(.*)$/.exec(line);
    const item = /^\s*[-*]\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      list = undefined;
      const level = (heading[1] ?? "#").length as 1 | 2 | 3;
      out.push(h(level === 1 ? "h1" : level === 2 ? "h2" : "h3", {}, ...inline(heading[2] ?? "")));
    } else if (item) {
      flush();
      if (!list) {
        list = h("ul");
        out.push(list);
      }
      list.appendChild(h("li", {}, ...inline(item[1] ?? "")));
    } else if (line.trim() === "") {
      flush();
      list = undefined;
    } else {
      list = undefined;
      paragraph.push(line.trim());
    }
  }
  flush();
  return out;
}

function inline(text: string): Node[] {
  const nodes: Node[] = [];
  const pattern = /\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let at = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    if (m.index > at) nodes.push(document.createTextNode(text.slice(at, m.index)));
    if (m[1] !== undefined) nodes.push(h("strong", { text: m[1] }));
    else if (m[2] !== undefined && m[3] !== undefined && /^(https?:\/\/|mailto:)/i.test(m[3])) nodes.push(h("a", { attrs: { href: m[3] }, text: m[2] }));
    else nodes.push(document.createTextNode(m[0]));
    at = m.index + m[0].length;
  }
  if (at < text.length) nodes.push(document.createTextNode(text.slice(at)));
  return nodes;
}
