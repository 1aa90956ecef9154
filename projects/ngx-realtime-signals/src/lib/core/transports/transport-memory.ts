import type { RealtimeTransportKind } from './transport-kind';

/** The part of the Web Storage API the memory uses (sessionStorage fits). */
export interface TransportStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const PREFIX = 'ngx-realtime-signals:transport:';
const KINDS = new Set<string>(['websocket', 'sse', 'long-poll']);

/**
 * Remembers which transport last worked for an endpoint, for `rememberMs`, so the next connect
 * (also after a reload in the same tab, with sessionStorage) starts with it instead of waiting
 * for the preferred one to fail again. Storage that throws (privacy modes) falls back to memory.
 *
 * @example
 * ```ts
 * const memory = new TransportMemory(sessionStorage, () => Date.now());
 * memory.remember('/api/chat', 'sse', 600_000);
 * memory.recall('/api/chat'); // 'sse' for the next ten minutes
 * ```
 */
export class TransportMemory {
  private readonly fallback = new Map<string, string>();

  constructor(
    private readonly storage: TransportStorage | null,
    private readonly now: () => number,
  ) {}

  recall(scope: string): RealtimeTransportKind | null {
    const raw = this.read(PREFIX + scope);
    if (raw === null) return null;
    const [kind, until] = raw.split('|');
    if (!KINDS.has(kind) || !(Number(until) > this.now())) return null;
    return kind as RealtimeTransportKind;
  }

  remember(scope: string, kind: RealtimeTransportKind, forMs: number): void {
    if (forMs <= 0) return;
    this.write(PREFIX + scope, `${kind}|${this.now() + forMs}`);
  }

  forget(scope: string): void {
    this.fallback.delete(PREFIX + scope);
    try {
      this.storage?.removeItem(PREFIX + scope);
    } catch {
      // storage that refuses is only a cache
    }
  }

  private read(key: string): string | null {
    try {
      const value = this.storage?.getItem(key);
      if (value !== undefined && value !== null) return value;
    } catch {
      // fall through to memory
    }
    return this.fallback.get(key) ?? null;
  }

  private write(key: string, value: string): void {
    this.fallback.set(key, value);
    try {
      this.storage?.setItem(key, value);
    } catch {
      // memory keeps it for this page
    }
  }
}

/** `order` with `preferred` moved to the front (when it is in the order). */
export function preferFirst(order: readonly RealtimeTransportKind[], preferred: RealtimeTransportKind | null): RealtimeTransportKind[] {
  if (preferred === null || !order.includes(preferred)) return [...order];
  return [preferred, ...order.filter((kind) => kind !== preferred)];
}

let shared: TransportMemory | null = null;

/**
 * The memory the services share on this page: over the page's sessionStorage, or memory alone
 * where there is none or reading it throws (sandboxed frames, privacy modes).
 */
export function sharedTransportMemory(document: { readonly defaultView: { readonly sessionStorage: TransportStorage } | null } | null): TransportMemory {
  if (shared) return shared;
  let storage: TransportStorage | null = null;
  try {
    storage = document?.defaultView?.sessionStorage ?? null;
  } catch {
    storage = null;
  }
  return (shared = new TransportMemory(storage, Date.now));
}
