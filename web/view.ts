/** @module What a page of the dashboard is: a route, a title, and a mount that returns its clean-up. */

export interface View {
  /** The hash route, e.g. `tokens` for `#/tokens`. */
  readonly route: string;
  /** Link text and page title. */
  readonly title: string;
  /** Draws the page into `root`; returns what stops its timers when the page is left. */
  mount(root: HTMLElement): () => void;
}

/** Calls `tick` now and then every `ms` while the tab is visible; returns the stop function. */
export function every(ms: number, tick: () => Promise<void> | void): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const loop = async () => {
    if (stopped) return;
    if (document.visibilityState !== 'hidden') {
      try {
        await tick();
      } catch (err) {
        console.warn(err);
      }
    }
    if (!stopped) timer = setTimeout(() => void loop(), ms);
  };
  void loop();
  return () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
  };
}
