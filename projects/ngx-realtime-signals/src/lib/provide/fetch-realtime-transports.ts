import { Injectable, inject } from '@angular/core';
import { openWebSocket } from '../core/transports/websocket-transport';
import { pollOnce } from '../core/transports/poll-transport';
import { openSseStream } from '../core/transports/sse-transport';
import {
  RealtimeTransports,
  type PollRequest,
  type PollResponse,
  type SocketHandle,
  type SocketRequest,
  type SocketSink,
  type StreamRequest,
  type StreamSink,
} from '../core/transports/realtime-transports';
import { REALTIME_FETCH, REALTIME_WEBSOCKET } from './tokens';

/**
 * The real transports `provideRealtime()` installs: SSE and long polling over
 * the `REALTIME_FETCH` function, chat over the `REALTIME_WEBSOCKET` constructor.
 *
 * @example
 * ```ts
 * // provided for you by provideRealtime(); inject the seam, not this class:
 * const transports = inject(RealtimeTransports);
 * ```
 */
@Injectable()
export class FetchRealtimeTransports extends RealtimeTransports {
  private readonly fetchImpl = inject(REALTIME_FETCH);
  private readonly webSocket = inject(REALTIME_WEBSOCKET, { optional: true });

  override openStream(req: StreamRequest, sink: StreamSink): () => void {
    return openSseStream(this.fetchImpl, req, sink);
  }

  override poll(req: PollRequest): Promise<PollResponse> {
    return pollOnce(this.fetchImpl, req);
  }

  override openSocket(req: SocketRequest, sink: SocketSink): SocketHandle {
    return openWebSocket(this.webSocket, req, sink);
  }
}
