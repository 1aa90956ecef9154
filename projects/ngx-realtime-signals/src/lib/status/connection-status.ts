import type { Signal } from '@angular/core';
import type { RealtimeTransportKind } from '../core/transports/transport-kind';
import type { ConnectionState, RealtimeError, RealtimeGap } from '../core/types';

/**
 * Connection state as signals. Implemented by `NotificationService`,
 * `ChatService` and every `LongPollFeed`, so one status component fits all three.
 * A source of the app's own (say, a feed over another API) can implement it with
 * plain signals to use the same components, e.g. `RtConnectionStatus`.
 *
 * @example
 * ```ts
 * @Component({ selector: 'app-status', template: `
 *   @if (status().state() === 'reconnecting') { Reconnecting (attempt {{ status().attempt() }})
 *     <button (click)="status().retryNow()">Retry now</button> }` })
 * class StatusComponent { status = input.required<ConnectionStatus>(); }
 *
 * // an app's own source
 * const state = signal<ConnectionState>('idle');
 * const custom: ConnectionStatus = {
 *   state, connected: computed(() => state() === 'open'), attempt: signal(0), nextRetryAt: signal(null),
 *   lastError: signal(null), cursor: signal(null), gap: signal(null), retryNow: () => reconnectMyFeed(),
 * };
 * ```
 */
export interface ConnectionStatus {
  readonly state: Signal<ConnectionState>;
  /** `state() === 'open'`. */
  readonly connected: Signal<boolean>;
  /** 0 while open or idle; n during the n-th retry. */
  readonly attempt: Signal<number>;
  /** Epoch ms of the next scheduled retry, else null (also null while waiting for the browser to come online). */
  readonly nextRetryAt: Signal<number | null>;
  readonly lastError: Signal<RealtimeError | null>;
  /** Last event id seen (the resume cursor). */
  readonly cursor: Signal<string | null>;
  /** Set when the server reported that events were lost (cursor older than its history). */
  readonly gap: Signal<RealtimeGap | null>;
  /** The transport in use while connected (ChatService, NotificationService); null otherwise. Optional for other sources. */
  readonly transport?: Signal<RealtimeTransportKind | null>;
  /** Skips the backoff wait; a no-op unless `reconnecting` or `failed`. */
  retryNow(): void;
}
