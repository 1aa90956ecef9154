import { DOCUMENT, Injectable, Injector, inject } from '@angular/core';
import { DEFAULT_CHAT_TRANSPORTS, DEFAULT_NOTIFICATION_TRANSPORTS } from '../core/transports/transport-kind';
import { sharedTransportMemory } from '../core/transports/transport-memory';
import { resolvePollUrl, resolveStream } from '../provide/endpoints';
import { serviceOrder } from '../provide/transports-option';
import { REALTIME_CONFIG, REALTIME_FETCH, REALTIME_WEBSOCKET } from '../provide/tokens';
import { NetworkTransports } from './network-transports';
import { RealtimeTransports, type PollRequest, type PollResponse, type SocketHandle, type SocketRequest, type SocketSink, type StreamRequest, type StreamSink } from '../core/transports/realtime-transports';
import { TabSharing } from './tab-sharing';

/** How long each long poll standing in for a stream may be held (as a service on its own holds it). */
const FALLBACK_POLL_HOLD_MS = 25_000;

/**
 * The transports `withTabSharing()` installs: through the leader tab when the
 * browser can share (the leader itself goes through its own hub, which holds
 * the real connections), straight to the network when it cannot. Either way the
 * network side runs the transport fallback (see `NetworkTransports`).
 */
@Injectable()
export class TabSharingTransports extends RealtimeTransports {
  private readonly injector = inject(Injector);
  private readonly sharing = inject(TabSharing);
  private readonly config = inject(REALTIME_CONFIG);
  private readonly document = inject(DOCUMENT, { optional: true });
  private readonly real = new NetworkTransports(
    () => this.injector.get(REALTIME_FETCH),
    () => this.injector.get(REALTIME_WEBSOCKET, null) ?? null,
    () => ({
      chat: serviceOrder(this.config.transports, DEFAULT_CHAT_TRANSPORTS),
      stream: serviceOrder(this.config.transports, DEFAULT_NOTIFICATION_TRANSPORTS),
      timings: this.config.transportFallback,
      memory: sharedTransportMemory(this.document),
      pollUrl: (req) => (this.shareable(req) ? this.catchUpUrl(req.topic) : null),
      pollHoldMs: FALLBACK_POLL_HOLD_MS,
      pollLimit: Math.min(1000, Math.max(100, this.config.buffers.notifications)),
    }),
  );
  private readonly catchUpUrl = (topic: string) => resolvePollUrl(this.config, topic, undefined);

  /** @internal Joins the election (at start-up, so `sharing()` is right before any service connects). */
  ɵstart(): void {
    this.target();
  }

  private target(): RealtimeTransports {
    return this.sharing.ɵsession(this.real, this.catchUpUrl) ?? this.real;
  }

  override openStream(req: StreamRequest, sink: StreamSink): () => void {
    return (this.shareable(req) ? this.target() : this.real).openStream(req, sink);
  }

  /**
   * A stream of this library's protocol at the configured endpoint: its events
   * carry ids, and the poll endpoint of its topic catches a tab up by cursor.
   * Anything else (a custom `parse`, a per-call URL) keeps one connection per tab.
   */
  private shareable(req: StreamRequest): boolean {
    if (req.parse !== undefined) return false;
    const configured = resolveStream(this.config, req.topic, {});
    return configured.parse === undefined && configured.url === req.url;
  }

  override poll(req: PollRequest): Promise<PollResponse> {
    return this.target().poll(req);
  }

  override openSocket(req: SocketRequest, sink: SocketSink): SocketHandle {
    return this.target().openSocket(req, sink);
  }
}
