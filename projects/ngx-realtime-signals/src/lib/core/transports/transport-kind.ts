/**
 * How a service reaches the server: a WebSocket (chat), an SSE stream (chat
 * frames or a topic's events), or long polling. Chat over `sse` and `long-poll`
 * sends its frames by POST.
 *
 * @example
 * ```ts
 * const order: RealtimeTransportKind[] = ['websocket', 'sse', 'long-poll'];
 * ```
 */
export type RealtimeTransportKind = 'websocket' | 'sse' | 'long-poll';

/**
 * How the services fall back from one transport to the next (see `withTransports`).
 *
 * @example
 * ```ts
 * const fallback: TransportFallbackOptions = { headStartMs: 1500, firstFrameMs: 5000, rememberMs: 600_000, reprobeMs: 60_000 };
 * ```
 */
export interface TransportFallbackOptions {
  /**
   * How long a transport has on its own before the next one in the order starts beside it (the first
   * to deliver the server's first frame wins). A transport that fails outright hands over at once. Default 1500.
   */
  headStartMs: number;
  /**
   * A transport counts as working only once the server's first frame (chat `welcome`, the SSE cursor
   * notice, a long-poll answer) arrives; past this many ms from its start it counts as failed, so a
   * socket that opens and stays silent, or a stream a proxy buffers, falls over. Default 5000.
   */
  firstFrameMs: number;
  /**
   * How long the transport that won is tried first on later connects (sessionStorage when the browser
   * has it, else memory). Default 600000 (10 min).
   */
  rememberMs: number;
  /**
   * While on a fallback, the preferred transport is tried again in the background this long after the
   * connect; when it answers, the service switches back (a resume on the same cursor). 0: never. Default 60000.
   */
  reprobeMs: number;
}

export const DEFAULT_TRANSPORT_FALLBACK: Readonly<TransportFallbackOptions> = Object.freeze({
  headStartMs: 1500,
  firstFrameMs: 5000,
  rememberMs: 600_000,
  reprobeMs: 60_000,
});

/** Chat tries WebSocket, then chat over SSE, then chat over long polling. */
export const DEFAULT_CHAT_TRANSPORTS: readonly RealtimeTransportKind[] = Object.freeze(['websocket', 'sse', 'long-poll']);

/** Notifications try SSE, then long polling (WebSocket carries chat only). */
export const DEFAULT_NOTIFICATION_TRANSPORTS: readonly RealtimeTransportKind[] = Object.freeze(['sse', 'long-poll']);
