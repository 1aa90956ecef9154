import { Injectable, inject } from '@angular/core';
import { FetchRealtimeTransports } from '../provide/fetch-realtime-transports';
import { RealtimeTransports, type PollRequest, type PollResponse, type SocketHandle, type SocketRequest, type SocketSink, type StreamRequest, type StreamSink } from '../core/transports/realtime-transports';
import { TabSharing } from './tab-sharing';

/**
 * The transports `withTabSharing()` installs: through the leader tab when the
 * browser can share (the leader itself goes through its own hub, which holds
 * the real connections), straight to the network when it cannot.
 */
@Injectable()
export class TabSharingTransports extends RealtimeTransports {
  private readonly real = inject(FetchRealtimeTransports);
  private readonly sharing = inject(TabSharing);

  /** @internal Joins the election (at start-up, so `sharing()` is right before any service connects). */
  ɵstart(): void {
    this.target();
  }

  private target(): RealtimeTransports {
    return this.sharing.ɵsession(this.real) ?? this.real;
  }

  override openStream(req: StreamRequest, sink: StreamSink): () => void {
    return this.target().openStream(req, sink);
  }

  override poll(req: PollRequest): Promise<PollResponse> {
    return this.target().poll(req);
  }

  override openSocket(req: SocketRequest, sink: SocketSink): SocketHandle {
    return this.target().openSocket(req, sink);
  }
}
