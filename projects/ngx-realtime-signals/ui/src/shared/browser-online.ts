import { DOCUMENT, DestroyRef, Signal, inject, signal } from '@angular/core';

/**
 * `navigator.onLine` as a signal, updated by the window's `online`/`offline` events.
 * Always true where there is no window (server rendering).
 * Must be called in an injection context.
 */
export function browserOnline(): Signal<boolean> {
  const win = inject(DOCUMENT).defaultView;
  const online = signal(win?.navigator?.onLine ?? true);
  if (win) {
    const update = () => online.set(win.navigator.onLine);
    win.addEventListener('online', update);
    win.addEventListener('offline', update);
    inject(DestroyRef).onDestroy(() => {
      win.removeEventListener('online', update);
      win.removeEventListener('offline', update);
    });
  }
  return online.asReadonly();
}
