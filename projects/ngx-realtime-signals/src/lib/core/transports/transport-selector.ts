import type { RealtimeTransportKind, TransportFallbackOptions } from './transport-kind';
import { preferFirst, type TransportMemory } from './transport-memory';

export interface TransportSelectorOptions {
  /** The service's order, most preferred first (after `withTransports`). */
  order: readonly RealtimeTransportKind[];
  fallback: TransportFallbackOptions;
  memory: TransportMemory;
  /** Tries `kind` on its own in the background; resolves true when the server's first frame came through it. */
  probe(kind: RealtimeTransportKind): Promise<boolean>;
  /** The preferred transport works again: reconnect (the next attempt starts with it). */
  upgrade(): void;
  /** The transport in use changed (null: none). */
  changed(kind: RealtimeTransportKind | null): void;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

/**
 * Which transport a service uses, across attempts: each attempt starts with the
 * remembered winner (a fallback stays remembered for `rememberMs`), and while on a
 * fallback the preferred transport is probed in the background every `reprobeMs`;
 * when a probe gets through, the memory is cleared and the service reconnects,
 * starting with the preferred transport again. The switch is a resume on the
 * same cursor, so nothing is lost or repeated.
 *
 * @example
 * ```ts
 * const selector = new TransportSelector({ order: ['websocket', 'sse'], fallback, memory,
 *   probe: (kind) => probeSocket(), upgrade: () => connection.restartNow(), changed: (kind) => transport.set(kind) });
 * const order = selector.orderForAttempt('https://example.com/api/chat');
 * ```
 */
export class TransportSelector {
  private current: RealtimeTransportKind | null = null;
  private probeTimer: unknown = null;
  private probing = false;
  private stopped = false;
  private scope = '';

  constructor(private readonly options: TransportSelectorOptions) {}

  get transport(): RealtimeTransportKind | null {
    return this.current;
  }

  /** The order for the next attempt at `scope` (the endpoint, without credentials): the remembered winner first. */
  orderForAttempt(scope: string): RealtimeTransportKind[] {
    this.stopped = false;
    this.scope = scope;
    return preferFirst(this.options.order, this.options.memory.recall(scope));
  }

  /** An attempt committed to `kind`. */
  chosen(kind: RealtimeTransportKind): void {
    const { order, memory, fallback } = this.options;
    const scope = this.scope;
    this.setCurrent(kind);
    this.cancelProbe();
    if (kind === order[0]) {
      memory.forget(scope);
      return;
    }
    memory.remember(scope, kind, fallback.rememberMs);
    this.scheduleProbe();
  }

  /** The attempt ended (a reconnect follows, or the service stopped). */
  ended(): void {
    this.setCurrent(null);
    this.cancelProbe();
  }

  /** The service stopped: no probes until the next attempt. */
  stop(): void {
    this.stopped = true;
    this.ended();
  }

  private scheduleProbe(): void {
    const { fallback } = this.options;
    if (fallback.reprobeMs <= 0 || this.stopped) return;
    const set = this.options.setTimeout ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
    this.probeTimer = set(() => {
      this.probeTimer = null;
      void this.runProbe();
    }, fallback.reprobeMs);
  }

  private async runProbe(): Promise<void> {
    const preferred = this.options.order[0];
    const onFallback = this.current;
    if (this.probing || onFallback === null || onFallback === preferred || preferred === undefined) return;
    this.probing = true;
    let works = false;
    try {
      works = await this.options.probe(preferred);
    } catch {
      works = false;
    } finally {
      this.probing = false;
    }
    // the attempt may have ended or switched meanwhile: only a probe for the fallback still in use counts
    if (this.current !== onFallback || this.stopped) return;
    if (works) {
      this.options.memory.forget(this.scope);
      this.options.upgrade();
    } else {
      this.scheduleProbe();
    }
  }

  private cancelProbe(): void {
    if (this.probeTimer === null) return;
    const clear = this.options.clearTimeout ?? ((handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>));
    clear(this.probeTimer);
    this.probeTimer = null;
  }

  private setCurrent(kind: RealtimeTransportKind | null): void {
    if (this.current === kind) return;
    this.current = kind;
    this.options.changed(kind);
  }
}
