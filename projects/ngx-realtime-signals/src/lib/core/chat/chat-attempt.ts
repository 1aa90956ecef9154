import type { AttemptContext, ConnectionAttempt } from '../connection';
import { authTokenError, realtimeError } from '../errors';
import type { SocketHandle, SocketRequest, SocketSink } from '../transports/realtime-transports';
import type { ChatClient } from './chat-client';

export interface ChatAttemptDeps {
  /** Called before every attempt so a refreshed token is used; null when auth is off. */
  token: (() => Promise<unknown>) | null;
  /** The ws(s):// URL for this attempt (throws when it cannot be built). */
  socketUrl(token: string | null): string;
  openSocket(req: SocketRequest, sink: SocketSink): SocketHandle;
}

/**
 * One chat connection attempt for the reconnect runner: fetch the token
 * (possibly async), build the URL, and hand the socket to the chat client.
 * A teardown that comes while the token is still on its way wins: no socket
 * is opened afterwards.
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
      let url: string;
      try {
        url = deps.socketUrl(typeof token === 'string' && token !== '' ? token : null);
      } catch (e) {
        ctx.closed(realtimeError('invalid_url', e instanceof Error ? e.message : String(e), false));
        return;
      }
      detach = client.attach((sink) => deps.openSocket({ url }, sink), ctx);
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
