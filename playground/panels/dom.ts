// The few DOM helpers the panels share: build an element with attributes and
// children in one call, and fill a container anew. No framework: the
// panels re-render their small tables whole on each update.

export type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K, attrs: Record<string, string | number | boolean | undefined> = {}, ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') el.className = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

/** Replace everything in `el` with `children`. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A <table> with a caption, a header row and body rows (cells are strings or nodes). */
export function table(caption: string, head: readonly string[], rows: readonly HTMLTableRowElement[], attrs: Record<string, string> = {}): HTMLTableElement {
  return h('table', { class: 'pg-table', ...attrs },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows));
}

let ids = 0;
/** A document-unique id for label/for pairs (several panels of one kind may share a page). */
export function uid(prefix: string): string {
  return `${prefix}-${++ids}`;
}
