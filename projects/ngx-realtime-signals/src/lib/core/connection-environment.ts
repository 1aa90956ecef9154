/** Something that takes DOM-style event listeners (`window`, `document`). */
export interface ListenerTarget {
  addEventListener(type: string, listener: (event: Event) => void): void;
  removeEventListener(type: string, listener: (event: Event) => void): void;
}

/**
 * The browser signals a {@link Connection} reacts to, injectable so tests can
 * drive them: `window` fires `online` and `pageshow`, `document` fires
 * `visibilitychange` and tells `visibilityState`, `navigator.onLine` says
 * whether retrying is worth it at all. Missing parts are simply not watched.
 *
 * @example
 * ```ts
 * const win = new EventTarget();
 * const env: ConnectionEnvironment = { window: win, document: null, navigator: { onLine: false } };
 * new Connection(attempt, { policy, environment: env });
 * win.dispatchEvent(new Event('online'));
 * ```
 */
export interface ConnectionEnvironment {
  readonly window?: ListenerTarget | null;
  readonly document?: (ListenerTarget & { readonly visibilityState?: string }) | null;
  readonly navigator?: { readonly onLine?: boolean } | null;
}

/**
 * The real browser's environment, or an empty one where there is no DOM (Node).
 *
 * @example
 * ```ts
 * new Connection(attempt, { policy, environment: browserEnvironment() });
 * ```
 */
export function browserEnvironment(): ConnectionEnvironment {
  const g = globalThis as {
    addEventListener?: unknown;
    document?: ListenerTarget & { visibilityState?: string };
    navigator?: { onLine?: boolean };
  };
  return {
    window: typeof g.addEventListener === 'function' ? (g as unknown as ListenerTarget) : null,
    document: g.document && typeof g.document.addEventListener === 'function' ? g.document : null,
    navigator: g.navigator ?? null,
  };
}
