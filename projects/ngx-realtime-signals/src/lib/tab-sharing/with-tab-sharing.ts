import { ENVIRONMENT_INITIALIZER, inject } from '@angular/core';
import { RealtimeTransports } from '../core/transports/realtime-transports';
import type { RealtimeFeature } from '../provide/features';
import { ɵTAB_SHARING_OPTIONS, type TabSharingOptions } from './tab-sharing';
import { TabSharingTransports } from './tab-sharing-transports';

const DEFAULT_NAME = 'ngx-realtime-signals';

/**
 * One connection per browser instead of one per tab. The tabs of an origin
 * elect a leader with the Web Locks API; only the leader opens the SSE
 * streams, long polls and chat socket, and relays what arrives to the other
 * tabs over a `BroadcastChannel`; the other tabs send their chat messages,
 * joins and typing through it. Every tab keeps its own services, signals,
 * cursors and dedup, so when the leader closes or crashes the next tab takes
 * over and each tab resumes from its own cursor: nothing lost, nothing twice.
 * Where Web Locks or BroadcastChannel are missing each tab keeps its own
 * connections, as without this feature; `inject(TabSharing).sharing()` tells which.
 * The leader runs the transport fallback for every tab (see `withTransports`), and
 * each tab's `transport()` shows the transport the leader uses.
 * Streams read with a custom `parse` or opened at a per-call `url` are not
 * shared (each tab opens its own): only streams of this library's protocol at
 * the configured endpoint can be caught up by cursor.
 *
 * @example
 * ```ts
 * export const appConfig: ApplicationConfig = {
 *   providers: [provideRealtime(withBaseUrl('/api'), withTabSharing())],
 * };
 * ```
 */
export function withTabSharing(options: TabSharingOptions = {}): RealtimeFeature {
  const name = options.name ?? DEFAULT_NAME;
  if (!/^[\w.:-]{1,100}$/.test(name)) {
    throw new Error(`withTabSharing: name must be 1-100 letters, digits, '_', '.', ':' or '-', got ${JSON.stringify(name)}`);
  }
  return {
    ɵkind: 'tabSharing',
    ɵoptions: {},
    ɵproviders: [
      { provide: ɵTAB_SHARING_OPTIONS, useValue: { name } },
      TabSharingTransports,
      { provide: RealtimeTransports, useExisting: TabSharingTransports },
      // elect at start-up, so sharing() is right before any service connects
      {
        provide: ENVIRONMENT_INITIALIZER,
        multi: true,
        useValue: () => {
          const transports = inject(RealtimeTransports);
          if (transports instanceof TabSharingTransports) transports.ɵstart();
        },
      },
    ],
  };
}
