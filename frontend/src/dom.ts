// Tiny DOM helpers. Nothing here sets inline style attributes or uses
// innerHTML, so the widget runs under a strict CSP.

type Child = Node | string | null | undefined | false;
type Props = Record<string, unknown>;

/** Create an element. Props: class, text, on<Event> handlers, boolean DOM properties, other attributes. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") el.className = String(v);
      else if (k === "text") el.textContent = String(v);
      else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v as EventListener);
      else if (k === "hidden" || k === "disabled" || k === "required" || k === "value") (el as any)[k] = v;
      else el.setAttribute(k, v === true ? "" : String(v));
    }
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c);
  }
  return el;
}

const ALLOWED: Record<string, string[]> = {
  P: [],
  BR: [],
  EM: [],
  STRONG: [],
  DEL: [],
  BLOCKQUOTE: [],
  UL: [],
  OL: ["start"],
  LI: [],
  CODE: [],
  PRE: [],
  A: ["href"],
};
const DROP = new Set(["SCRIPT", "STYLE", "TEMPLATE", "IFRAME", "OBJECT", "EMBED", "NOSCRIPT", "SVG", "MATH", "IMG", "FORM", "INPUT", "TEXTAREA", "SELECT", "BUTTON"]);

/** Whether href is an absolute http(s) or mailto URL. */
export function safeHref(href: string): boolean {
  return /^(https?:\/\/|mailto:)/i.test(href.trim());
}

/**
 * Parse server-rendered comment HTML in an inert document and copy only the
 * markdown-subset elements into a fragment. The server already sanitizes;
 * this is defence in depth so the widget never trusts markup blindly.
 */
export function safeFragment(html: string): DocumentFragment {
  const doc = new DOMParser().parseFromString(html, "text/html");
  const out = document.createDocumentFragment();
  copy(doc.body, out);
  return out;
}

function copy(src: globalThis.Node, dst: globalThis.Node): void {
  src.childNodes.forEach((n) => {
    if (n.nodeType === 3) {
      dst.appendChild(document.createTextNode(n.textContent || ""));
      return;
    }
    if (n.nodeType !== 1) return;
    const el = n as Element;
    const tag = el.tagName.toUpperCase();
    if (DROP.has(tag)) return;
    const attrs = ALLOWED[tag];
    if (!attrs) {
      copy(el, dst); // unknown element: keep its text
      return;
    }
    const out = document.createElement(tag.toLowerCase());
    for (const a of attrs) {
      const v = el.getAttribute(a);
      if (v === null) continue;
      if (a === "href" && !safeHref(v)) continue;
      if (a === "start" && !/^\d{1,6}$/.test(v)) continue;
      out.setAttribute(a, v);
    }
    if (tag === "A") {
      out.setAttribute("rel", "nofollow ugc noopener");
      out.setAttribute("target", "_blank");
    }
    copy(el, out);
    dst.appendChild(out);
  });
}
