import { Injectable, Injector, inject } from '@angular/core';
import { resolvePollUrl, resolveStream } from '../provide/endpoints';
import { REALTIME_CONFIG, REALTIME_FETCH, REALTIME_WEBSOCKET } from '../provide/tokens';
import { NetworkTransports } from './network-transports';
import { RealtimeTransports, type PollRequest, type PollResponse, type SocketHandle, type SocketRequest, type SocketSink, type StreamRequest, type StreamSink } from '../core/transports/realtime-transports';
import { TabSharing } from './tab-sharing';

/**
 * The transports `withTabSharing()` installs: through the leader tab when the
 * browser can share (the leader itself goes through its own hub, which holds
 * the real connections), straight to the network when it cannot.
 */
@Injectable()
export class TabSharingTransports extends RealtimeTransports {
  private readonly injector = inject(Injector);
  private readonly real = new NetworkTransports(
    () => this.injector.get(REALTIME_FETCH),
    () => this.injector.get(REALTIME_WEBSOCKET, null) ?? null,
  );
  private readonly sharing = inject(TabSharing);
  private readonly config = inject(REALTIME_CONFIG);
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
