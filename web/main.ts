/**
 * @module The dashboard's entry: the admin token from the URL, the navigation,
 * and hash routing between the six pages (#/tokens is the default).
 */
import { adminToken, onAdminTokenChange, setAdminToken, takeAdminTokenFromUrl } from './admin-token.js';
import { h, replace } from './dom.js';
import type { View } from './view.js';
import { catalogueView } from './views/catalogue-view.js';
import { fleetView } from './views/fleet-view.js';
import { planView } from './views/plan-view.js';
import { simulateView } from './views/simulate-view.js';
import { tenantsView } from './views/tenants-view.js';
import { tokensView } from './views/tokens-view.js';

const VIEWS: readonly View[] = [tokensView, fleetView, tenantsView, planView, simulateView, catalogueView];

function currentView(): View {
  const route = location.hash.replace(/^#\/?/, '').split(/[/?&]/)[0] ?? '';
  return VIEWS.find((v) => v.route === route) ?? VIEWS[0]!;
}

/** The admin box: a field to paste the token, or "signed in" with a button to forget it. */
function adminBox(box: HTMLElement): void {
  const token = adminToken();
  if (token !== null) {
    replace(box, h('span', { class: 'admin-state' }, 'Admin token set for this tab'), h('button', { type: 'button', class: 'secondary', onclick: () => setAdminToken(null) }, 'Forget token'));
    return;
  }
  const input = h('input', { type: 'password', id: 'admin-token-input', name: 'admin-token', autocomplete: 'off', placeholder: 'printed by tokenfleet serve' });
  const form = h(
    'form',
    { class: 'admin-form', 'aria-label': 'Admin token', onsubmit: (e: Event) => (e.preventDefault(), setAdminToken(input.value)) },
    h('label', { for: input.id }, 'Admin token'),
    input,
    h('button', { type: 'submit' }, 'Use'),
  );
  replace(box, form);
}

function start(): void {
  takeAdminTokenFromUrl();
  const nav = document.getElementById('nav')!;
  const main = document.getElementById('view')!;
  const box = document.getElementById('admin-box')!;
  replace(nav, h('ul', {}, VIEWS.map((v) => h('li', {}, h('a', { href: `#/${v.route}`, 'data-route': v.route }, v.title)))));
  adminBox(box);

  let unmount: (() => void) | undefined;
  let shown: View | undefined;
  const show = (focus: boolean) => {
    const view = currentView();
    unmount?.();
    shown = view;
    for (const a of nav.querySelectorAll<HTMLAnchorElement>('a')) {
      if (a.dataset['route'] === view.route) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    document.title = `${view.title} · tokenfleet`;
    main.replaceChildren();
    unmount = view.mount(main);
    if (focus) main.focus();
  };
  window.addEventListener('hashchange', () => show(true));
  onAdminTokenChange(() => {
    adminBox(box);
    if (shown !== undefined) show(false);
  });
  show(false);
}

start();
