/**
 * @module The admin token: taken from the URL fragment `#admin=<token>` (a
 * fragment never reaches a server log), kept in sessionStorage for this tab,
 * and removed from the address bar so that it is not shared by a copied link.
 */

const KEY = 'tokenfleet.adminToken';
const listeners = new Set<(token: string | null) => void>();

/** Moves a token from the fragment into sessionStorage; call once at start, before routing. */
export function takeAdminTokenFromUrl(): void {
  const hash = location.hash.replace(/^#/, '');
  const parts = hash.split(/[&?]/);
  const found = parts.find((p) => p.startsWith('admin='));
  if (found === undefined) return;
  const token = decodeURIComponent(found.slice('admin='.length));
  if (token !== '') sessionStorage.setItem(KEY, token);
  const rest = parts.filter((p) => p !== found && p.startsWith('/')).join('');
  history.replaceState(null, '', `${location.pathname}${location.search}#${rest || '/tokens'}`);
}

export function adminToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function setAdminToken(token: string | null): void {
  if (token === null || token.trim() === '') sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, token.trim());
  for (const l of listeners) l(adminToken());
}

/** Calls `listener` when the token is set or cleared; returns the unsubscribe function. */
export function onAdminTokenChange(listener: (token: string | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
