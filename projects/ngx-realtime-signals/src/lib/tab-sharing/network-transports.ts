import { realtimeError } from '../core/errors';
import type { RealtimeError } from '../core/types';
import { openHttpChat } from '../core/transports/http-chat-transport';
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
import type { RealtimeTransportKind, TransportFallbackOptions } from '../core/transports/transport-kind';
import { chatLanes, chatScope, probeSocket, probeStream, streamLanes } from '../core/transports/transport-lanes';
import type { TransportMemory } from '../core/transports/transport-memory';
import { raceStreams, raceTransports } from '../core/transports/transport-race';
import { TransportSelector } from '../core/transports/transport-selector';
import { openWebSocket } from '../core/transports/websocket-transport';

/** How the network falls back: the same orders, timings and memory a tab on its own uses. */
export interface NetworkFallback {
  chat: readonly RealtimeTransportKind[];
  stream: readonly RealtimeTransportKind[];
  timings: TransportFallbackOptions;
  memory: TransportMemory;
  /** The long-poll URL that reads the same topic as a stream request; null: the stream is not this library's protocol (SSE only). */
  pollUrl(req: StreamRequest): string | null;
  /** Hold and page size of each long poll standing in for a stream. */
  pollHoldMs: number;
  pollLimit: number;
}

/**
 * The network itself behind the seam: what the leader tab opens for every tab,
 * and what a tab uses on its own when it cannot share. Tab sharing needs all
 * three transports (the leader may be asked for any of them), so it brings them.
 *
 * Each chat socket and stream asked of it is a race, as a service on its own
 * runs it: WebSocket, then chat over SSE, then over long polling (a stream: SSE,
 * then long polling), the remembered winner first, with a background re-probe of
 * the preferred transport while on a fallback. When the probe gets through, the
 * connection ends with a retryable error and the next one (every tab resumes by
 * its own cursor) starts with the preferred transport. The sink hears the winner
 * through `transport`, which the leader relays so every tab shows it.
 */
export class NetworkTransports extends RealtimeTransports {
  constructor(
    private readonly fetchImpl: () => typeof fetch,
    private readonly webSocket: () => typeof WebSocket | null,
    private readonly fallback: () => NetworkFallback,
  ) {
    super();
  }

  override openStream(req: StreamRequest, sink: StreamSink): () => void {
    const fallback = this.fallback();
    const pollUrl = fallback.pollUrl(req);
    const sse = (r: StreamRequest, s: StreamSink) => openSseStream(this.fetchImpl(), r, s);
    if (pollUrl === null) return sse(req, sink);
    const attempt = this.attempt(fallback, fallback.stream, req.url, (kind) =>
      kind === 'sse' ? probeStream((s) => sse({ ...req, cursor: null }, s), fallback.timings.firstFrameMs) : Promise.resolve(false),
    (error) => sink.closed(error));
    const stop = raceStreams(
      streamLanes(attempt.order, () => req, { url: pollUrl, holdMs: fallback.pollHoldMs, limit: fallback.pollLimit }, { openStream: sse, poll: (r) => this.poll(r) }),
      { ...fallback.timings, chosen: (kind) => attempt.chosen(kind, sink) },
      {
        opened: () => sink.opened(),
        event: (event) => sink.event(event),
        reset: (cursor) => sink.reset(cursor),
        position: (cursor) => sink.position(cursor),
        retryHint: (ms) => sink.retryHint(ms),
        activity: () => sink.activity(),
        closed: (error) => attempt.closed(error),
      },
    );
    attempt.teardown = stop;
    return () => attempt.end();
  }

  override poll(req: PollRequest): Promise<PollResponse> {
    return pollOnce(this.fetchImpl(), req);
  }

  override openSocket(req: SocketRequest, sink: SocketSink): SocketHandle {
    const fallback = this.fallback();
    const ws = (r: SocketRequest, s: SocketSink) => openWebSocket(this.webSocket(), r, s);
    const attempt = this.attempt(fallback, fallback.chat, chatScope(req.url), (kind) =>
      kind === 'websocket' ? probeSocket((s) => ws(req, s), fallback.timings.firstFrameMs) : Promise.resolve(false),
    (error) => sink.closed(error));
    const handle = raceTransports(
      chatLanes(attempt.order, req.url, { openSocket: ws, openHttpChat: (r, s) => openHttpChat(this.fetchImpl(), r, s) }),
      { ...fallback.timings, chosen: (kind) => attempt.chosen(kind, sink) },
      { opened: () => sink.opened(), message: (frame) => sink.message(frame), closed: (error) => attempt.closed(error) },
    );
    attempt.teardown = () => handle.close();
    return { send: (frame) => handle.send(frame), close: () => attempt.end() };
  }

  /** One connection's transport choice: its order, the remembered winner, the re-probe, and how it ends. */
  private attempt(
    fallback: NetworkFallback,
    order: readonly RealtimeTransportKind[],
    scope: string,
    probe: (kind: RealtimeTransportKind) => Promise<boolean>,
    closed: (error: RealtimeError) => void,
  ) {
    let ended = false;
    const attempt = {
      teardown: null as (() => void) | null,
      order: [] as RealtimeTransportKind[],
      chosen: (kind: RealtimeTransportKind, sink: { transport?(kind: RealtimeTransportKind): void }) => {
        selector.chosen(kind);
        sink.transport?.(kind);
      },
      /** The connection ended on its own: reported once. */
      closed: (error: RealtimeError) => {
        if (ended) return;
        ended = true;
        selector.stop();
        closed(error);
      },
      /** The connection was closed by its user: nothing reported. */
      end: () => {
        if (ended) return;
        ended = true;
        selector.stop();
        attempt.teardown?.();
      },
    };
    const selector = new TransportSelector({
      order,
      fallback: fallback.timings,
      memory: fallback.memory,
      probe,
      upgrade: () => {
        if (ended) return;
        attempt.teardown?.();
        attempt.closed(realtimeError('network', `${order[0]} gets through again: reconnecting over it.`, true));
      },
      changed: () => undefined,
    });
    attempt.order = selector.orderForAttempt(scope);
    return attempt;
  }
}
