/** @module `GET /api/live`, polled every 1.5 s while some page listens, shared by the pages that show it. */
import { errorText, getJson } from './api.js';
import type { LiveStats } from './api-types.js';
import { every } from './view.js';

export const LIVE_POLL_MS = 1500;

type Listener = (live: LiveStats | null, error: string | null) => void;
const listeners = new Set<Listener>();
let stop: (() => void) | undefined;
let last: LiveStats | null = null;

async function poll(): Promise<void> {
  try {
    last = await getJson<LiveStats>('/api/live');
    for (const l of listeners) l(last, null);
  } catch (err) {
    for (const l of listeners) l(last, `live figures unavailable: ${errorText(err)}`);
  }
}

/** Calls `listener` with each new figure (the last one at once, if any); returns the unsubscribe function. */
export function subscribeLive(listener: Listener): () => void {
  listeners.add(listener);
  if (last !== null) listener(last, null);
  stop ??= every(LIVE_POLL_MS, poll);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      stop?.();
      stop = undefined;
    }
  };
}
