import { computed, signal, type Signal } from '@angular/core';
import type { Connection, ConnectionSnapshot } from '../core/connection';
import type { ConnectionState, RealtimeError, RealtimeGap } from '../core/types';

/**
 * The writable signals behind a service's `ConnectionStatus`. Internal: each
 * service owns one and mirrors its {@link Connection} into it. An app that
 * builds its own source for the `ui` components implements the public
 * `ConnectionStatus` interface instead.
 *
 * @example
 * ```ts
 * private readonly status = new ConnectionStatusSignals();
 * readonly state = this.status.state.asReadonly();
 * constructor() { inject(DestroyRef).onDestroy(mirrorConnection(this.connection, this.status)); }
 * ```
 */
export class ConnectionStatusSignals {
  readonly state = signal<ConnectionState>('idle');
  readonly attempt = signal(0);
  readonly nextRetryAt = signal<number | null>(null);
  readonly lastError = signal<RealtimeError | null>(null);
  readonly cursor = signal<string | null>(null);
  readonly gap = signal<RealtimeGap | null>(null);
  readonly connected: Signal<boolean> = computed(() => this.state() === 'open');

  /** Copies a connection snapshot into the signals (unchanged values do not notify). */
  apply(snapshot: ConnectionSnapshot): void {
    this.state.set(snapshot.state);
    this.attempt.set(snapshot.attempt);
    this.nextRetryAt.set(snapshot.nextRetryAt);
    this.lastError.set(snapshot.lastError);
  }
}

/**
 * Keeps `signals` in step with `connection` (state, attempt, next retry, last
 * error); returns the function that stops it.
 *
 * @example
 * ```ts
 * const stopMirroring = mirrorConnection(connection, status);
 * inject(DestroyRef).onDestroy(stopMirroring);
 * ```
 */
export function mirrorConnection(connection: Connection, signals: ConnectionStatusSignals): () => void {
  signals.apply(connection.snapshot());
  return connection.subscribe((snapshot) => signals.apply(snapshot));
}
