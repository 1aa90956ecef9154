import type { HttpChatRequest } from './http-chat-transport';
import { openPollStream } from './poll-stream';
import type { PollRequest, PollResponse, SocketHandle, SocketRequest, SocketSink, StreamRequest, StreamSink } from './realtime-transports';
import type { RealtimeTransportKind } from './transport-kind';
import type { RaceCandidate, StreamCandidate } from './transport-race';

/** How a chat race opens each kind of transport; without `openHttpChat`, WebSocket only. */
export interface ChatOpeners {
  openSocket(req: SocketRequest, sink: SocketSink): SocketHandle;
  openHttpChat?(req: HttpChatRequest, sink: SocketSink): SocketHandle;
}

/** The chat endpoint as http(s), without its query: what the remembered transport is keyed by. */
export function chatScope(socketUrl: string): string {
  const url = new URL(socketUrl);
  return `${url.protocol === 'wss:' ? 'https:' : 'http:'}//${url.host}${url.pathname}`;
}

/**
 * The lanes of one chat attempt at `socketUrl` (ws(s)://, with `access_token` when auth is on),
 * in `order`: WebSocket at that URL, chat over SSE or long polling at its http(s) twin with the
 * token moved from the query into an `Authorization` header (never in an HTTP URL).
 *
 * @example
 * ```ts
 * raceTransports(chatLanes(['websocket', 'sse'], 'wss://example.com/api/chat?name=ada', openers), options, sink);
 * ```
 */
export function chatLanes(order: readonly RealtimeTransportKind[], socketUrl: string, openers: ChatOpeners): RaceCandidate[] {
  const plain = new URL(socketUrl);
  const token = plain.searchParams.get('access_token');
  plain.searchParams.delete('access_token');
  plain.protocol = plain.protocol === 'wss:' ? 'https:' : 'http:';
  const url = plain.toString();
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  return order.flatMap((kind): RaceCandidate[] => {
    if (kind === 'websocket') return [{ kind, open: (sink) => openers.openSocket({ url: socketUrl }, sink) }];
    const openHttp = openers.openHttpChat;
    return openHttp ? [{ kind, open: (sink) => openHttp({ transport: kind, url, headers }, sink) }] : [];
  });
}

/** How a stream race opens each kind of transport. */
export interface StreamOpeners {
  openStream(req: StreamRequest, sink: StreamSink): () => void;
  poll(req: PollRequest): Promise<PollResponse>;
}

/** Long polling as a stream: its poll URL (null: the stream is not this library's protocol, SSE only), hold and page size. */
export interface PollLane {
  url: string | null;
  holdMs: number;
  limit: number;
}

/**
 * The lanes of one stream attempt, in `order`: SSE as asked, long polling of the topic from the
 * same cursor. `req()` is read when a lane starts, so each lane starts from the cursor as it stands then.
 *
 * @example
 * ```ts
 * raceStreams(streamLanes(['sse', 'long-poll'], () => req, { url: '/api/poll/news', holdMs: 25000, limit: 100 }, openers), options, sink);
 * ```
 */
export function streamLanes(order: readonly RealtimeTransportKind[], req: () => StreamRequest, poll: PollLane, openers: StreamOpeners): StreamCandidate[] {
  return order.flatMap((kind): StreamCandidate[] => {
    if (kind === 'sse') return [{ kind, open: (sink) => openers.openStream(req(), sink) }];
    const url = poll.url;
    if (kind !== 'long-poll' || url === null) return [];
    return [
      {
        kind,
        open: (sink) => {
          const { topic, cursor, headers } = req();
          return openPollStream((r) => openers.poll(r), { url, topic, cursor, headers, holdMs: poll.holdMs, limit: poll.limit }, sink);
        },
      },
    ];
  });
}

/** Resolves true when `open`'s transport delivers a first frame within `firstFrameMs`; closes it either way. */
function probe<H>(start: (works: () => void, fails: () => void) => H, stop: (handle: H) => void, firstFrameMs: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    let handle: H | undefined = undefined;
    let settled = false;
    const settle = (works: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (handle !== undefined) stop(handle);
      resolve(works);
    };
    const timer = setTimeout(() => settle(false), firstFrameMs);
    handle = start(
      () => settle(true),
      () => settle(false),
    );
    if (settled) stop(handle);
  });
}

/** Tries a chat transport on its own: true when the server's welcome came through in time. */
export function probeSocket(open: (sink: SocketSink) => SocketHandle, firstFrameMs: number): Promise<boolean> {
  return probe(
    (works, fails) => open({ opened: () => undefined, message: works, closed: fails }),
    (handle) => handle.close(),
    firstFrameMs,
  );
}

/** Tries a stream on its own: true when the server's first bytes came through in time. */
export function probeStream(open: (sink: StreamSink) => () => void, firstFrameMs: number): Promise<boolean> {
  return probe(
    (works, fails) =>
      open({
        opened: () => undefined,
        activity: works,
        event: () => undefined,
        reset: () => undefined,
        position: () => undefined,
        retryHint: () => undefined,
        closed: fails,
      }),
    (stop) => stop(),
    firstFrameMs,
  );
}
