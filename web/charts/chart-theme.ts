/** @module What every dashboard chart shares: the palette, the tick formats, and the width of its container. */
import { compact } from '../format.js';

/** Colour-blind-safe enough, dark enough on white for 3:1 against the background. */
export const PALETTE = ['#1f5fa8', '#c4501b', '#2e7d32', '#7b3fa0', '#00838f', '#8d6e00', '#ad1457', '#5d4037', '#455a64', '#3949ab'];
export const INK = '#1a1a1a';
export const BAD = '#c62828';

/** Tick format of a count or a rate: 1.2 K, 3.4 M. */
export const siTick = (v: number): string => compact(v).replace(' ', '');

/** Tick format of a clock time: 14:03:12. */
export const timeTick = (d: Date): string => d.toLocaleTimeString('en-GB', { hour12: false });

/** Width for a chart in `el`: its content width, within sane bounds. */
export function chartWidth(el: Element, fallback = 640): number {
  const w = el.clientWidth || fallback;
  return Math.max(280, Math.min(w, 1100));
}

/** Wraps a chart with a heading and a caption in a `<figure>`; `chart` may be replaced later by `figure.body`. */
export interface Figure {
  readonly figure: HTMLElement;
  readonly body: HTMLElement;
}

/** A titled `<figure>` whose chart is drawn into `body` once the figure is in the page (its width is known then). */
export function figure(id: string, title: string, caption: string): Figure {
  const doc = globalThis.document;
  const fig = doc.createElement('figure');
  fig.className = 'chart';
  fig.setAttribute('aria-labelledby', `${id}-title`);
  const h = doc.createElement('h3');
  h.id = `${id}-title`;
  h.textContent = title;
  const body = doc.createElement('div');
  body.className = 'chart-body';
  body.dataset['chart'] = id;
  const cap = doc.createElement('figcaption');
  cap.textContent = caption;
  fig.append(h, body, cap);
  return { figure: fig, body };
}

/** Draws `make(width)` into `body`; a chart that throws is replaced by its message, so one bad chart leaves the page usable. */
export function draw(body: HTMLElement, make: (width: number) => Element): void {
  try {
    body.replaceChildren(make(chartWidth(body)));
  } catch (err) {
    const p = globalThis.document.createElement('p');
    p.className = 'error';
    p.textContent = `This chart could not be drawn: ${err instanceof Error ? err.message : String(err)}`;
    body.replaceChildren(p);
  }
}
