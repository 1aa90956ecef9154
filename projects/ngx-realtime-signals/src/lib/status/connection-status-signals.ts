import { computed, signal, type Signal } from '@angular/core';
import type { Connection, ConnectionSnapshot } from '../core/connection';
import type { ConnectionState, RealtimeError, RealtimeGap } from '../core/types';

/**
 * The writable signals behind a `ConnectionStatus`. A service owns one, mirrors
 * its {@link Connection} into it and exposes the read-only views.
 *
 * @example
 * ```ts
 * class MyFeed implements ConnectionStatus {
 *   private readonly status = new ConnectionStatusSignals();
 *   readonly state = this.status.state.asReadonly();
 *   readonly connected = this.status.connected;
 *   // ... attempt, nextRetryAt, lastError, cursor, gap likewise
 *   constructor() { mirrorConnection(this.connection, this.status); }
 * }
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
