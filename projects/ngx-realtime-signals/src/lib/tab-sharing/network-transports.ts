import { pollOnce } from '../core/transports/poll-transport';
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
import { openSseStream } from '../core/transports/sse-transport';
import { openWebSocket } from '../core/transports/websocket-transport';

/**
 * The network itself behind the seam: what the leader tab opens for every tab,
 * and what a tab uses on its own when it cannot share. Tab sharing needs all
 * three transports (the leader may be asked for any of them), so it brings them.
 */
export class NetworkTransports extends RealtimeTransports {
  constructor(
    private readonly fetchImpl: () => typeof fetch,
    private readonly webSocket: () => typeof WebSocket | null,
  ) {
    super();
  }

  override openStream(req: StreamRequest, sink: StreamSink): () => void {
    return openSseStream(this.fetchImpl(), req, sink);
  }

  override poll(req: PollRequest): Promise<PollResponse> {
    return pollOnce(this.fetchImpl(), req);
  }

  override openSocket(req: SocketRequest, sink: SocketSink): SocketHandle {
    return openWebSocket(this.webSocket(), req, sink);
  }
}
