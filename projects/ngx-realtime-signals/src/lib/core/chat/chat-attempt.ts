import type { AttemptContext, ConnectionAttempt } from '../connection';
import { authTokenError, realtimeError } from '../errors';
import type { HttpChatRequest } from '../transports/http-chat-transport';
import type { SocketHandle, SocketRequest, SocketSink } from '../transports/realtime-transports';
import type { RealtimeTransportKind, TransportFallbackOptions } from '../transports/transport-kind';
import { chatLanes, chatScope } from '../transports/transport-lanes';
import { raceTransports } from '../transports/transport-race';
import type { ChatClient } from './chat-client';

export interface ChatAttemptDeps {
  /** Called before every attempt so a refreshed token is used; null when auth is off. */
  token: (() => Promise<unknown>) | null;
  /** The ws(s):// URL for this attempt (throws when it cannot be built). */
  socketUrl(token: string | null): string;
  openSocket(req: SocketRequest, sink: SocketSink): SocketHandle;
  /** Chat over HTTP; absent: WebSocket only. */
  openHttpChat?(req: HttpChatRequest, sink: SocketSink): SocketHandle;
  /** The transports to try in this attempt at `endpoint` (the chat URL as http(s), without its query), in order; absent: WebSocket only. */
  order?(endpoint: string): readonly RealtimeTransportKind[];
  fallback?: Pick<TransportFallbackOptions, 'headStartMs' | 'firstFrameMs'>;
  /** The transport this attempt committed to (again when a relayed transport says what it really is). */
  chosen?(kind: RealtimeTransportKind): void;
}

/**
 * One chat connection attempt for the reconnect runner: fetch the token
 * (possibly async), build the URLs, and hand the chat client one "socket": a
 * race of the transports in order (WebSocket, then chat over SSE, then over long
 * polling, each after a short head start), won by the first whose server sends
 * its welcome. A teardown that comes while the token is still on its way wins:
 * nothing is opened afterwards.
 *
 * @example
 * ```ts
 * const connection = new Connection(chatAttempt(client, { token: null, socketUrl: () => url, openSocket }), { policy });
 * ```
 */
export function chatAttempt(client: ChatClient, deps: ChatAttemptDeps): ConnectionAttempt {
  return (ctx: AttemptContext) => {
    let cancelled = false;
    let detach: (() => void) | null = null;
    const open = (token: unknown) => {
      if (cancelled) return;
      const bearer = typeof token === 'string' && token !== '' ? token : null;
      let url: string;
      try {
        url = deps.socketUrl(bearer);
      } catch (e) {
        ctx.closed(realtimeError('invalid_url', e instanceof Error ? e.message : String(e), false));
        return;
      }
      const candidates = chatLanes(deps.order?.(chatScope(url)) ?? ['websocket'], url, deps);
      const fallback = deps.fallback ?? { headStartMs: 1500, firstFrameMs: 5000 };
      detach = client.attach(
        (sink) => raceTransports(candidates, { ...fallback, chosen: (kind) => deps.chosen?.(kind) }, sink),
        ctx,
      );
    };
    if (deps.token === null) {
      open(null);
    } else {
      const tokenFn = deps.token;
      Promise.resolve()
        .then(() => tokenFn())
        .then(open, (e: unknown) => {
          // a token endpoint that fails now may answer on the next try; the retry budget bounds it
          if (!cancelled) ctx.closed(authTokenError(e));
        });
    }
    return () => {
      cancelled = true;
      detach?.();
    };
  };
}
