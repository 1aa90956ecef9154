/**
 * The browser parts tab sharing runs on, behind small interfaces so the election
 * and relay logic is plain TypeScript and unit tests can drive several "tabs" in
 * one process with fake locks and channels.
 */

/** The part of `navigator.locks` (Web Locks API) the election uses. */
export interface TabLocks {
  /** `navigator.locks.request(name, options, callback)`. */
  request(
    name: string,
    options: { ifAvailable?: boolean; signal?: AbortSignal },
    callback: (lock: unknown) => Promise<unknown> | unknown,
  ): Promise<unknown>;
  /** `navigator.locks.query()`: the locks held right now. */
  query(): Promise<{ held?: { name?: string }[] }>;
}

/** The part of a `BroadcastChannel` the relay uses. */
export interface TabChannel {
  /** Sends a structured-cloneable message to every other channel of the name. */
  postMessage(message: unknown): void;
  /** Stops sending and receiving. */
  close(): void;
  /** Called with each message another channel of the name sent. */
  onmessage: ((event: { data: unknown }) => void) | null;
}

/**
 * Everything tab sharing needs from the page. `channel` opens a channel of the
 * given name; `pageEvents` fires `pagehide`/`pageshow` (window) and `freeze`/`resume` (document).
 */
export interface TabEnvironment {
  /** The Web Locks API (`navigator.locks`). */
  readonly locks: TabLocks;
  /** Opens a `BroadcastChannel` of the name. */
  channel(name: string): TabChannel;
  /** Where `pagehide`, `pageshow`, `freeze` and `resume` are listened for; null: not watched. */
  readonly pageEvents: readonly {
    addEventListener(type: string, listener: (event: Event) => void): void;
    removeEventListener(type: string, listener: (event: Event) => void): void;
  }[];
  /** Epoch floor shared by the tabs of the origin (localStorage), or null when there is none. */
  readonly storage: { getItem(key: string): string | null; setItem(key: string, value: string): void } | null;
  /** `Date.now()`. */
  now(): number;
  /** `setTimeout`: the liveness check and poll waits run on it. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** `clearTimeout`. */
  clearTimeout(handle: unknown): void;
}

/**
 * The real browser's environment, or null where Web Locks or BroadcastChannel is
 * missing (old browsers, insecure contexts, the server platform): tabs then keep
 * one connection each, as without sharing.
 */
export function browserTabEnvironment(): TabEnvironment | null {
  const g = globalThis as {
    navigator?: { locks?: TabLocks };
    BroadcastChannel?: new (name: string) => TabChannel;
    addEventListener?: unknown;
    document?: { addEventListener?: unknown };
    localStorage?: TabEnvironment['storage'];
  };
  const locks = g.navigator?.locks;
  const Channel = g.BroadcastChannel;
  if (!locks || typeof locks.request !== 'function' || typeof Channel !== 'function') return null;
  const pageEvents: TabEnvironment['pageEvents'][number][] = [];
  if (typeof g.addEventListener === 'function') pageEvents.push(g as unknown as TabEnvironment['pageEvents'][number]);
  if (g.document && typeof g.document.addEventListener === 'function') {
    pageEvents.push(g.document as unknown as TabEnvironment['pageEvents'][number]);
  }
  let storage: TabEnvironment['storage'] = null;
  try {
    storage = g.localStorage ?? null; // reading it throws where storage is blocked
  } catch {
    storage = null;
  }
  return {
    locks,
    channel: (name) => new Channel(name),
    pageEvents,
    storage,
    now: () => Date.now(),
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
}
