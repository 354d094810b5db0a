/** @module Building DOM nodes without a framework: `h('p', {class: 'x'}, 'text')`. */

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

/**
 * An element with attributes and children. `on...` attributes taking a
 * function become event listeners; `false`, `null` and `undefined` leave an
 * attribute out; `true` writes it empty (e.g. `required`).
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | readonly Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (v === true) el.setAttribute(k, '');
    else if (v !== false && v !== null && v !== undefined) el.setAttribute(k, String(v));
  }
  append(el, ...children);
  return el;
}

export function append(el: Element, ...children: (Child | readonly Child[])[]): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'number' ? String(c) : c);
  }
}

/** Replaces the children of `el`. */
export function replace(el: Element, ...children: (Child | readonly Child[])[]): void {
  el.replaceChildren();
  append(el, ...children);
}

/** A table with a caption; `num` marks right-aligned numeric columns. */
export function table(caption: string, headers: readonly string[], rows: readonly (readonly Child[])[], num: readonly number[] = [], scroll = false): HTMLElement {
  const cls = (i: number) => (num.includes(i) ? 'num' : null);
  return h(
    'div',
    { class: scroll ? 'table-wrap scroll' : 'table-wrap', tabindex: scroll ? 0 : null, role: scroll ? 'region' : null, 'aria-label': scroll ? caption : null },
    h(
      'table',
      {},
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, headers.map((t, i) => h('th', { scope: 'col', class: cls(i) }, t)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c, i) => h('td', { class: cls(i) }, c))))),
    ),
  );
}

/** A labelled form field: `<label>` then the control, the control with the given id. */
let fieldCount = 0;

export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  const id = control.id || `field-${++fieldCount}`;
  control.id = id;
  const hintEl = hint ? h('span', { class: 'hint', id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hintEl);
}
